#!/usr/bin/env python3
"""Trains the stftae model (stftae_model.py) on the set tools/train/make_dataset.sh builds.

    /usr/bin/python3 tools/train/train_stftae.py --data build-train/pcm24k --out build-train/stftae \
        --minutes 90 [--threads 2] [--device cpu|cuda|auto] [--batch 12] [--lr 1e-3]

The loop, resuming and the schedule are trainer.py's. Each example draws its quantizer step
(log2 uniform in STEP_RANGE, in units of the latent RMS); half the batch sees uniform noise, half
real rounding. Loss = multi-scale log-mel L1 + multi-resolution log-STFT + the compressed complex
STFT distance weighted by how fine the example's step is (fine steps must buy waveform fidelity,
coarse ones spend everything on the spectral envelope). Validation: real rounding at VAL_STEPS.
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x.
"""
import torch

import spectral
import stftae_model as M
import trainer
from safetensors_io import read_safetensors

SEGMENT_HOPS = 64            # reconstructed hops per training example (0.64 s)
STEP_RANGE = (-6.0, 1.5)     # log2 of the quantizer step drawn per example
VAL_STEPS = (0.03125, 0.125, 0.5, 2.0)


def fineness(step):
    """1 for steps of 2^-5 and finer, 0 for 2^-1 and coarser, linear in log2 between."""
    return ((-torch.log2(step) - 1.0) / 4.0).clamp(0.0, 1.0)


class Recipe:
    sample_rate = M.SAMPLE_RATE
    segment_samples = M.segment_samples(SEGMENT_HOPS)
    val_samples = M.segment_samples(192)
    weights = {"mel": 1.0, "stft": 1.0, "complex_fine": 1.0}

    def __init__(self, device):
        self.device = device
        self.model = M.StftAE().to(device)
        self.spectral = spectral.SpectralLosses(M.SAMPLE_RATE).to(device)

    def losses(self, audio, rng):
        step = torch.from_numpy(2.0 ** rng.uniform(*STEP_RANGE, size=audio.shape[0])).float().to(self.device)
        out, target = self.model(audio, step)
        parts = self.spectral(out, target)
        parts["complex_fine"] = parts["complex"] * fineness(step)
        return parts

    def validate(self, audio):
        results = {}
        for step in VAL_STEPS:
            out, target = self.model(audio, torch.full((audio.shape[0],), step, device=audio.device))
            parts = {k: float(v.mean()) for k, v in self.spectral(out, target).items()}
            results["step=%g" % step] = parts | {"snr": float(spectral.snr_db(out, target))}
        return results

    @staticmethod
    def score(results):
        return sum(r["mel"] for r in results.values()) + results["step=%g" % VAL_STEPS[0]]["complex"]

    def load_exported(self, path):
        """The inverse of export_stftae.export_model: stack.<i>.weight -> model.<stack>[i].weight."""
        tensors, _ = read_safetensors(path)
        state = {"latent_scale": tensors.pop("latent.scale")}
        state.update(tensors)
        missing = self.model.load_state_dict(state, strict=False)
        unexpected = [k for k in missing.missing_keys if k != "window"]
        if unexpected or missing.unexpected_keys:
            raise SystemExit("%s does not match the model: %s" % (path, missing))


def main():
    args = trainer.arguments(__doc__, "build-train/stftae", batch=12, lr=1e-3).parse_args()
    trainer.train(Recipe, args)


if __name__ == "__main__":
    main()
