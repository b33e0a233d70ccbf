#include "families/fractal/fractal.hpp"

#include "families/fractal/decoder.hpp"
#include "families/fractal/encoder.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {
namespace {

std::unique_ptr<FamilyEncoder> create_encoder(const EncoderSetup& setup) { return make_encoder(setup); }

std::unique_ptr<FamilyDecoder> create_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(info, params);
}

}  // namespace

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_FRACTAL, "fractal", "range/domain affine self-similarity, IFS decoding",
                            option_schema(), &create_encoder, &create_decoder};
}

}  // namespace tq::fractal
