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

uint32_t BitReader::get(int bits) {
    require_intact(static_cast<size_t>(bits) <= bits_left(),
                   what_ + ": payload ends early (wanted " + std::to_string(bits) + " bits, " +
                       std::to_string(bits_left()) + " left)");
    uint32_t value = 0;
    while (bits > 0) {
        size_t byte = pos_ >> 3;
        int offset = static_cast<int>(pos_ & 7);
        int take = std::min(8 - offset, bits);
        uint32_t chunk = (data_[byte] >> (8 - offset - take)) & ((1u << take) - 1u);
        value = (value << take) | chunk;
        pos_ += static_cast<size_t>(take);
        bits -= take;
    }
    return value;
}

}  // namespace tq
