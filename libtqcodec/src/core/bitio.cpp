#include "core/bitio.hpp"

#include "core/error.hpp"

namespace tq {

void BitWriter::put(uint32_t value, int bits) {
    if (bits == 0) return;
    if (bits < 32) value &= (1u << bits) - 1u;
    acc_ = (acc_ << bits) | value;
    used_ += bits;
    while (used_ >= 8) {
        used_ -= 8;
        bytes_.push_back(static_cast<uint8_t>(acc_ >> used_));
    }
    acc_ &= (uint64_t{1} << used_) - 1u;
}

std::vector<uint8_t> BitWriter::finish() {
    if (used_ > 0) put(0, 8 - used_);
    acc_ = 0;
    return std::move(bytes_);
}

BitReader::BitReader(std::span<const uint8_t> data, std::string what)
    : data_(data), what_(std::move(what)) {}

// Out of line and cold: the message is built only when a read fails.
[[noreturn, gnu::cold, gnu::noinline]] void BitReader::fail_short(int bits) const {
    fail(TQ_ERR_CORRUPT, what_ + ": payload ends early (wanted " + std::to_string(bits) + " bits, " +
                             std::to_string(bits_left()) + " left)");
}

uint32_t BitReader::get(int bits) {
    if (static_cast<size_t>(bits) > bits_left()) fail_short(bits);
    if (bits == 0) return 0;
    // The field spans at most 5 bytes (7 offset bits + 32 field bits).
    const size_t first = pos_ >> 3;
    const int span = static_cast<int>(pos_ & 7) + bits;
    const int nbytes = (span + 7) >> 3;
    uint64_t acc = 0;
    for (int i = 0; i < nbytes; ++i) acc = (acc << 8) | data_[first + static_cast<size_t>(i)];
    pos_ += static_cast<size_t>(bits);
    return static_cast<uint32_t>((acc >> (8 * nbytes - span)) & ((uint64_t{1} << bits) - 1u));
}

}  // namespace tq
