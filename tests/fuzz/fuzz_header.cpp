// Fuzz target: the stream header of one family (fuzz_header_<family>; the
// family byte is set to it): the generic header and the family's parameter
// bytes. A header either fails to parse with an error code, or parses to
// values that serialize back to the very same bytes (the reserved byte aside,
// which readers ignore). tq_decoder_create must agree with the parsers: it
// refuses what they refuse (with the same code) and accepts what they accept,
// unless the stream needs a model (or a family) this library does not have,
// and a decoder reports what the header says.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "api/stream_header.hpp"
#include "core/error.hpp"
#include "families/fractal/params.hpp"
#include "families/gauss/params.hpp"
#include "families/rvq/params.hpp"
#include "families/stftae/params.hpp"
#include "families/turbo/params.hpp"
#include "fuzz_target.hpp"

static_assert(tqfuzz::kFamily >= TQ_FAMILY_FIRST && tqfuzz::kFamily <= TQ_FAMILY_LAST,
              "fuzz_header is built once per family");

namespace {

constexpr size_t kReservedOffset = 7;

// The family's parameter bytes parsed, then serialized again.
std::vector<uint8_t> reserialized(std::span<const uint8_t> params, const tq::StreamInfo& info) {
    switch (tqfuzz::kFamily) {
        case TQ_FAMILY_TURBO: return tq::turbo::serialize_params(tq::turbo::parse_params(params, info));
        case TQ_FAMILY_FRACTAL: return tq::fractal::serialize_params(tq::fractal::parse_params(params, info));
        case TQ_FAMILY_STFTAE: return tq::stftae::serialize_params(tq::stftae::parse_params(params, info));
        case TQ_FAMILY_RVQ: return tq::rvq::serialize_params(tq::rvq::parse_params(params, info));
        default: return tq::gauss::serialize_params(tq::gauss::parse_params(params, info));
    }
}

// TQ_OK if both parsers accept `bytes` and they serialize back to them, else the parsers' error code.
int parse_and_round_trip(const std::vector<uint8_t>& bytes, tq::StreamInfo& info) {
    try {
        const tq::StreamHeader header = tq::read_stream_header(bytes);
        std::vector<uint8_t> canonical = bytes;
        canonical[kReservedOffset] = 0;
        if (tq::write_stream_header(header) != canonical) tqfuzz::bug("stream header does not round-trip");
        if (reserialized(header.family_params, header.info) != header.family_params)
            tqfuzz::bug("family parameters do not round-trip");
        info = header.info;
        return TQ_OK;
    } catch (const tq::Error& e) {
        return e.code();
    }
}

void check_decoder(const tq_decoder* dec, const tq::StreamInfo& info) {
    if (tq_decoder_family(dec) != info.family || tq_decoder_sample_rate(dec) != info.sample_rate ||
        tq_decoder_channels(dec) != info.channels || tq_decoder_frame_size(dec) != info.frame_size ||
        tq_decoder_delay(dec) != info.delay)
        tqfuzz::bug("decoder reports other values than its stream header");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;  // tq_decoder_create would see a NULL pointer
    std::vector<uint8_t> bytes(data, data + size);
    if (bytes.size() > tqfuzz::kStreamHeaderFamilyOffset) bytes[tqfuzz::kStreamHeaderFamilyOffset] = tqfuzz::kFamily;
    tq::StreamInfo info{};
    const int parsed = parse_and_round_trip(bytes, info);

    tq_decoder* dec = nullptr;
    const int created = tqfuzz::checked(tq_decoder_create(bytes.data(), bytes.size(), &dec));
    if (parsed != TQ_OK && created != parsed && created != TQ_ERR_UNSUPPORTED)
        tqfuzz::bug("tq_decoder_create and the parsers disagree on a bad header");
    if (parsed == TQ_OK && created != TQ_OK && created != TQ_ERR_MODEL && created != TQ_ERR_UNSUPPORTED)
        tqfuzz::bug("tq_decoder_create refuses a header the parsers accept:", tq_last_error_message());
    if (dec) check_decoder(dec, info);
    tq_decoder_destroy(dec);
    return 0;
}
