// tqc encode -c FAMILY [-b BITRATE] [-O key=value,...] [-q] IN OUT.tqc
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "audio_io.hpp"
#include "cli.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "output_file.hpp"
#include "resample.hpp"
#include "tqc_container.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc encode -c FAMILY [-b BITRATE] [-O key=value,...] [-q] IN OUT.tqc\n"
    "\n"
    "Encodes IN (WAV, FLAC, OGG, ...; '-' = stdin) into a .tqc file (OUT '-' = stdout).\n"
    "\n"
    "  -c, --codec FAMILY     family to encode with (see 'tqc families')\n"
    "  -b, --bitrate RATE     target bitrate: 96k, 96000, 1.5M (default: the family's options)\n"
    "  -O, --options K=V,...  family options (repeatable; see 'tqc families')\n"
    "  -q, --quiet            no summary line on stderr\n"
    "\n"
    "A family that codes fixed rates (stftae: 24000 Hz) gets IN resampled with libsoxr; the file\n"
    "then decodes at that rate. The output appears only when complete: a failed encode leaves no file.\n";

constexpr OptionSpec kSpecs[] = {
    {"codec", 'c', true}, {"bitrate", 'b', true}, {"options", 'O', true}, {"quiet", 'q', false}};

struct Settings {
    tq_family family{};
    int bitrate = 0;
    std::string options;
    bool quiet = false;
    std::string in, out;
};

Settings settings_from(const Args& a) {
    a.require_positional("encode", {"IN", "OUT"});
    auto codec = a.last("codec");
    if (!codec) throw UsageError("encode: missing -c FAMILY (see 'tqc families')");
    Settings s;
    s.family = family_from_name(*codec);
    if (auto b = a.last("bitrate")) s.bitrate = parse_bitrate(*b);
    for (const auto& o : a.all("options")) s.options += (s.options.empty() ? "" : ",") + o;
    s.quiet = a.has("quiet");
    s.in = a.positional()[0];
    s.out = a.positional()[1];
    return s;
}

// Where the .tqc goes: a temporary file renamed at the end, or counted standard output.
class Sink {
public:
    explicit Sink(const std::string& path) : path_(path) {
        if (path == "-") {
            stdout_.emplace();
            writer_ = tqc::Writer::open_stream(stdout_->stream());
        } else {
            temp_.emplace(path);
            writer_ = tqc::Writer::open_file(temp_->temp_path());
        }
    }
    tqc::Writer& writer() { return *writer_; }
    // Closes everything, moves the file into place and returns its size in bytes.
    uint64_t commit() {
        writer_.reset();
        if (stdout_) {
            stdout_->close();
            return stdout_->bytes();
        }
        const uint64_t bytes = std::filesystem::file_size(temp_->temp_path());
        temp_->commit();
        return bytes;
    }

private:
    std::string path_;
    std::optional<TempOutput> temp_;
    std::optional<CountingStdout> stdout_;
    std::unique_ptr<tqc::Writer> writer_;
};

tqc::FileHeader make_header(const Settings& s, const AudioInfo& in, int source_rate, tq_encoder* enc) {
    tqc::FileHeader h;
    h.family = static_cast<uint8_t>(s.family);
    h.channels = static_cast<uint8_t>(in.channels);
    h.source_bits = static_cast<uint8_t>(in.source_bits);
    h.sample_rate = static_cast<uint32_t>(in.sample_rate);
    h.frame_size = static_cast<uint32_t>(tq_encoder_frame_size(enc));
    h.encoder_delay = static_cast<uint32_t>(tq_encoder_delay(enc));
    if (in.frames >= 0) h.total_samples = static_cast<uint64_t>(in.frames) + h.encoder_delay;
    const uint8_t* data = nullptr;
    size_t size = 0;
    if (tq_encoder_stream_header(enc, &data, &size) != TQ_OK) throw Failure("encode", tq_last_error_message());
    h.stream_header.assign(data, data + size);
    h.tags.push_back({"encoder", version_line()});
    if (s.bitrate) h.tags.push_back({"target_bitrate", std::to_string(s.bitrate)});
    if (!s.options.empty()) h.tags.push_back({"options", s.options});
    if (source_rate != in.sample_rate) h.tags.push_back({"source_rate", std::to_string(source_rate)});
    return h;
}


// Cuts interleaved PCM arriving in chunks of any size into the encoder's frames.
class Framer {
public:
    Framer(PacketPump& pump, int frame, int channels)
        : pump_(pump), frame_(static_cast<size_t>(frame)), channels_(static_cast<size_t>(channels)) {}

    void push(std::span<const float> pcm) {
        pending_.insert(pending_.end(), pcm.begin(), pcm.end());
        size_t used = 0;
        for (; pending_.size() - used >= frame_ * channels_; used += frame_ * channels_)
            pump_.encode(pending_.data() + used, static_cast<int>(frame_));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
    }
    void finish() {
        if (!pending_.empty()) pump_.encode(pending_.data(), static_cast<int>(pending_.size() / channels_));
        pending_.clear();
    }

private:
    PacketPump& pump_;
    size_t frame_, channels_;
    std::vector<float> pending_;
};

// Returns the number of input samples per channel encoded (at the input's rate).
uint64_t encode_all(AudioReader& in, int rate, tq_encoder* enc, tqc::Writer& writer) {
    const int frame = tq_encoder_frame_size(enc);
    const int channels = in.info().channels;
    std::vector<float> pcm(static_cast<size_t>(frame) * static_cast<size_t>(channels));
    PacketPump pump(enc, [&](uint64_t first, std::span<const uint8_t> packet) { writer.write_packet(first, packet); });
    Framer framer(pump, frame, channels);
    std::optional<StreamResampler> resampler;
    if (rate != in.info().sample_rate) resampler.emplace(channels, in.info().sample_rate, rate);
    uint64_t total = 0;
    while (size_t got = in.read(pcm.data(), static_cast<size_t>(frame))) {
        const std::span<const float> chunk(pcm.data(), got * static_cast<size_t>(channels));
        framer.push(resampler ? std::span<const float>(resampler->push(chunk.data(), got)) : chunk);
        total += got;
    }
    if (resampler) framer.push(resampler->finish());
    framer.finish();
    pump.flush();
    writer.finish(pump.samples());
    return total;
}

void print_summary(const Settings& s, const AudioInfo& in, int rate, uint64_t samples, uint64_t bytes) {
    const double seconds = static_cast<double>(samples) / in.sample_rate;
    const double pcm16 = static_cast<double>(samples) * in.channels * 2.0;
    std::string line = "tqc: encoded " + std::string(s.in == "-" ? "<stdin>" : s.in) + " -> " +
                       (s.out == "-" ? "<stdout>" : s.out) + ": " + family_label(s.family) + ", " +
                       std::to_string(in.sample_rate) + " Hz, " + std::to_string(in.channels) + " ch, " +
                       format_fixed(seconds, 3) + " s, " + std::to_string(bytes) + " bytes";
    if (rate != in.sample_rate) line += " (coded at " + std::to_string(rate) + " Hz, resampled with libsoxr)";
    if (seconds > 0) line += ", " + format_fixed(static_cast<double>(bytes) * 8 / seconds / 1000, 2) + " kbit/s";
    if (s.bitrate) line += " (target " + format_fixed(s.bitrate / 1000.0, 2) + ")";
    if (bytes > 0 && samples > 0) line += ", " + format_fixed(pcm16 / static_cast<double>(bytes), 2) + "x smaller than 16-bit PCM";
    std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace

int cmd_encode(std::span<char* const> args) {
    const Args a = parse_args("encode", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    const Settings s = settings_from(a);
    AudioReader in(s.in);

    tq_encoder_config config;
    tq_encoder_config_init(&config, s.family);
    const AudioInfo coded = coded_info(in.info(), s.family);
    config.sample_rate = coded.sample_rate;
    config.channels = coded.channels;
    config.bitrate = s.bitrate;
    config.options = s.options.empty() ? nullptr : s.options.c_str();
    EncoderPtr enc = create_encoder(config, "encode");

    Sink sink(s.out);
    sink.writer().write_header(make_header(s, coded, in.info().sample_rate, enc.get()));
    const uint64_t samples = encode_all(in, coded.sample_rate, enc.get(), sink.writer());
    const uint64_t bytes = sink.commit();
    if (!s.quiet) print_summary(s, in.info(), coded.sample_rate, samples, bytes);
    return kExitOk;
}

}  // namespace tqc::cli
