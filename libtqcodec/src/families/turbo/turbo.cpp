#include "families/turbo/turbo.hpp"

#include "families/turbo/decoder.hpp"
#include "families/turbo/encoder.hpp"
#include "families/turbo/params.hpp"

namespace tq::turbo {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_TURBO, "turbo",
                            "random sign flips + Walsh-Hadamard rotation, log-scaled blocks, exact Gaussian "
                            "Lloyd-Max codes (after TurboQuant)",
                            option_schema(), {}, &make_encoder, &make_decoder};
}

}  // namespace tq::turbo
