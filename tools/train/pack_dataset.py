#!/usr/bin/env python3
"""Carries a subset of the training set to a borrowed GPU machine, losslessly, in fixed-size chunks.

    /usr/bin/python3 tools/train/pack_dataset.py pack --data build-train/pcm24k --out build-gpu \
        --chunks 2 --chunk-mib 28
    python3 tools/train/pack_dataset.py unpack build-gpu/chunk0 build-gpu/chunk1 --data /tmp/pcm24k

A GPU machine receives at most 64 MiB per call (DESIGN.md §6c) and has no audio decoder, so each
file travels as a fixed second-order prediction residual (x[n] - 2x[n-1] + x[n-2], or the first
difference where that is smaller), split into low and high byte planes and xz-compressed: about
0.6 of raw int16, bit-exact after unpacking (μ-law or other lossy packing poisoned a model: §6c).
The subset: whole training files in a fixed pseudo-random order (by the SHA-256 of their source
path), each group filled to its share of the budget; validation files up to VAL_SECONDS per group
go in chunk 0. Every chunk holds the full MANIFEST.tsv; unpack writes the files it has, and the
trainer uses the files that exist.
"""
import argparse
import hashlib
import lzma
import pathlib
import shutil

import numpy as np

import dataset

SHARES = {"speech": 0.35, "music": 0.40, "other": 0.25}
VAL_SECONDS = 240
ESTIMATED_RATIO = 0.65       # packed / raw bytes, to skip files that would not fit before packing them
SAMPLE_RATE = 24000


def residual(x, order):
    y = x.astype(np.int32)
    for _ in range(order):
        y = np.diff(y, prepend=0)  # the first sample is kept as it is
    return y


def restore(r, order):
    y = r.astype(np.int64)
    for _ in range(order):
        y = np.cumsum(y)
    return y.astype(np.int16)


def encode(x):
    best = None
    for order in (1, 2):
        r = residual(x, order)
        if np.abs(r).max() > 32767:  # must fit the two byte planes
            continue
        planes = r.astype("<i2").view(np.uint8).reshape(-1, 2).T.tobytes()
        packed = bytes([order]) + lzma.compress(planes, preset=6)
        if best is None or len(packed) < len(best):
            best = packed
    if best is None:
        best = bytes([0]) + lzma.compress(x.astype("<i2").tobytes(), preset=6)
    return best


def decode(blob):
    order, data = blob[0], lzma.decompress(blob[1:])
    if order == 0:
        return np.frombuffer(data, dtype="<i2")
    n = len(data) // 2
    planes = np.frombuffer(data, dtype=np.uint8).reshape(2, n)
    r = np.ascontiguousarray(planes.T).view("<i2").reshape(-1)
    return restore(r, order)


def order_key(source):
    return hashlib.sha256(("pack:" + source).encode()).hexdigest()


def pack(args):
    rows = dataset.manifest(args.data)
    groups = sorted({r[0] for r in rows})
    shares = {g: SHARES.get(g, 0.2) for g in groups}
    total_share = sum(shares.values())
    budget = args.chunks * args.chunk_mib * 2 ** 20
    chosen = []  # (group, source, blob)
    for group in groups:
        val = sorted((r for r in rows if r[0] == group and r[1] == "val"), key=lambda r: order_key(r[3]))
        seconds = 0.0
        for r in val:
            if seconds >= VAL_SECONDS:
                break
            chosen.append((group, r[3], encode(dataset.read_pcm(args.data, group, r[3])), "val"))
            seconds += r[2] / SAMPLE_RATE
    remaining = budget - sum(len(c[2]) for c in chosen)
    hours = {}
    available = {g: sum(r[2] for r in rows if r[0] == g and r[1] == "train") for g in groups}
    for i, group in enumerate(sorted(groups, key=lambda g: available[g])):  # a group's unused share goes on
        later = sorted(groups, key=lambda g: available[g])[i:]
        allowance = remaining * shares[group] / sum(shares[g] for g in later)
        spent = 0
        for r in sorted((r for r in rows if r[0] == group and r[1] == "train"), key=lambda r: order_key(r[3])):
            if spent + r[2] * 2 * ESTIMATED_RATIO > allowance:
                continue
            blob = encode(dataset.read_pcm(args.data, group, r[3]))
            chosen.append((group, r[3], blob, "train"))
            spent += len(blob)
            hours[group] = hours.get(group, 0.0) + r[2] / SAMPLE_RATE / 3600
        remaining -= spent
    raw = sum(dataset.pcm_path(args.data, g, s).stat().st_size for g, s, _, _ in chosen)
    packed = sum(len(b) for _, _, b, _ in chosen)
    # chunk 0 first takes the validation files, then every chunk fills to chunk_mib
    chunks = [[] for _ in range(args.chunks)]
    sizes = [0] * args.chunks
    for item in sorted(chosen, key=lambda c: (c[3] != "val", -len(c[2]))):
        i = 0 if item[3] == "val" else int(np.argmin(sizes))
        chunks[i].append(item)
        sizes[i] += len(item[2])
    for i, items in enumerate(chunks):
        out = args.out / ("chunk%d" % i)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        shutil.copy(args.data / "MANIFEST.tsv", out / "MANIFEST.tsv")
        for group, source, blob, _ in items:
            path = dataset.pcm_path(out, group, source).with_suffix(".pack")
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(blob)
    print("packed %.3f h of training audio %s + validation, %.1f MiB raw -> %.1f MiB (%.3f), chunks %s MiB"
          % (sum(hours.values()), {g: round(h, 3) for g, h in hours.items()}, raw / 2 ** 20, packed / 2 ** 20,
             packed / raw, [round(s / 2 ** 20, 1) for s in sizes]))


def unpack(args):
    args.data.mkdir(parents=True, exist_ok=True)
    files = 0
    for chunk in args.chunks:
        shutil.copy(chunk / "MANIFEST.tsv", args.data / "MANIFEST.tsv")
        for path in sorted(chunk.glob("*/*.pack")):
            dest = args.data / path.parent.name / path.with_suffix(".s16").name
            dest.parent.mkdir(exist_ok=True)
            decode(path.read_bytes()).astype("<i2").tofile(dest)
            files += 1
    print("unpacked %d files into %s" % (files, args.data))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build-gpu"))
    p.add_argument("--chunks", type=int, default=2)
    p.add_argument("--chunk-mib", type=float, default=28)
    u = sub.add_parser("unpack")
    u.add_argument("chunks", type=pathlib.Path, nargs="+")
    u.add_argument("--data", type=pathlib.Path, required=True)
    args = ap.parse_args()
    pack(args) if args.command == "pack" else unpack(args)


if __name__ == "__main__":
    main()
