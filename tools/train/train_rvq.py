#!/usr/bin/env python3
"""Trains the rvq model (rvq_model.py) on the set tools/train/make_dataset.sh builds.

    /usr/bin/python3 tools/train/train_rvq.py --data build-train/pcm24k --out build-train/rvq \
        --minutes 90 [--threads 2] [--device cpu|cuda|auto] [--batch 8] [--lr 1e-3]

The loop, resuming and the schedule are trainer.py's. Quantizer dropout: each example decodes
from its first K codebooks, K uniform in 1..NUM_CODEBOOKS for DROPOUT of the batch and all of
them for the rest, so one model serves every bitrate. Loss = multi-scale log-mel L1 +
multi-resolution log-STFT + compressed complex STFT + commitment; codebooks follow EMA updates
(rvq_model.Codebook), never the gradient. Validation: K = 2, 4, 8, 16 (1.5, 3, 6, 12 kbit/s
before entropy coding), with each codebook's index entropy.
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x.
"""
import torch

import rvq_model as M
import spectral
import trainer
from safetensors_io import read_safetensors

SEGMENT_FRAMES = 96          # 1.28 s
WARMUP_HOPS = 8              # first output hops, decoded with zero history, left out of the loss
DROPOUT = 0.6
VAL_CODEBOOKS = (2, 4, 8, 16)


def index_entropy_bits(indices):
    """indices [B, N, T] -> mean over codebooks of the entropy (bits) of their index histograms."""
    bits = []
    for i in range(indices.shape[1]):
        counts = torch.bincount(indices[:, i].flatten(), minlength=M.CODEBOOK_SIZE).float()
        p = counts[counts > 0] / counts.sum()
        bits.append(float(-(p * torch.log2(p)).sum()))
    return sum(bits) / len(bits)


class Recipe:
    sample_rate = M.SAMPLE_RATE
    segment_samples = SEGMENT_FRAMES * M.HOP
    val_samples = 3 * SEGMENT_FRAMES * M.HOP
    weights = {"mel": 1.0, "stft": 1.0, "complex": 0.5, "commitment": 0.25}

    def __init__(self, device):
        self.device = device
        self.model = M.RvqCodec().to(device)
        self.spectral = spectral.SpectralLosses(M.SAMPLE_RATE).to(device)

    def run(self, audio, n_codebooks):
        out, target, commitment, reseeded = self.model(audio, n_codebooks)
        start = WARMUP_HOPS * M.HOP
        return out[:, start:], target[:, start:], commitment, reseeded

    def losses(self, audio, rng):
        b = audio.shape[0]
        k = rng.integers(1, M.NUM_CODEBOOKS + 1, size=b)
        k[rng.uniform(size=b) >= DROPOUT] = M.NUM_CODEBOOKS
        out, target, commitment, reseeded = self.run(audio, torch.from_numpy(k).to(self.device))
        parts = self.spectral(out, target)
        parts["commitment"] = commitment
        parts["reseeded"] = torch.full((1,), float(reseeded))
        return parts

    def validate(self, audio):
        results = {}
        for k in VAL_CODEBOOKS:
            n = torch.full((audio.shape[0],), k, device=audio.device)
            out, target, _, _ = self.run(audio, n)
            parts = {name: float(v.mean()) for name, v in self.spectral(out, target).items()}
            results["K=%d" % k] = parts | {"snr": float(spectral.snr_db(out, target))}
        _, indices, _, _ = self.model.quantize(self.model.encode(audio), torch.full((audio.shape[0],),
                                                                                   M.NUM_CODEBOOKS, device=audio.device))
        results["K=%d" % VAL_CODEBOOKS[-1]]["index_bits"] = index_entropy_bits(indices)
        return results

    @staticmethod
    def score(results):
        return sum(r["mel"] for r in results.values())

    def load_exported(self, path):
        import export_rvq
        export_rvq.load_model(self.model, read_safetensors(path)[0])


def main():
    args = trainer.arguments(__doc__, "build-train/rvq", batch=8, lr=1e-3).parse_args()
    trainer.train(Recipe, args)


if __name__ == "__main__":
    main()
