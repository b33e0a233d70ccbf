#!/usr/bin/env python3
"""Prints a trained model's validation figures on the whole held-out split, as the trainer computes
them (the trainer itself validates on the files it has, which on a GPU machine is a subset).

    /usr/bin/python3 tools/train/validate.py stftae build-train/stftae/checkpoint.pt --data build-train/pcm24k
"""
import argparse
import importlib
import pathlib

import numpy as np
import torch

import trainer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("family", choices=("stftae", "rvq"))
    ap.add_argument("checkpoint", type=pathlib.Path)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    ap.add_argument("--examples", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    recipe = importlib.import_module("train_" + args.family).Recipe(torch.device("cpu"))
    recipe.model.load_state_dict(torch.load(args.checkpoint, map_location="cpu")["model"])
    recipe.model.eval()
    val = trainer.Corpus(args.data, "val", recipe.val_samples, recipe.sample_rate)
    print("val hours", {k: round(v, 3) for k, v in val.hours().items()}, "examples", args.examples)
    audio = val.batch(np.random.default_rng(1), args.examples, recipe.val_samples)
    with torch.no_grad():
        trainer.print_results("val", recipe.validate(audio))


if __name__ == "__main__":
    main()
