#include "families/gauss/gauss.hpp"

#include "families/gauss/decoder.hpp"
#include "families/gauss/encoder.hpp"
#include "families/gauss/params.hpp"

namespace tq::gauss {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_GAUSS, "gauss", "sum of 2-D Gaussians on the time-frequency plane",
                            option_schema(), sample_rates(), &make_encoder, &make_decoder};
}

}  // namespace tq::gauss
