// The rvq family: a strided convolutional encoder on 24 kHz audio, 16 stages of
// residual vector quantization whose indices are range coded with the model's
// static tables, and a causal decoder with an inverse-STFT head
// (tools/train/rvq_model.py). Bitrate scalable after encoding: reduce.hpp.
#pragma once

#include "families/family.hpp"

namespace tq::rvq {

FamilyDescriptor descriptor();

}  // namespace tq::rvq
