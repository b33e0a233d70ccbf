// Coding one clip with one codec at one rate, in a child process: the encoded file's size,
// the decoded audio (a float WAV), CPU time of encoding and decoding, and peak memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bench/plan.hpp"

namespace tqb {

struct Coded {
    bool ok = false;
    std::string note;          // why it failed, or what was adjusted (mp3 rate snapping)
    std::string decoded_path;  // float WAV at the clip's rate
    uint64_t bytes = 0;        // size of the encoded file
    int coded_bps = 0;         // the rate the encoder was given (mp3: snapped to LAME's table)
    double encode_seconds = 0; // CPU seconds (see docs/bench.md for what each codec's includes)
    double decode_seconds = 0;
    double peak_mib = 0;       // peak RSS of the coding child process(es)
};

// Library families: runs "tqc bench --library-job ..." (this executable) on the clip.
Coded code_with_library(const Job& job, const std::string& work_prefix);

// Child side of the above: encodes and decodes through the C ABI, timing only the library
// calls (thread CPU time), writes OUT.tqc and OUT.wav, prints one JSON line.
// args: FAMILY BITRATE OPTIONS|- IN OUT.tqc OUT.wav
int run_library_job(std::span<char* const> args);

// Anchors: encodes and decodes with ffmpeg (one thread each).
Coded code_with_anchor(const Job& job, const std::string& ffmpeg, const std::string& work_prefix);

// Throws cli::Failure (exit 1) unless `ffmpeg` runs and has the encoder of every anchor given.
void require_anchor_encoders(const std::string& ffmpeg, const std::vector<Codec>& codecs);

// The bitrate LAME accepts nearest to `bps` at this sample rate (MPEG-1, 2 or 2.5 tables).
int snap_mp3_bitrate(int bps, int sample_rate);

}  // namespace tqb
