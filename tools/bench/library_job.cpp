// Library families in a child process: encode and decode through the C ABI.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/child.hpp"
#include "bench/coding.hpp"
#include "tqc/audio_io.hpp"
#include "tqc/cli.hpp"
#include "tqc/codec.hpp"
#include "tqc/resample.hpp"
#include "tqc_container.hpp"

namespace tqb {
namespace {

using tqc::cli::Failure;

// CPU time of the whole job process: a family that codes on worker threads
// (fractal's threads=) is charged for all of them, so x real time stays per core.
double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Adds the CPU time of each timed call to `total`.
class CpuClock {
public:
    template <class F>
    auto time(F&& call) {
        const double start = process_cpu_seconds();
        auto result = call();
        total += process_cpu_seconds() - start;
        return result;
    }
    double total = 0;
};

struct Packet {
    uint64_t first_sample;
    std::vector<uint8_t> bytes;
};

struct Encoded {
    std::vector<Packet> packets;
    uint64_t final_samples = 0;  // samples per channel the packets decode to
    double seconds = 0;
};

void check(int rc, tq_encoder* enc) {
    if (rc != TQ_OK) throw Failure("encode", tq_encoder_error_message(enc));
}

Encoded encode(tq_encoder* enc, const tqc::cli::Audio& clip) {
    const auto frame = static_cast<size_t>(tq_encoder_frame_size(enc));
    const auto ch = static_cast<size_t>(clip.info.channels);
    Encoded out;
    tqc::cli::PacketPump pump(enc, [&](uint64_t first, std::span<const uint8_t> packet) {
        out.packets.push_back({first, {packet.begin(), packet.end()}});
    });
    CpuClock clock;
    for (size_t pos = 0; pos < clip.frames(); pos += frame) {
        const size_t n = std::min(frame, clip.frames() - pos);
        clock.time([&] { pump.encode(clip.samples.data() + pos * ch, static_cast<int>(n)); return 0; });
    }
    clock.time([&] { pump.flush(); return 0; });
    out.final_samples = pump.samples();
    out.seconds = clock.total;
    return out;
}

uint64_t write_tqc(const std::string& path, tq_family family, tq_encoder* enc, const tqc::cli::Audio& clip,
                   const Encoded& e) {
    tqc::FileHeader h;
    h.family = static_cast<uint8_t>(family);
    const uint8_t* data = nullptr;
    size_t size = 0;
    check(tq_encoder_stream_header(enc, &data, &size), enc);
    h.stream_header.assign(data, data + size);
    h.channels = static_cast<uint8_t>(clip.info.channels);
    h.source_bits = static_cast<uint8_t>(clip.info.source_bits);
    h.sample_rate = static_cast<uint32_t>(clip.info.sample_rate);
    h.frame_size = static_cast<uint32_t>(tq_encoder_frame_size(enc));
    h.encoder_delay = static_cast<uint32_t>(tq_encoder_delay(enc));
    h.total_samples = clip.frames() + h.encoder_delay;
    h.tags.push_back({"encoder", tqc::cli::version_line() + " bench"});
    auto writer = tqc::Writer::open_file(path);
    writer->write_header(h);
    for (const Packet& p : e.packets) writer->write_packet(p.first_sample, p.bytes);
    writer->finish(e.final_samples);
    writer.reset();
    return std::filesystem::file_size(path);
}

// Decodes every packet; returns the CPU seconds of the tq_decode calls. `pcm` gets the
// output without the encoder delay, trimmed to the clip's length.
double decode(std::span<const uint8_t> stream_header, const Encoded& e, size_t clip_frames, std::vector<float>& pcm) {
    std::string error;
    tqc::cli::DecoderPtr dec = tqc::cli::try_create_decoder(stream_header, error);
    if (!dec) throw Failure("decode", error);
    const auto ch = static_cast<size_t>(tq_decoder_channels(dec.get()));
    const int max_frame = tq_decoder_frame_size(dec.get());
    std::vector<float> out(static_cast<size_t>(max_frame) * ch);
    CpuClock clock;
    for (const Packet& p : e.packets) {
        int got = 0;
        const int rc = clock.time([&] { return tq_decode(dec.get(), p.bytes.data(), p.bytes.size(), out.data(), max_frame, &got); });
        if (rc != TQ_OK) throw Failure("decode", tq_decoder_error_message(dec.get()));
        pcm.insert(pcm.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(got) * ch));
    }
    const size_t delay = static_cast<size_t>(tq_decoder_delay(dec.get())) * ch;
    pcm.erase(pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(std::min(delay, pcm.size())));
    pcm.resize(std::min(pcm.size(), clip_frames * ch));
    return clock.total;
}

// The clip as the family codes it: resampled (outside the timed calls) when the family
// codes fixed rates; the decoded audio goes back to the clip's rate for measuring.
tqc::cli::Audio at_coded_rate(const tqc::cli::Audio& clip, tq_family family) {
    tqc::cli::Audio coded{tqc::cli::coded_info(clip.info, family), {}};
    if (coded.info.sample_rate == clip.info.sample_rate) return clip;
    coded.samples = tqc::cli::resample(clip.samples, clip.info.channels, clip.info.sample_rate, coded.info.sample_rate);
    coded.info.frames = static_cast<int64_t>(coded.frames());
    return coded;
}

}  // namespace

int run_library_job(std::span<char* const> args) {
    if (args.size() != 6) throw tqc::cli::UsageError("bench --library-job: expected FAMILY BITRATE OPTIONS IN OUT.tqc OUT.wav");
    const std::string options = args[2];
    const tqc::cli::Audio clip = tqc::cli::read_audio(args[3]);
    const tq_family family = tqc::cli::family_from_name(args[0]);
    const tqc::cli::Audio coded = at_coded_rate(clip, family);
    tq_encoder_config config;
    tq_encoder_config_init(&config, family);
    config.sample_rate = coded.info.sample_rate;
    config.channels = coded.info.channels;
    config.bitrate = std::stoi(args[1]);
    config.options = options == "-" ? nullptr : options.c_str();
    tqc::cli::EncoderPtr enc = tqc::cli::create_encoder(config, "encode");

    const Encoded encoded = encode(enc.get(), coded);
    const uint64_t bytes = write_tqc(args[4], config.family, enc.get(), coded, encoded);
    const uint8_t* header = nullptr;
    size_t header_size = 0;
    check(tq_encoder_stream_header(enc.get(), &header, &header_size), enc.get());
    std::vector<float> pcm;
    const double decode_seconds = decode({header, header_size}, encoded, coded.frames(), pcm);
    pcm = tqc::cli::resample(pcm, clip.info.channels, coded.info.sample_rate, clip.info.sample_rate);

    tqc::cli::WavWriter wav(args[5], clip.info.sample_rate, clip.info.channels, true);
    wav.write(pcm.data(), pcm.size() / static_cast<size_t>(clip.info.channels));
    wav.close();
    const nlohmann::json result = {{"bytes", bytes}, {"encode_seconds", encoded.seconds}, {"decode_seconds", decode_seconds},
                                 {"peak_mib", own_peak_mib()}};
    std::printf("%s\n", result.dump().c_str());
    return 0;
}

Coded code_with_library(const Job& job, const std::string& work_prefix) {
    const std::string tqc_path = work_prefix + ".tqc";
    Coded c;
    c.decoded_path = work_prefix + ".dec.wav";
    c.coded_bps = job.nominal_bps;
    const std::string options = job.codec->options.empty() ? "-" : job.codec->options;
    const ChildResult r = run_child({"/proc/self/exe", "bench", "--library-job", tq_family_name(job.codec->family),
                                     std::to_string(job.nominal_bps), options, job.clip->path, tqc_path, c.decoded_path},
                                    work_prefix);
    std::filesystem::remove(tqc_path);
    if (r.exit_code != 0) {
        c.note = last_line(r.err);
        if (c.note.starts_with("tqc: ")) c.note = c.note.substr(5);
        return c;
    }
    const auto j = nlohmann::json::parse(r.out);
    c.bytes = j.at("bytes").get<uint64_t>();
    c.encode_seconds = j.at("encode_seconds").get<double>();
    c.decode_seconds = j.at("decode_seconds").get<double>();
    c.peak_mib = j.at("peak_mib").get<double>();
    c.ok = true;
    return c;
}

}  // namespace tqb
