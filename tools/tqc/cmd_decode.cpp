// tqc decode [--float] [--strict] IN.tqc OUT.wav
#include <algorithm>
#include <cstdio>
#include <optional>

#include "audio_io.hpp"
#include "cli.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "output_file.hpp"
#include "tqc_container.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc decode [--float] [--strict] IN.tqc OUT.wav\n"
    "\n"
    "Decodes a .tqc file (IN '-' = stdin) to WAV, using only the file's own stream header.\n"
    "The encoder delay is dropped and the output trimmed to the original length.\n"
    "\n"
    "  --float    write 32-bit float WAV (default: 16-bit PCM)\n"
    "  --strict   fail at the first damage (exit 1, no output file)\n"
    "\n"
    "Damaged packets are reported on stderr and replaced by silence of the same length, so\n"
    "timing stays right; the exit status is then still 0 unless --strict is given.\n";

constexpr OptionSpec kSpecs[] = {{"float", 0, false}, {"strict", 0, false}};

constexpr uint64_t kMaxConcealSeconds = 24 * 3600;  // bound on one gap when the length is unknown

std::unique_ptr<tqc::Reader> open_reader(const std::string& path) {
    try {
        return path == "-" ? tqc::Reader::open_stream(stdin) : tqc::Reader::open_file(path);
    } catch (const tq::Error& e) {
        throw Failure(path == "-" ? "<stdin>" : path, e.what());
    }
}

// Drops the first `skip` samples and everything past `limit`, writes the rest.
class TrimmedOutput {
public:
    TrimmedOutput(WavWriter& wav, int channels, uint64_t skip, std::optional<uint64_t> limit)
        : wav_(wav), channels_(static_cast<size_t>(channels)), skip_(skip), limit_(limit) {}

    void push(const float* pcm, uint64_t frames) {
        const uint64_t drop = std::min(skip_, frames);
        skip_ -= drop;
        uint64_t keep = frames - drop;
        if (limit_) keep = std::min(keep, *limit_ - written_);
        if (keep) wav_.write(pcm + drop * channels_, static_cast<size_t>(keep));
        written_ += keep;
    }

private:
    WavWriter& wav_;
    size_t channels_;
    uint64_t skip_;
    std::optional<uint64_t> limit_;
    uint64_t written_ = 0;
};

class Decoding {
public:
    Decoding(std::string name, tqc::Reader& reader, tq_decoder* dec, TrimmedOutput& out,
             std::optional<uint64_t> expected, bool strict)
        : name_(std::move(name)), reader_(reader), dec_(dec), out_(out), expected_(expected), strict_(strict),
          pcm_(static_cast<size_t>(tq_decoder_frame_size(dec)) * static_cast<size_t>(tq_decoder_channels(dec))) {}

    // Returns the number of problems met (damage, undecodable packets, gaps); with `strict`
    // the first one throws instead.
    size_t run() {
        while (auto packet = reader_.next_packet()) {
            report_damage();
            fill_gap_before(*packet);
            decode(*packet);
        }
        report_damage();
        check_trailer();
        if (expected_ && decoded_ < *expected_) {
            const uint64_t missing = *expected_ - decoded_;
            if (const uint64_t lost = unreported(missing))
                problem("the last " + std::to_string(lost) + " samples are missing; concealed with silence");
            conceal(missing);
        }
        return problems_;
    }

private:
    void problem(const std::string& why) {
        if (strict_) throw Failure(name_, why + " (--strict: no output written)");
        warn(name_, why);
        ++problems_;
    }
    void report_damage() {
        const auto& damage = reader_.damage();
        for (; damage_seen_ < damage.size(); ++damage_seen_) problem(damage[damage_seen_].message);
    }
    // The reader records a missing or mismatching trailer itself; say it only if it did not.
    void check_trailer() {
        if (!reader_.damage().empty()) return;
        const auto& t = reader_.trailer();
        if (!t) problem("no valid trailer (file truncated?)");
        else if (!t->sha256_matches) problem("SHA-256 MISMATCH: the file was modified or damaged");
    }
    void fill_gap_before(const tqc::Packet& p) {
        if (p.first_sample <= decoded_) return;
        const uint64_t gap = p.first_sample - decoded_;
        const uint64_t bound = expected_ ? *expected_ - std::min(*expected_, decoded_)
                                         : kMaxConcealSeconds * static_cast<uint64_t>(tq_decoder_sample_rate(dec_));
        if (gap > bound) return problem("packet " + std::to_string(p.sequence) + " claims an implausible position; not concealed");
        if (const uint64_t lost = unreported(gap))
            problem(std::to_string(lost) + " samples lost before packet " + std::to_string(p.sequence) +
                    "; concealed with silence");
        conceal(gap);
    }
    // The part of a gap of `gap` samples from decoded_ on that no report covers yet: a
    // rejected packet was reported with its samples, which the next gap conceals.
    uint64_t unreported(uint64_t gap) const {
        return gap - (reported_until_ > decoded_ ? std::min(gap, reported_until_ - decoded_) : 0);
    }
    void decode(const tqc::Packet& p) {
        int got = 0;
        const int rc = tq_decode(dec_, p.payload.data(), p.payload.size(), pcm_.data(),
                                 tq_decoder_frame_size(dec_), &got);
        if (rc != TQ_OK) {
            problem("packet " + std::to_string(p.sequence) + " at byte " + std::to_string(p.offset) + ": " +
                    tq_decoder_error_message(dec_) + "; concealed with silence");
            // Its samples (a frame at most) are concealed with the gap before the next packet.
            reported_until_ = p.first_sample + static_cast<uint64_t>(tq_decoder_frame_size(dec_));
            return;
        }
        emit(static_cast<uint64_t>(got));
    }
    // Silence from the decoder's own concealment (a NULL packet gives one frame).
    void conceal(uint64_t samples) {
        while (samples > 0) {
            int got = 0;
            if (tq_decode(dec_, nullptr, 0, pcm_.data(), tq_decoder_frame_size(dec_), &got) != TQ_OK || got <= 0) {
                std::fill(pcm_.begin(), pcm_.end(), 0.0f);
                got = tq_decoder_frame_size(dec_);
            }
            const uint64_t n = std::min<uint64_t>(samples, static_cast<uint64_t>(got));
            emit(n);
            samples -= n;
        }
    }
    void emit(uint64_t frames) {
        out_.push(pcm_.data(), frames);
        decoded_ += frames;
    }

    std::string name_;
    tqc::Reader& reader_;
    tq_decoder* dec_;
    TrimmedOutput& out_;
    std::optional<uint64_t> expected_;
    bool strict_;
    std::vector<float> pcm_;
    uint64_t decoded_ = 0;
    uint64_t reported_until_ = 0;  // a rejected packet's report covers the samples before this
    size_t damage_seen_ = 0;
    size_t problems_ = 0;
};

// Samples per channel the whole stream decodes to (delay included), when known.
std::optional<uint64_t> expected_samples(tqc::Reader& reader) {
    if (reader.seekable())
        if (auto t = reader.read_trailer_from_end()) return t->final_samples;
    const uint64_t total = reader.header().total_samples;
    if (total != tqc::kUnknownSamples) return total;
    return std::nullopt;
}

DecoderPtr make_decoder(const std::string& name, const tqc::FileHeader& h) {
    std::string error;
    DecoderPtr dec = try_create_decoder(h.stream_header, error);
    if (!dec) throw Failure(name, error);
    if (tq_decoder_sample_rate(dec.get()) != static_cast<int>(h.sample_rate) ||
        tq_decoder_channels(dec.get()) != h.channels)
        throw Failure(name, "the file header and the stream header disagree on rate or channels");
    return dec;
}

}  // namespace

int cmd_decode(std::span<char* const> args) {
    const Args a = parse_args("decode", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    a.require_positional("decode", {"IN", "OUT"});
    const std::string in = a.positional()[0], out = a.positional()[1];
    const std::string name = in == "-" ? "<stdin>" : in;
    if (out == "-") throw UsageError("decode: writing WAV to stdout is not supported; give a file name");

    auto reader = open_reader(in);
    DecoderPtr dec = make_decoder(name, reader->header());
    const std::optional<uint64_t> expected = expected_samples(*reader);
    const uint64_t delay = static_cast<uint64_t>(tq_decoder_delay(dec.get()));
    std::optional<uint64_t> limit;
    if (expected) limit = *expected - std::min(*expected, delay);

    TempOutput temp(out);
    WavWriter wav(temp.temp_path(), tq_decoder_sample_rate(dec.get()), tq_decoder_channels(dec.get()),
                  a.has("float"));
    TrimmedOutput trimmed(wav, tq_decoder_channels(dec.get()), delay, limit);
    Decoding(name, *reader, dec.get(), trimmed, expected, a.has("strict")).run();
    wav.close();
    temp.commit();
    return kExitOk;
}

}  // namespace tqc::cli
