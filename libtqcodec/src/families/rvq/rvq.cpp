#include "families/rvq/rvq.hpp"

#include "families/rvq/decoder.hpp"
#include "families/rvq/encoder.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_RVQ, "rvq", "convolutional encoder/decoder with residual vector quantization",
                            option_schema(), sample_rates(), &make_encoder, &make_decoder};
}

}  // namespace tq::rvq
