// The stftae family: a convolutional autoencoder on the log-magnitude STFT
// of 24 kHz audio (tools/train/stftae_model.py); the latents are quantized
// with one step per packet and range coded, the decoder predicts magnitude
// and phase and overlap-adds the inverse STFT.
#pragma once

#include "families/family.hpp"

namespace tq::stftae {

FamilyDescriptor descriptor();

}  // namespace tq::stftae
