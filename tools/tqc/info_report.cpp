#include "info_report.hpp"

#include <algorithm>
#include <filesystem>

#include "cli.hpp"
#include "codec.hpp"
#include "core/error.hpp"

namespace tqc::cli {
namespace {

void describe_stream_header(InfoReport& r) {
    DecoderPtr dec = try_create_decoder(r.header.stream_header, r.decoder_error, &r.decoder_code);
    if (!dec) return;
    r.decoder = DecoderFacts{tq_decoder_sample_rate(dec.get()), tq_decoder_channels(dec.get()),
                             tq_decoder_frame_size(dec.get()), tq_decoder_delay(dec.get())};
}

void read_packets(tqc::Reader& reader, InfoReport& r) {
    while (auto p = reader.next_packet())
        r.packets.push_back({p->sequence, p->offset, p->first_sample, p->payload.size(), p->flags});
    r.trailer = reader.trailer();
    r.damage = reader.damage();
}

}  // namespace

std::optional<uint64_t> InfoReport::output_samples() const {
    uint64_t total = header.total_samples;
    if (trailer) total = trailer->final_samples;
    if (total == tqc::kUnknownSamples) return std::nullopt;
    return total - std::min<uint64_t>(total, header.encoder_delay);
}

std::optional<double> InfoReport::duration_seconds() const {
    auto n = output_samples();
    if (!n || header.sample_rate == 0) return std::nullopt;
    return static_cast<double>(*n) / header.sample_rate;
}

std::optional<double> InfoReport::bitrate_bps() const {
    auto d = duration_seconds();
    if (!d || *d <= 0) return std::nullopt;
    return static_cast<double>(file_bytes) * 8.0 / *d;
}

std::string InfoReport::checksum_verdict() const {
    if (!trailer) return "no trailer";
    return trailer->sha256_matches ? "SHA-256 OK" : "SHA-256 MISMATCH";
}

bool InfoReport::damaged() const {
    return !damage.empty() || !trailer || !trailer->sha256_matches || decoder_code == TQ_ERR_CORRUPT;
}

InfoReport inspect(const std::string& path) {
    InfoReport r;
    r.path = path;
    try {
        auto reader = tqc::Reader::open_file(path);
        r.header = reader->header();
        r.file_bytes = std::filesystem::file_size(path);
        describe_stream_header(r);
        read_packets(*reader, r);
    } catch (const tq::Error& e) {
        throw Failure(path, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        throw Failure(path, e.code().message());
    }
    return r;
}

}  // namespace tqc::cli
