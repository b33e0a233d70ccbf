// tqc info [--json] [--packets] FILE.tqc
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "core/checksum.hpp"
#include "codec.hpp"
#include "commands.hpp"
#include "info_report.hpp"

namespace tqc::cli {
namespace {

constexpr const char* kUsage =
    "usage: tqc info [--json] [--packets] FILE.tqc\n"
    "\n"
    "Shows a .tqc file's header, its family and stream-header fields, tags, packet count,\n"
    "duration, bitrate (file bytes * 8 / duration), seek index, SHA-256 verdict and every\n"
    "damage the reader stepped over. Exit status 1 when the file is damaged.\n"
    "\n"
    "  --json      the same as one JSON object\n"
    "  --packets   also list every packet (sequence, byte offset, first sample, size)\n";

constexpr OptionSpec kSpecs[] = {{"json", 0, false}, {"packets", 0, false}};

void row(const char* key, const std::string& value) { std::printf("%-16s%s\n", key, value.c_str()); }

std::string samples_text(uint64_t n) {
    return n == tqc::kUnknownSamples ? "unknown" : std::to_string(n);
}

std::string stream_header_text(const InfoReport& r) {
    std::string s = std::to_string(r.header.stream_header.size()) + " bytes; ";
    if (!r.decoder) return s + "no decoder: " + r.decoder_error;
    const DecoderFacts& d = *r.decoder;
    return s + "decoder: " + std::to_string(d.sample_rate) + " Hz, " + std::to_string(d.channels) + " ch, frame " +
           std::to_string(d.frame_size) + ", delay " + std::to_string(d.delay);
}

void print_tags(const InfoReport& r) {
    if (r.header.tags.empty()) return row("tags", "none");
    for (size_t i = 0; i < r.header.tags.size(); ++i)
        row(i ? "" : "tags", r.header.tags[i].key + "=" + r.header.tags[i].value);
}

void print_packet_list(const InfoReport& r) {
    std::printf("%10s %14s %16s %10s %6s\n", "sequence", "offset", "first sample", "bytes", "flags");
    for (const PacketRow& p : r.packets)
        std::printf("%10u %14llu %16llu %10zu %6s\n", p.sequence, static_cast<unsigned long long>(p.offset),
                    static_cast<unsigned long long>(p.first_sample), p.payload_bytes,
                    (p.flags & tqc::kPacketKeyframe) ? "key" : "-");
}

void print_damage(const InfoReport& r) {
    if (r.damage.empty()) return row("damage", "none");
    row("damage", std::to_string(r.damage.size()) + " problem(s)");
    for (const tqc::Damage& d : r.damage) std::printf("  - %s\n", d.message.c_str());
}

void print_text(const InfoReport& r, bool packets) {
    const tqc::FileHeader& h = r.header;
    row("file", r.path + " (" + std::to_string(r.file_bytes) + " bytes)");
    row("family", family_label(h.family) + " (id " + std::to_string(h.family) + ")");
    row("sample rate", std::to_string(h.sample_rate) + " Hz");
    row("channels", std::to_string(h.channels));
    row("source bits", h.source_bits ? std::to_string(h.source_bits) : "unknown/float");
    row("frame size", std::to_string(h.frame_size) + " samples");
    row("encoder delay", std::to_string(h.encoder_delay) + " samples");
    row("total samples", samples_text(h.total_samples) + " (header, delay included)");
    row("stream header", stream_header_text(r));
    row("family params", tq::to_hex(family_params(h.stream_header)));
    print_tags(r);
    row("packets", std::to_string(r.packets.size()));
    auto dur = r.duration_seconds();
    row("duration", dur ? format_fixed(*dur, 3) + " s (" + std::to_string(*r.output_samples()) + " samples)" : "unknown");
    auto bps = r.bitrate_bps();
    row("bitrate", bps ? format_fixed(*bps / 1000, 2) + " kbit/s" : "unknown");
    row("seek index", r.trailer ? std::to_string(r.trailer->index.size()) + " entries" : "none");
    row("checksum", r.checksum_verdict());
    print_damage(r);
    if (packets) print_packet_list(r);
}

template <class T>
nlohmann::ordered_json optional_json(const std::optional<T>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json stream_header_json(const InfoReport& r) {
    nlohmann::ordered_json j{{"bytes", r.header.stream_header.size()},
                     {"hex", tq::to_hex(r.header.stream_header)},
                     {"family_params_hex", tq::to_hex(family_params(r.header.stream_header))}};
    if (r.decoder)
        j["decoder"] = {{"sample_rate", r.decoder->sample_rate}, {"channels", r.decoder->channels},
                        {"frame_size", r.decoder->frame_size}, {"delay", r.decoder->delay}};
    else
        j["decoder_error"] = r.decoder_error;
    return j;
}

nlohmann::ordered_json packets_json(const InfoReport& r) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const PacketRow& p : r.packets)
        list.push_back({{"sequence", p.sequence}, {"offset", p.offset}, {"first_sample", p.first_sample},
                        {"bytes", p.payload_bytes}, {"flags", p.flags}});
    return list;
}

nlohmann::ordered_json damage_json(const InfoReport& r) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const tqc::Damage& d : r.damage)
        list.push_back({{"offset", d.offset}, {"packet", d.packet_sequence}, {"message", d.message}});
    return list;
}

nlohmann::ordered_json to_json(const InfoReport& r, bool packets) {
    const tqc::FileHeader& h = r.header;
    nlohmann::ordered_json tags = nlohmann::ordered_json::array();
    for (const tqc::Tag& t : h.tags) tags.push_back({{"key", t.key}, {"value", t.value}});
    nlohmann::ordered_json j{
        {"file", r.path}, {"file_bytes", r.file_bytes},
        {"family", {{"id", h.family}, {"name", family_label(h.family)},
                    {"available", is_family_id(h.family) && tq_family_available(static_cast<tq_family>(h.family)) == 1}}},
        {"sample_rate", h.sample_rate}, {"channels", h.channels}, {"source_bits", h.source_bits},
        {"frame_size", h.frame_size}, {"encoder_delay", h.encoder_delay},
        {"total_samples", h.total_samples == tqc::kUnknownSamples ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(h.total_samples)},
        {"stream_header", stream_header_json(r)}, {"tags", tags},
        {"packet_count", r.packets.size()},
        {"output_samples", optional_json(r.output_samples())},
        {"duration_s", optional_json(r.duration_seconds())}, {"bitrate_bps", optional_json(r.bitrate_bps())},
        {"seek_index_entries", r.trailer ? nlohmann::ordered_json(r.trailer->index.size()) : nlohmann::ordered_json(nullptr)},
        {"final_samples", r.trailer ? nlohmann::ordered_json(r.trailer->final_samples) : nlohmann::ordered_json(nullptr)},
        {"checksum", r.checksum_verdict()}, {"damage", damage_json(r)}, {"damaged", r.damaged()}};
    if (packets) j["packets"] = packets_json(r);
    return j;
}

}  // namespace

int cmd_info(std::span<char* const> args) {
    const Args a = parse_args("info", args, kSpecs);
    if (a.has("help")) return std::fputs(kUsage, stdout), kExitOk;
    a.require_positional("info", {"FILE"});
    const InfoReport r = inspect(a.positional()[0]);
    if (a.has("json")) std::printf("%s\n", to_json(r, a.has("packets")).dump(2).c_str());
    else print_text(r, a.has("packets"));
    std::fflush(stdout);
    if (r.damaged())
        throw Failure(r.path, "damaged: " + std::to_string(r.damage.size()) + " problem(s), " + r.checksum_verdict());
    return kExitOk;
}

}  // namespace tqc::cli
