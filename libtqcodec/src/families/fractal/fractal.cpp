#include "families/fractal/fractal.hpp"

#include "families/fractal/decoder.hpp"
#include "families/fractal/encoder.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_FRACTAL, "fractal", "range/domain affine self-similarity, IFS decoding",
                            option_schema(), {}, &make_encoder, &make_decoder};
}

}  // namespace tq::fractal
