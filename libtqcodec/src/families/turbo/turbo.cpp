#include "families/turbo/turbo.hpp"

#include "families/turbo/decoder.hpp"
#include "families/turbo/encoder.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {
namespace {

std::unique_ptr<FamilyEncoder> create_encoder(const EncoderSetup& setup) { return make_encoder(setup); }

std::unique_ptr<FamilyDecoder> create_decoder(const StreamInfo& info, std::span<const uint8_t> params) {
    return make_decoder(info, params);
}

}  // namespace

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_TURBO, "turbo",
                            "random sign flips + Walsh-Hadamard rotation, log-scaled blocks, exact Gaussian "
                            "Lloyd-Max codes (after TurboQuant)",
                            option_schema(), &create_encoder, &create_decoder};
}

}  // namespace tq::turbo
