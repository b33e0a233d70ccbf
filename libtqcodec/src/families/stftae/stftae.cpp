#include "families/stftae/stftae.hpp"

#include "families/stftae/decoder.hpp"
#include "families/stftae/encoder.hpp"
#include "families/stftae/params.hpp"

namespace tq::stftae {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_STFTAE, "stftae", "convolutional autoencoder on the STFT", option_schema(),
                            sample_rates(), &make_encoder, &make_decoder};
}

}  // namespace tq::stftae
