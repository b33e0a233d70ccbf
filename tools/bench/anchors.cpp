// Anchors through ffmpeg: encode to the anchor's format, decode back to float WAV.
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "bench/child.hpp"
#include "bench/coding.hpp"
#include "tqc/audio_io.hpp"
#include "tqc/cli.hpp"

namespace tqb {
namespace {

using tqc::cli::Failure;

const char* encoder_name(Anchor a) {
    switch (a) {
        case Anchor::opus: return "libopus";
        case Anchor::mp3: return "libmp3lame";
        case Anchor::vorbis: return "libvorbis";
        case Anchor::flac: return "flac";
    }
    return "";
}

const char* extension(Anchor a) {
    switch (a) {
        case Anchor::opus: return ".opus";
        case Anchor::mp3: return ".mp3";
        case Anchor::vorbis: return ".ogg";
        case Anchor::flac: return ".flac";
    }
    return "";
}

std::vector<std::string> ffmpeg_base(const std::string& ffmpeg) {
    return {ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-threads", "1"};
}

std::vector<std::string> encode_command(const std::string& ffmpeg, const Job& job, int bps, const std::string& out) {
    auto cmd = ffmpeg_base(ffmpeg);
    cmd.insert(cmd.end(), {"-i", job.clip->path, "-map_metadata", "-1", "-c:a", encoder_name(job.codec->anchor)});
    if (!job.codec->lossless) cmd.insert(cmd.end(), {"-b:a", std::to_string(bps)});
    cmd.insert(cmd.end(), {"-threads", "1", out});
    return cmd;
}

std::vector<std::string> decode_command(const std::string& ffmpeg, const std::string& in, int sample_rate, const std::string& out) {
    auto cmd = ffmpeg_base(ffmpeg);
    cmd.insert(cmd.end(), {"-i", in, "-ar", std::to_string(sample_rate), "-c:a", "pcm_f32le", "-f", "wav", "-threads", "1", out});
    return cmd;
}

std::string child_error(const ChildResult& r, const char* step) {
    const std::string why = last_line(r.err);
    return std::string("ffmpeg ") + step + " failed: " + (why.empty() ? "exit " + std::to_string(r.exit_code) : why);
}

int clip_sample_rate(const std::string& path) { return tqc::cli::AudioReader(path).info().sample_rate; }

}  // namespace

int snap_mp3_bitrate(int bps, int sample_rate) {
    static const int mpeg1[] = {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    static const int mpeg2[] = {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    static const int mpeg25[] = {8, 16, 24, 32, 40, 48, 56, 64};
    std::span<const int> table = sample_rate >= 32000 ? std::span<const int>(mpeg1)
                                 : sample_rate >= 16000 ? std::span<const int>(mpeg2)
                                                        : std::span<const int>(mpeg25);
    int best = table[0];
    for (int kbps : table)
        if (std::abs(kbps * 1000 - bps) < std::abs(best * 1000 - bps)) best = kbps;
    return best * 1000;
}

void require_anchor_encoders(const std::string& ffmpeg, const std::vector<Codec>& codecs) {
    bool any = false;
    for (const Codec& c : codecs) any |= c.is_anchor;
    if (!any) return;
    if (!std::filesystem::exists(ffmpeg))
        throw Failure("bench", "anchor encoder missing: " + ffmpeg + " does not exist (build it with ffmpeg-patches/build-ffmpeg.sh, "
                               "give --ffmpeg PATH, or --anchors none)");
    const std::string tmp = (std::filesystem::temp_directory_path() / ("tqc-bench-encoders-" + std::to_string(::getpid()))).string();
    const ChildResult r = run_child({ffmpeg, "-hide_banner", "-encoders"}, tmp);
    if (r.exit_code != 0) throw Failure("bench", "anchor encoder missing: " + ffmpeg + " -encoders failed: " + last_line(r.err));
    for (const Codec& c : codecs) {
        if (!c.is_anchor) continue;
        const std::string needle = std::string(" ") + encoder_name(c.anchor) + " ";
        if (r.out.find(needle) == std::string::npos)
            throw Failure("bench", "anchor encoder missing: " + ffmpeg + " has no " + encoder_name(c.anchor) + " encoder (needed for " + c.label + ")");
    }
}

Coded code_with_anchor(const Job& job, const std::string& ffmpeg, const std::string& work_prefix) {
    const std::string encoded = work_prefix + extension(job.codec->anchor);
    const int rate = clip_sample_rate(job.clip->path);
    Coded c;
    c.decoded_path = work_prefix + ".dec.wav";
    c.coded_bps = job.codec->anchor == Anchor::mp3 ? snap_mp3_bitrate(job.nominal_bps, rate) : job.nominal_bps;
    if (c.coded_bps != job.nominal_bps) c.note = "LAME rate " + std::to_string(c.coded_bps / 1000) + "k";
    const ChildResult enc = run_measured(encode_command(ffmpeg, job, c.coded_bps, encoded), work_prefix);
    if (enc.exit_code != 0) {
        std::filesystem::remove(encoded);
        c.note = child_error(enc, "encode");
        return c;
    }
    c.bytes = std::filesystem::file_size(encoded);
    const ChildResult dec = run_measured(decode_command(ffmpeg, encoded, rate, c.decoded_path), work_prefix);
    std::filesystem::remove(encoded);
    c.encode_seconds = enc.cpu_seconds;
    c.decode_seconds = dec.cpu_seconds;
    c.peak_mib = std::max(enc.peak_mib, dec.peak_mib);
    if (dec.exit_code != 0) {
        c.note = child_error(dec, "decode");
        return c;
    }
    c.ok = true;
    return c;
}

}  // namespace tqb
