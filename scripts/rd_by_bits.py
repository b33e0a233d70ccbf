#!/usr/bin/env python3
"""Codes every clip at given bits per sample per channel of file size with
several settings through `tqc`, and prints per clip the bits/sample reached
and the SNR of each setting side by side (decoded in a separate process from
the file alone, measured with `tqc compare`).

usage: rd_by_bits.py [--bits 1,2,3,4] [--jobs N] [--results FILE] TQC OUTDIR LABEL=FAMILY[|OPTIONS] ... -- CLIP ...

A setting's bitrate is bits x sample rate x channels (`-b`); an OPTIONS value
containing {bits} gets the bits filled in and no `-b` is passed (turbo's time
mode: "turbo|bits={bits}"). Encode speed is clip seconds per CPU second of the
`tqc encode` process (file reading included); give threads=1 for a per-core figure.
--results FILE keeps one JSON line per coded clip; a run given the same file
codes only what is not in it yet.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def clip_info(binary, coded):
    return json.loads(subprocess.run([binary, "info", "--json", str(coded)], capture_output=True, text=True,
                                     check=True).stdout)


def measure(binary, outdir, clip, label, family, options, bits):
    stem = f"{clip.path.stem}.{label}.{bits}"
    coded, decoded = outdir / f"{stem}.tqc", outdir / f"{stem}.wav"
    flags = []
    if "{bits}" in options:
        flags += ["-O", options.replace("{bits}", str(bits))]
    else:
        if options:
            flags += ["-O", options]
        flags += ["-b", str(int(round(bits * clip.rate * clip.channels)))]
    proc = subprocess.Popen([binary, "encode", "-q", "-c", family, *flags, str(clip.path), str(coded)])
    _, status, usage = os.wait4(proc.pid, 0)  # the CPU time of this process alone
    if status != 0:
        sys.exit(f"rd_by_bits: encoding {clip.path} as {label} at {bits} failed")
    subprocess.run([binary, "decode", str(coded), str(decoded)], check=True, capture_output=True)
    info = clip_info(binary, coded)
    quality = json.loads(subprocess.run([binary, "compare", "--json", str(clip.path), str(decoded)],
                                        capture_output=True, text=True, check=True).stdout)
    samples = info["output_samples"] * info["channels"]
    seconds = info["output_samples"] / info["sample_rate"]
    decoded.unlink()
    return {
        "clip": clip.path.stem, "setting": label, "bits": bits,
        "bits_per_sample": info["file_bytes"] * 8 / samples,
        "snr": quality["snr_db"],
        "encode_xrt": seconds / max(usage.ru_utime + usage.ru_stime, 1e-9),
    }


class Clip:
    def __init__(self, binary, path):
        self.path = Path(path)
        itself = json.loads(subprocess.run([binary, "compare", "--json", str(self.path), str(self.path)],
                                           capture_output=True, text=True, check=True).stdout)
        self.rate, self.channels = itself["sample_rate"], itself["channels"]


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--bits", default="1,2,3,4")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--results", type=Path)
    parser.add_argument("tqc")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    split = args.rest.index("--")
    settings = []
    for s in args.rest[:split]:
        label, spec = s.split("=", 1)
        family, _, options = spec.partition("|")
        settings.append((label, family, options))
    args.outdir.mkdir(parents=True, exist_ok=True)
    clips = [Clip(args.tqc, c) for c in args.rest[split + 1:]]
    bits = [float(b) if "." in b else int(b) for b in args.bits.split(",")]
    done = []
    if args.results and args.results.exists():
        done = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    have = {(r["clip"], r["setting"], r["bits"]) for r in done}
    jobs = [(clip, label, family, options, b) for clip in clips for b in bits for label, family, options in settings
            if (clip.path.stem, label, b) not in have]
    lock = threading.Lock()

    def run(job):
        result = measure(args.tqc, args.outdir, *job)
        if args.results:
            with lock, args.results.open("a") as out:
                out.write(json.dumps(result) + "\n")
        return result

    with ThreadPoolExecutor(args.jobs) as pool:
        results = done + list(pool.map(run, jobs))
    labels = [s[0] for s in settings]
    print(f"{'clip':<24} {'bits':>4} " + " ".join(f"{l + ' b/s':>14} {'SNR':>6} {'xRT':>5}" for l in labels))
    for clip in clips:
        for b in bits:
            row = {r["setting"]: r for r in results if r["clip"] == clip.path.stem and r["bits"] == b}
            cells = " ".join(f"{row[l]['bits_per_sample']:>14.3f} {row[l]['snr']:>6.2f} {row[l]['encode_xrt']:>5.1f}"
                             for l in labels)
            print(f"{clip.path.stem:<24} {b:>4} {cells}")


if __name__ == "__main__":
    main()
