#include "core/checksum.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <climits>

#include "core/error.hpp"

namespace tq {

uint32_t crc32(std::span<const uint8_t> data, uint32_t running) {
    uLong crc = running;
    const uint8_t* p = data.data();
    size_t left = data.size();
    while (left > 0) {  // zlib takes uInt lengths
        uInt n = left > UINT_MAX ? UINT_MAX : static_cast<uInt>(left);
        crc = ::crc32(crc, p, n);
        p += n;
        left -= n;
    }
    return static_cast<uint32_t>(crc);
}

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    require(impl_->ctx && EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) == 1, TQ_ERR_INTERNAL,
            "OpenSSL SHA-256 initialisation failed");
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::update(std::span<const uint8_t> data) {
    require(EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1, TQ_ERR_INTERNAL,
            "OpenSSL SHA-256 update failed");
}

Sha256Digest Sha256::finish() {
    Sha256Digest digest{};
    unsigned len = 0;
    require(EVP_DigestFinal_ex(impl_->ctx, digest.data(), &len) == 1 && len == digest.size(),
            TQ_ERR_INTERNAL, "OpenSSL SHA-256 finalisation failed");
    return digest;
}

Sha256Digest sha256(std::span<const uint8_t> data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

std::string to_hex(std::span<const uint8_t> bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) s += digits[b >> 4], s += digits[b & 15];
    return s;
}

}  // namespace tq
