// Bit-packed payloads: MSB-first within each byte, like most codec bitstreams.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tq {

class BitWriter {
public:
    // Appends the low `bits` bits of `value` (0 <= bits <= 32), most significant first.
    void put(uint32_t value, int bits);
    void put_bit(bool bit) { put(bit ? 1u : 0u, 1); }
    // Pads with zero bits to a byte boundary and returns the bytes.
    std::vector<uint8_t> finish();
    size_t bit_count() const { return bytes_.size() * 8 + used_; }

private:
    std::vector<uint8_t> bytes_;
    uint64_t acc_ = 0;  // pending bits, right-aligned
    int used_ = 0;      // number of pending bits (< 8 between calls)
};

// Reading past the end throws tq::Error(TQ_ERR_CORRUPT) naming `what`; the
// check is one compare, so it is cheap enough for per-coefficient reads.
class BitReader {
public:
    BitReader(std::span<const uint8_t> data, std::string what);
    uint32_t get(int bits);
    bool get_bit() { return get(1) != 0; }
    size_t bits_left() const { return data_.size() * 8 - pos_; }

private:
    [[noreturn]] void fail_short(int bits) const;

    std::span<const uint8_t> data_;
    size_t pos_ = 0;  // in bits
    std::string what_;
};

}  // namespace tq
