// What the fuzz targets share: the family a target is built for, reading the
// input, and the checks that turn a wrong answer into a crash libFuzzer keeps.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tqcodec/tqcodec.h"

// The family a per-family target is built for (meson passes -DTQ_FUZZ_FAMILY=n);
// 0: any family, as the input says.
#ifndef TQ_FUZZ_FAMILY
#define TQ_FUZZ_FAMILY 0
#endif

namespace tqfuzz {

inline constexpr int kFamily = TQ_FUZZ_FAMILY;

// The offset of the family byte in a stream header (container/FORMAT.md).
inline constexpr size_t kStreamHeaderFamilyOffset = 5;

// The sample rates fuzz_encoder picks from for a family that takes any rate.
inline constexpr int kEncoderRates[] = {8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000};

// What one execution of fuzz_decoder_<family> may decode: packets of at most
// `packet_samples` samples per channel (tq_decode refuses bigger ones with
// TQ_ERR_BUFFER_TOO_SMALL before any work, lost packets of a bigger frame
// included) and `total` samples per channel over all packets. Every code path
// of a family is reached within a few hops; one neural packet of a whole frame
// costs tenths of a second. fuzz_decoder (any family) has no budget.
struct DecoderBudget {
    int packet_samples;
    int total;
};

inline DecoderBudget decoder_budget(int family, int frame_size) {
    switch (kFamily ? family : 0) {
        case TQ_FAMILY_TURBO: return {frame_size, 4 * frame_size};
        case TQ_FAMILY_FRACTAL: return {4096, 8192};
        case TQ_FAMILY_STFTAE: return {1920, 3840};  // 8 hops of 240, the tail of the delay (1680) fits
        case TQ_FAMILY_RVQ: return {1920, 3840};     // 6 hops of 320, as the delay
        case TQ_FAMILY_GAUSS: return {1024, 2048};   // 8 hops of 128
        default: return {frame_size, 64 * frame_size};
    }
}

// Prints why and aborts: libFuzzer records the input as a crash.
[[noreturn]] inline void bug(const char* what, const char* detail = "") {
    std::fprintf(stderr, "fuzz target: %s %s\n", what, detail);
    std::abort();
}

// TQ_ERR_INTERNAL ("a bug: please report it") is never a correct answer to
// any input, however hostile; every other code is.
inline int checked(int rc) {
    if (rc == TQ_ERR_INTERNAL) bug("TQ_ERR_INTERNAL:", tq_last_error_message());
    return rc;
}

// Reads the input front to back; a read past its end yields zeros.
struct Cursor {
    const uint8_t* data;
    size_t size;

    uint8_t u8() {
        if (size == 0) return 0;
        --size;
        return *data++;
    }
    uint16_t u16() {
        const uint8_t low = u8();
        return static_cast<uint16_t>(low | u8() << 8);
    }
    bool has(size_t n) const { return size >= n; }
    // The next n bytes (n <= size).
    const uint8_t* take(size_t n) {
        const uint8_t* p = data;
        data += n;
        size -= n;
        return p;
    }
};

// The path of one in-memory file (a memfd) that holds `size` bytes of `data`
// until the next call: for code that reads files by name, without touching the disk.
inline const std::string& memory_file(const uint8_t* data, size_t size) {
    static const int fd = memfd_create("tqcodec-fuzz", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        bug("cannot write the in-memory file");
    return path;
}

}  // namespace tqfuzz
