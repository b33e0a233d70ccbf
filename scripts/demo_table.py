#!/usr/bin/env python3
"""Encodes each clip with each setting through `tqc`, decodes it in a separate
process from the file alone, and prints size, bitrate and quality.

usage: demo_table.py TQC OUTDIR FAMILY|OPTIONS[|BITRATE] ... -- CLIP ...
"""
import json
import subprocess
import sys
from pathlib import Path


def tqc(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"demo: tqc {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def measure(binary, clip, family, options, bitrate, outdir):
    stem = f"{clip.stem}.{family}.{options.replace('=', '').replace(',', '_')}{bitrate}"
    coded, decoded = outdir / f"{stem}.tqc", outdir / f"{stem}.wav"
    flags = (["-O", options] if options else []) + (["-b", bitrate] if bitrate else [])
    tqc(binary, "encode", "-q", "-c", family, *flags, str(clip), str(coded))
    tqc(binary, "decode", str(coded), str(decoded))
    info = json.loads(tqc(binary, "info", "--json", str(coded)))
    quality = json.loads(tqc(binary, "compare", "--json", str(clip), str(decoded)))
    samples = info["output_samples"] * info["channels"]
    return {
        "clip": clip.name,
        "setting": " ".join(filter(None, [family, options, f"-b {bitrate}" if bitrate else ""])),
        "bytes": info["file_bytes"],
        "kbps": info["bitrate_bps"] / 1000,
        "bits_per_sample": info["file_bytes"] * 8 / samples,
        "vs_pcm16": samples * 2 / info["file_bytes"],
        "snr": quality["snr_db"],
        "si_sdr": quality["si_sdr_db"],
        "mel": quality["mel_distance"],
        "checksum": info["checksum"],
    }


def main(argv):
    binary, outdir = argv[0], Path(argv[1])
    split = argv.index("--")
    settings = [(s.split("|") + [""])[:3] for s in argv[2:split]]
    clips = [Path(c) for c in argv[split + 1:]]
    header = f"{'clip':<26} {'setting':<32} {'bytes':>8} {'kbit/s':>8} {'bits/smp':>8} {'x PCM16':>7} " \
             f"{'SNR dB':>7} {'SI-SDR':>7} {'mel':>6}  checksum"
    print(header)
    print("-" * len(header))
    for clip in clips:
        for family, options, bitrate in settings:
            r = measure(binary, clip, family, options, bitrate, outdir)
            print(f"{r['clip']:<26} {r['setting']:<32} {r['bytes']:>8} {r['kbps']:>8.1f} "
                  f"{r['bits_per_sample']:>8.2f} {r['vs_pcm16']:>7.2f} {r['snr']:>7.2f} "
                  f"{r['si_sdr']:>7.2f} {r['mel']:>6.3f}  {r['checksum']}")


if __name__ == "__main__":
    main(sys.argv[1:])
