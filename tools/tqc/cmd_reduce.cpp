// tqc reduce (-b RATE | --codebooks K) IN.tqc OUT.tqc
#include <cstdio>
#include <optional>

#include "api/stream_header.hpp"
#include "cli.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "families/rvq/reduce.hpp"
#include "output_file.hpp"
#include "tqc_container.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc reduce (-b RATE | --codebooks K) [--quiet] IN.tqc OUT.tqc\n"
    "\n"
    "Rewrites a .tqc file at a lower bitrate without decoding it, for families whose packets\n"
    "are layered (rvq: each frame's codebooks, coarse to fine). Trailing layers are dropped with\n"
    "the encoder's own rate rule, so OUT is byte for byte what 'tqc encode -b RATE' would have\n"
    "written from the same input, as long as IN was coded at a higher rate.\n"
    "\n"
    "  -b, --bitrate RATE   target bitrate of the whole file, e.g. 3k (rvq: 1k..32k)\n"
    "  --codebooks K        keep at most K codebooks per frame instead (1..16)\n"
    "  -q, --quiet          no summary line\n";

constexpr OptionSpec kSpecs[] = {{"bitrate", 'b', true}, {"codebooks", 0, true}, {"quiet", 'q', false}};

struct Target {
    int bitrate = 0;
    int codebooks = 0;
};

Target target_from(const Args& a) {
    Target t;
    if (auto b = a.last("bitrate")) t.bitrate = parse_bitrate(*b);
    if (auto k = a.last("codebooks")) {
        try {
            t.codebooks = std::stoi(*k);
        } catch (const std::exception&) {
            throw UsageError("reduce: --codebooks wants a number, got '" + *k + "'");
        }
        if (t.codebooks < 1) throw UsageError("reduce: --codebooks must be at least 1");
    }
    if ((t.bitrate == 0) == (t.codebooks == 0)) throw UsageError("reduce: give exactly one of -b RATE and --codebooks K");
    return t;
}

// The source's header with the new target in its tags.
tqc::FileHeader reduced_header(const tqc::FileHeader& in, const Target& t) {
    tqc::FileHeader h = in;
    std::erase_if(h.tags, [](const tqc::Tag& tag) { return tag.key == "target_bitrate" || tag.key == "codebooks"; });
    if (t.bitrate) h.tags.push_back({"target_bitrate", std::to_string(t.bitrate)});
    else h.tags.push_back({"codebooks", std::to_string(t.codebooks)});
    return h;
}

class Reduction {
public:
    Reduction(const std::string& name, tqc::Reader& reader, const Target& t)
        : name_(name), reader_(reader), stream_(tq::read_stream_header(reader.header().stream_header)),
          reducer_(make_reducer(t)) {}

    // Copies every packet, rewritten, to `writer`; returns the samples they decode to.
    uint64_t run(tqc::Writer& writer) {
        uint64_t samples = 0;
        std::optional<tqc::Packet> next = read();
        while (next) {
            tqc::Packet packet = std::move(*next);
            next = read();
            std::span<const uint8_t> payload(packet.payload);
            const int n = tq::read_packet_prefix(payload, stream_.info.frame_size);
            std::vector<uint8_t> out = reducer_.reduce(payload, n, !next);
            tq::write_packet_prefix(out, n);
            writer.write_packet(samples, out, packet.flags);
            samples += static_cast<uint64_t>(n);
        }
        if (!reader_.trailer()) throw Failure(name_, "no valid trailer (file truncated?); nothing written");
        return samples;
    }

private:
    tq::rvq::Reducer make_reducer(const Target& t) const {
        if (stream_.info.family != TQ_FAMILY_RVQ)
            throw Failure(name_, family_label(stream_.info.family) +
                                     " packets are not layered; only rvq streams can be reduced without decoding");
        return tq::rvq::Reducer(stream_.info, stream_.family_params, t.bitrate, t.codebooks);
    }

    // The next packet; damage stops the reduction (a skipped packet would change every budget after it).
    std::optional<tqc::Packet> read() {
        std::optional<tqc::Packet> p = reader_.next_packet();
        if (!reader_.damage().empty()) throw Failure(name_, reader_.damage().front().message + "; nothing written");
        return p;
    }

    std::string name_;
    tqc::Reader& reader_;
    tq::StreamHeader stream_;
    tq::rvq::Reducer reducer_;
};

}  // namespace

int cmd_reduce(std::span<char* const> args) {
    const Args a = parse_args("reduce", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    a.require_positional("reduce", {"IN", "OUT"});
    const Target target = target_from(a);
    const std::string in = a.positional()[0], out = a.positional()[1];
    if (in == "-" || out == "-") throw UsageError("reduce: give file names (pipes are not supported)");

    std::unique_ptr<tqc::Reader> reader;
    try {
        reader = tqc::Reader::open_file(in);
    } catch (const tq::Error& e) {
        throw Failure(in, e.what());
    }
    Reduction reduction(in, *reader, target);
    TempOutput temp(out);
    {
        auto writer = tqc::Writer::open_file(temp.temp_path());
        writer->write_header(reduced_header(reader->header(), target));
        writer->finish(reduction.run(*writer));
    }
    temp.commit();
    if (!a.has("quiet")) std::fprintf(stderr, "tqc: reduced %s -> %s\n", in.c_str(), out.c_str());
    return kExitOk;
}

}  // namespace tqc::cli
