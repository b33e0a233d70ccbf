// Little-endian byte serialisation with bounds-checked reads.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace tq {

class ByteWriter {
public:
    void u8(uint8_t v) { bytes_.push_back(v); }
    void u16(uint16_t v) { put_le(v, 2); }
    void u32(uint32_t v) { put_le(v, 4); }
    void u64(uint64_t v) { put_le(v, 8); }
    void f32(float v) {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        u32(bits);
    }
    void bytes(std::span<const uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
    void text(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }
    // Unsigned LEB128: 7 bits a byte, high bit set on all bytes but the last.
    void varint(uint64_t v) {
        while (v >= 0x80) {
            u8(static_cast<uint8_t>(v | 0x80));
            v >>= 7;
        }
        u8(static_cast<uint8_t>(v));
    }

    // Overwrites an already written little-endian field (header patching).
    void patch_u32(size_t offset, uint32_t v) { patch_le(offset, v, 4); }
    void patch_u64(size_t offset, uint64_t v) { patch_le(offset, v, 8); }

    size_t size() const { return bytes_.size(); }
    const std::vector<uint8_t>& data() const { return bytes_; }
    std::vector<uint8_t> take() { return std::move(bytes_); }

private:
    void put_le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void patch_le(size_t offset, uint64_t v, int n) {
        for (int i = 0; i < n; ++i) bytes_.at(offset + i) = static_cast<uint8_t>(v >> (8 * i));
    }
    std::vector<uint8_t> bytes_;
};

// Reads fail with TQ_ERR_CORRUPT (naming `what_`) instead of running past the end.
class ByteReader {
public:
    ByteReader(std::span<const uint8_t> data, std::string what) : data_(data), what_(std::move(what)) {}

    uint8_t u8() { return static_cast<uint8_t>(get_le(1)); }
    uint16_t u16() { return static_cast<uint16_t>(get_le(2)); }
    uint32_t u32() { return static_cast<uint32_t>(get_le(4)); }
    uint64_t u64() { return get_le(8); }
    float f32() {
        uint32_t bits = u32();
        float v;
        std::memcpy(&v, &bits, 4);
        return v;
    }
    std::span<const uint8_t> bytes(size_t n) {
        need(n);
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    // A format-version byte that must equal `supported`.
    uint8_t version(uint8_t supported) {
        const uint8_t v = u8();
        require_intact(v == supported, what_ + ": version " + std::to_string(v) +
                                           " is not supported (this library reads " + std::to_string(supported) + ")");
        return v;
    }
    // A format-version byte in oldest..newest (a reader of several versions).
    uint8_t version(uint8_t oldest, uint8_t newest) {
        const uint8_t v = u8();
        require_intact(v >= oldest && v <= newest, what_ + ": version " + std::to_string(v) +
                                                       " is not supported (this library reads " +
                                                       std::to_string(oldest) + ".." + std::to_string(newest) + ")");
        return v;
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            uint8_t b = u8();
            v |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        fail(TQ_ERR_CORRUPT, what_ + ": varint longer than 64 bits");
    }

    size_t position() const { return pos_; }
    size_t remaining() const { return data_.size() - pos_; }
    std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

private:
    void need(size_t n) const {
        require_intact(n <= remaining(), what_ + ": truncated (needs " + std::to_string(n) +
                                             " more bytes at offset " + std::to_string(pos_) +
                                             ", has " + std::to_string(remaining()) + ")");
    }
    uint64_t get_le(int n) {
        need(static_cast<size_t>(n));
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
        pos_ += static_cast<size_t>(n);
        return v;
    }

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    std::string what_;
};

}  // namespace tq
