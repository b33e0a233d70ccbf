// The gauss family: the log-magnitude STFT of 24 kHz audio as a smooth floor
// plus a sum of anisotropic 2-D Gaussians fitted by Adam (fit.hpp), quantized
// and range coded (bitstream.hpp); the decoder renders the magnitude and
// reconstructs the phase by PGHI (dsp/pghi.hpp).
#pragma once

#include "families/family.hpp"

namespace tq::gauss {

FamilyDescriptor descriptor();

}  // namespace tq::gauss
