"""The training loop every neural family uses: data, schedule, checkpoints, validation, CPU or CUDA.

A family's script (train_stftae.py, train_rvq.py) supplies a Recipe:
  recipe.model                      the nn.Module being trained
  recipe.segment_samples            training example length (samples)
  recipe.val_samples                validation example length
  recipe.losses(audio, rng) -> dict name -> per-example [B] tensors; the loss is their weighted
                                    sum (recipe.weights), averaged over the batch
  recipe.validate(audio) -> dict    setting -> {metric: float}, in eval mode, no gradient
  recipe.score(results) -> float    lower is better: OUT/best.pt keeps the best
  recipe.load_exported(path)        --init: start from a shipped model's weights

    /usr/bin/python3 tools/train/train_<family>.py --data build-train/pcm24k --out build-train/<family> \
        --minutes 90 [--threads 2] [--device cpu|cuda] [--batch N] [--lr X] [--init MODEL]

Resumable: OUT/checkpoint.pt holds model, optimiser, step, elapsed time and the RNG state; rerunning
the same command goes on where it stopped until --minutes of training in total. The learning rate
follows a cosine over those minutes, so a run's length is part of its recipe.
"""
import argparse
import math
import pathlib
import time

import numpy as np
import torch

import dataset


class Corpus:
    """The int16 files of one split, one array per group, sampled by length."""

    def __init__(self, data_dir, split, min_samples, sample_rate):
        self.sample_rate = sample_rate
        self.audio = {}
        for group, file_split, samples, source in dataset.manifest(data_dir):
            if file_split == split and samples >= min_samples and dataset.has_pcm(data_dir, group, source):
                self.audio.setdefault(group, []).append(dataset.read_pcm(data_dir, group, source))
        self.names = sorted(self.audio)

    def hours(self):
        return {g: sum(len(a) for a in arrays) / self.sample_rate / 3600 for g, arrays in self.audio.items()}

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


def lr_at(elapsed, total, peak, warmup=60.0):
    if elapsed < warmup:
        return peak * max(elapsed, 1.0) / warmup
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(elapsed / total, 1.0))))


def arguments(description, out, batch, lr):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path(out))
    ap.add_argument("--minutes", type=float, default=90)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu, cuda, or auto (cuda when there is one)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--init", type=pathlib.Path, default=None,
                    help="start from the weights of an exported model (.safetensors) instead of random ones")
    ap.add_argument("--clip", type=float, default=1.0, help="gradient-norm clipping")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--val-examples", type=int, default=48)
    ap.add_argument("--wall-minutes", type=float, default=None,
                    help="also stop (saving and validating as at the end) after this much wall-clock time "
                         "in this run: a borrowed machine's call has a hard limit")
    return ap


def device_for(name):
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    return torch.device(name)


def print_results(prefix, results):
    for setting, metrics in results.items():
        print("%s %s  %s" % (prefix, setting, "  ".join("%s %.4f" % kv for kv in metrics.items())), flush=True)


def train(recipe_factory, args):
    """recipe_factory(device) -> Recipe. Runs until args.minutes of training have been done."""
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    device = device_for(args.device)
    torch.manual_seed(args.seed)
    recipe = recipe_factory(device)
    model = recipe.model

    train_set = Corpus(args.data, "train", recipe.segment_samples, recipe.sample_rate)
    val_set = Corpus(args.data, "val", recipe.val_samples, recipe.sample_rate)
    print("device", device, "train hours", {k: round(v, 3) for k, v in train_set.hours().items()},
          "val hours", {k: round(v, 3) for k, v in val_set.hours().items()}, flush=True)
    val_batch = val_set.batch(np.random.default_rng(1), args.val_examples, recipe.val_samples).to(device)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.8, 0.99), weight_decay=1e-5)
    rng = np.random.default_rng(args.seed)
    step, elapsed, best = 0, 0.0, float("inf")
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
        recipe.load_exported(args.init)
        print("initialised from", args.init, flush=True)
    print("parameters", sum(p.numel() for p in model.parameters()), flush=True)

    def save(path=ckpt_path):
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                    "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "best": best,
                    "device": str(device), "batch": args.batch}, path)

    def run_validation(prefix):
        nonlocal best
        model.eval()
        with torch.no_grad():
            results = recipe.validate(val_batch)
        model.train()
        print_results(prefix, results)
        score = recipe.score(results)
        if score < best:
            best = score
            save(args.out / "best.pt")

    total = args.minutes * 60
    running, last_save, started = {}, time.time(), time.time()
    wall_limit = args.wall_minutes * 60 if args.wall_minutes else float("inf")
    model.train()
    while elapsed < total and time.time() - started < wall_limit:
        t0 = time.time()
        for group in opt.param_groups:
            group["lr"] = lr_at(elapsed, total, args.lr)
        audio = train_set.batch(rng, args.batch, recipe.segment_samples).to(device, non_blocking=True)
        parts = recipe.losses(audio, rng)
        loss = sum(recipe.weights[k] * v.mean() for k, v in parts.items() if k in recipe.weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step += 1
        if device.type == "cuda" and step % args.log_every == 0:
            torch.cuda.synchronize()
        elapsed += time.time() - t0
        for k, v in parts.items():
            running[k] = running.get(k, 0.0) + float(v.detach().mean())
        if step % args.log_every == 0:
            print("step %d  %.2f min  lr %.2e  " % (step, elapsed / 60, opt.param_groups[0]["lr"]) +
                  "  ".join("%s %.4f" % (k, v / args.log_every) for k, v in running.items()), flush=True)
            running = {}
        if step % args.val_every == 0:
            run_validation("  val")
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    save()
    run_validation("final val")
    print("done: %d steps, %.2f min on %s" % (step, elapsed / 60, device), flush=True)
