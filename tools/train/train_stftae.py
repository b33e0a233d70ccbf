#!/usr/bin/env python3
"""Trains the stftae model (stftae_model.py) on the set tools/train/make_dataset.sh builds.

    /usr/bin/python3 tools/train/train_stftae.py --data build-train/pcm24k --out build-train/stftae \
        --minutes 90 [--threads 2] [--device cpu|cuda]

Resumable: the checkpoint (OUT/checkpoint.pt) holds model, optimiser, step, elapsed time and the RNG
state; rerunning the same command goes on where it stopped until --minutes of training in total.
The learning rate follows a cosine over those minutes, so a run's length is part of its recipe.
Every --log-every steps it prints the training losses; every --val-every steps the validation
losses (fixed segments of the held-out files, real rounding at three quantizer steps).
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x.
"""
import argparse
import math
import pathlib
import time

import numpy as np
import torch

import dataset
import stftae_model as M
from safetensors_io import read_safetensors

SEGMENT_HOPS = 64            # reconstructed hops per training example (0.64 s)
STEP_RANGE = (-5.0, 1.5)     # log2 of the quantizer step (in latent-scale units) drawn per example
VAL_STEPS = (0.125, 0.5, 2.0)
LOSS_WEIGHTS = {"mel": 1.0, "stft": 1.0, "wave": 1.0}


class Corpus:
    """The int16 files of one split, one array per group, sampled by length."""

    def __init__(self, data_dir, split):
        self.audio = {}
        for group, file_split, samples, source in dataset.manifest(data_dir):
            if file_split == split and samples >= M.segment_samples(SEGMENT_HOPS):
                self.audio.setdefault(group, []).append(dataset.read_pcm(data_dir, group, source))
        self.names = sorted(self.audio)

    def hours(self):
        return {g: sum(len(a) for a in arrays) / M.SAMPLE_RATE / 3600 for g, arrays in self.audio.items()}

    def segment(self, rng, length):
        """A random segment, groups equally likely, files by length, skipping near-silence;
        level drawn between -35 and -12 dBFS RMS."""
        group = self.names[rng.integers(len(self.names))]
        arrays = self.audio[group]
        weights = np.array([max(len(a) - length, 0) for a in arrays], dtype=np.float64)
        for _ in range(20):
            a = arrays[rng.choice(len(arrays), p=weights / weights.sum())]
            start = rng.integers(len(a) - length)
            x = a[start:start + length].astype(np.float32) / 32768.0
            rms = float(np.sqrt(np.mean(x * x)))
            if rms > 10 ** (-55 / 20):
                break
        target_db = rng.uniform(-35, -12)
        return x * (10 ** (target_db / 20) / max(rms, 1e-6))

    def batch(self, rng, size, length):
        return torch.from_numpy(np.stack([self.segment(rng, length) for _ in range(size)]))


def load_exported(model, path):
    """The inverse of export_stftae.export_model: stack.<i>.weight -> model.<stack>[i].weight."""
    tensors, _ = read_safetensors(path)
    state = {"latent_scale": tensors.pop("latent.scale")}
    state.update(tensors)
    missing = model.load_state_dict(state, strict=False)
    unexpected = [k for k in missing.missing_keys if k != "window"]
    if unexpected or missing.unexpected_keys:
        raise SystemExit("%s does not match the model: %s" % (path, missing))


def lr_at(elapsed, total, peak, warmup=60.0):
    if elapsed < warmup:
        return peak * max(elapsed, 1.0) / warmup
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(elapsed / total, 1.0))))


def validate(model, losses, val_batch, device):
    model.eval()
    results = {}
    with torch.no_grad():
        audio = val_batch.to(device)
        for step in VAL_STEPS:
            out, target = model(audio, torch.full((audio.shape[0],), step, device=device))
            parts = losses(out, target)
            snr = 10 * torch.log10(target.pow(2).sum() / (out - target).pow(2).sum())
            results[step] = {k: float(v) for k, v in parts.items()} | {"snr": float(snr)}
    model.train()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build-train/stftae"))
    ap.add_argument("--minutes", type=float, default=90)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--init", type=pathlib.Path, default=None,
                    help="start from the weights of an exported model (.safetensors) instead of random ones")
    ap.add_argument("--clip", type=float, default=5.0, help="gradient-norm clipping")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--val-every", type=int, default=500)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.device(args.device)

    train, val = Corpus(args.data, "train"), Corpus(args.data, "val")
    print("train hours", {k: round(v, 2) for k, v in train.hours().items()},
          "val hours", {k: round(v, 2) for k, v in val.hours().items()}, flush=True)
    length = M.segment_samples(SEGMENT_HOPS)
    val_batch = val.batch(np.random.default_rng(1), 48, M.segment_samples(192))

    torch.manual_seed(args.seed)
    model = M.StftAE().to(device)
    losses = M.SpectralLosses().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-5)
    rng = np.random.default_rng(args.seed)
    step, elapsed, best = 0, 0.0, float("inf")  # best: summed validation mel, kept in OUT/best.pt
    ckpt_path = args.out / "checkpoint.pt"
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        step, elapsed, best = ckpt["step"], ckpt["elapsed"], ckpt.get("best", float("inf"))
        rng.bit_generator.state = ckpt["rng"]
        torch.set_rng_state(ckpt["torch_rng"])
        print("resumed at step %d, %.1f min" % (step, elapsed / 60), flush=True)
    elif args.init:
        load_exported(model, args.init)
        print("initialised from", args.init, flush=True)
    print("parameters", sum(p.numel() for p in model.parameters()), flush=True)

    def save(path=ckpt_path):
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                    "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "best": best}, path)

    total = args.minutes * 60
    running, last_save = {}, time.time()
    while elapsed < total:
        t0 = time.time()
        for group in opt.param_groups:
            group["lr"] = lr_at(elapsed, total, args.lr)
        audio = train.batch(rng, args.batch, length).to(device)
        steps = torch.from_numpy(2.0 ** rng.uniform(*STEP_RANGE, size=args.batch)).float().to(device)
        out, target = model(audio, steps)
        parts = losses(out, target)
        loss = sum(LOSS_WEIGHTS[k] * v for k, v in parts.items())
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step += 1
        elapsed += time.time() - t0
        for k, v in parts.items():
            running[k] = running.get(k, 0.0) + float(v)
        if step % args.log_every == 0:
            print("step %d  %.1f min  lr %.2e  " % (step, elapsed / 60, opt.param_groups[0]["lr"]) +
                  "  ".join("%s %.4f" % (k, v / args.log_every) for k, v in running.items()), flush=True)
            running = {}
        if step % args.val_every == 0:
            results = validate(model, losses, val_batch, device)
            for s, r in results.items():
                print("  val step=%.3g  mel %.4f  stft %.4f  snr %.2f dB" % (s, r["mel"], r["stft"], r["snr"]),
                      flush=True)
            score = sum(r["mel"] for r in results.values())
            if score < best:
                best = score
                save(args.out / "best.pt")
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    save()
    for s, r in validate(model, losses, val_batch, device).items():
        print("final val step=%.3g  mel %.4f  stft %.4f  snr %.2f dB" % (s, r["mel"], r["stft"], r["snr"]),
              flush=True)
    print("done: %d steps, %.1f min" % (step, elapsed / 60), flush=True)


if __name__ == "__main__":
    main()
