// CRC-32 (zlib, IEEE 802.3 polynomial) and SHA-256 (OpenSSL).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace tq {

uint32_t crc32(std::span<const uint8_t> data, uint32_t running = 0);

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::span<const uint8_t> data);
    Sha256Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

Sha256Digest sha256(std::span<const uint8_t> data);

// Lower-case hexadecimal, two digits per byte.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace tq
