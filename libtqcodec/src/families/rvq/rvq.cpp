#include "families/rvq/rvq.hpp"

#include "families/rvq/decoder.hpp"
#include "families/rvq/encoder.hpp"
#include "families/rvq/model.hpp"
#include "families/rvq/params.hpp"

namespace tq::rvq {

// A build without the model file (and no TQCODEC_RVQ_MODEL) lists the family as unavailable.
FamilyDescriptor descriptor() {
    if (!model_available())
        return FamilyDescriptor{TQ_FAMILY_RVQ, "rvq",
                                "convolutional encoder/decoder with residual vector quantization (no model in this "
                                "build: libtqcodec/models/rvq-24k.safetensors, or TQCODEC_RVQ_MODEL)",
                                option_schema(), sample_rates(), nullptr, nullptr};
    return FamilyDescriptor{TQ_FAMILY_RVQ, "rvq", "convolutional encoder/decoder with residual vector quantization",
                            option_schema(), sample_rates(), &make_encoder, &make_decoder};
}

}  // namespace tq::rvq
