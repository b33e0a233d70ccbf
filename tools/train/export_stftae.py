#!/usr/bin/env python3
"""Exports a trained stftae checkpoint for the C++ family, with golden vectors.

    /usr/bin/python3 tools/train/export_stftae.py --checkpoint build-train/stftae/checkpoint.pt \
        --data build-train/pcm24k [--model libtqcodec/models/stftae-24k.safetensors] \
        [--golden tests/data/stftae/golden.safetensors] [--clips tests/data/stftae]

Writes
  * the model: the three layer stacks (enc2d, enc1d, dec) as builder.hpp reads them, the tensor
    latent.scale, the framing constants under stftae.* and the training provenance under training.*;
  * golden vectors (float64 PyTorch, stored as float32) for every stage of the C++ pipeline on a
    held-out segment: audio -> features (the three planes stacked: [3 * BINS, frames]) -> latents ->
    spectrum (re, im) -> synthesized audio;
  * two 4-second 24 kHz 16-bit WAV clips (speech, music) cut from held-out (validation-split) files
    of the training packages, for the family's round-trip tests.
"""
import argparse
import hashlib
import pathlib
import wave

import numpy as np
import torch

import dataset
import stftae_model as M
from safetensors_io import describe_sequential, write_safetensors

CLIP_SECONDS = 4


def framing_metadata():
    return {"stftae.version": str(M.VERSION), "stftae.feature_planes": str(M.FEATURE_PLANES),
            "stftae.compression": repr(M.COMPRESSION), "stftae.sample_rate": str(M.SAMPLE_RATE), "stftae.n_fft": str(M.N_FFT), "stftae.hop": str(M.HOP),
            "stftae.latent_channels": str(M.LATENT), "stftae.enc2d_channels": str(M.ENC2D_CHANNELS),
            "stftae.enc2d_bins": str(M.enc2d_bins()), "stftae.encoder_context": str(M.ENCODER_CONTEXT),
            "stftae.decoder_context": str(M.DECODER_CONTEXT), "stftae.log_floor": repr(M.LOG_FLOOR),
            "stftae.max_log_magnitude": repr(M.MAX_LOG_MAGNITUDE), "stftae.ola_gain": repr(M.OLA_GAIN)}


def export_model(model, path, provenance):
    tensors, metadata = {}, framing_metadata()
    for name in ("enc2d", "enc1d", "dec"):
        describe_sequential(name, getattr(model, name), tensors, metadata)
    tensors["latent.scale"] = model.latent_scale
    metadata.update({"training." + k: str(v) for k, v in provenance.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_safetensors(path, tensors, metadata)


def held_out(data_dir, group, seconds, rng):
    """A lively stretch of a validation-split file of `group` (seeded choice)."""
    rows = [r for r in dataset.manifest(data_dir)
            if r[0] == group and r[1] == "val" and r[2] >= seconds * M.SAMPLE_RATE]
    rows.sort(key=lambda r: -r[2])
    source = rows[int(rng.integers(min(len(rows), 5)))][3]
    audio = dataset.read_pcm(data_dir, group, source)
    length = seconds * M.SAMPLE_RATE
    hop = M.SAMPLE_RATE // 4
    starts = range(0, len(audio) - length + 1, hop)
    best = max(starts, key=lambda s: float(np.mean(np.abs(audio[s:s + length].astype(np.float64)))))
    return audio[best:best + length], source


def write_wav(path, samples):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(M.SAMPLE_RATE)
        w.writeframes(samples.astype("<i2").tobytes())


def export_golden(model, model_sha256, audio_int16, path):
    """Every stage on `audio`, computed in float64."""
    m = M.StftAE().double()
    m.load_state_dict(model.state_dict())
    m.eval()
    with torch.no_grad():
        audio = torch.from_numpy(audio_int16.astype(np.float64) / 32768.0)[None]
        features = m.features(audio)
        latents = m.encode(features)
        spectrum = m.decode(latents)
        synth = m.synthesize(spectrum)
        silence = m.encode(m.features(torch.zeros(1, M.segment_samples(1), dtype=torch.float64)))[..., :1]
    tensors = {"audio": audio[0], "features": features[0].flatten(0, 1), "latents": latents[0],
               "spectrum_re": spectrum.real[0], "spectrum_im": spectrum.imag[0], "synth": synth[0],
               "silence_latent": silence[0, :, 0]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_safetensors(path, tensors, {"model_sha256": model_sha256})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=pathlib.Path, default=None,
                    help="omit only for an untrained model (development of the C++ side)")
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    ap.add_argument("--model", type=pathlib.Path, default=pathlib.Path("libtqcodec/models/stftae-24k.safetensors"))
    ap.add_argument("--golden", type=pathlib.Path, default=pathlib.Path("tests/data/stftae/golden.safetensors"))
    ap.add_argument("--clips", type=pathlib.Path, default=pathlib.Path("tests/data/stftae"))
    ap.add_argument("--note", action="append", default=[], help="key=value added to training.* metadata")
    args = ap.parse_args()

    torch.manual_seed(0)
    model = M.StftAE()
    provenance = {"note": "untrained"}
    if args.checkpoint:
        ckpt = torch.load(args.checkpoint, map_location="cpu")
        model.load_state_dict(ckpt["model"])
        provenance = {"steps": ckpt["step"], "minutes": round(ckpt["elapsed"] / 60, 2),
                      "device": ckpt.get("device", "cpu"), "batch": ckpt.get("batch", "")}
    provenance.update(dict(n.split("=", 1) for n in args.note))
    model.eval()
    export_model(model, args.model, provenance)
    model_sha256 = hashlib.sha256(args.model.read_bytes()).hexdigest()
    print("model %s: %d bytes, sha256 %s" % (args.model, args.model.stat().st_size, model_sha256))

    rng = np.random.default_rng(7)
    speech, speech_src = held_out(args.data, "speech", CLIP_SECONDS, rng)
    music, music_src = held_out(args.data, "music", CLIP_SECONDS, rng)
    args.clips.mkdir(parents=True, exist_ok=True)
    write_wav(args.clips / "speech_24k.wav", speech)
    write_wav(args.clips / "music_24k.wav", music)
    (args.clips / "SOURCES.txt").write_text(
        "Held-out (validation split) files of the stftae training set, never trained on\n"
        "(tools/train/make_dataset.sh; paths inside the Debian packages):\n"
        "speech_24k.wav  %s\nmusic_24k.wav   %s\n" % (speech_src, music_src))
    export_golden(model, model_sha256, speech[:M.segment_samples(24)], args.golden)
    print("golden %s, clips in %s" % (args.golden, args.clips))


if __name__ == "__main__":
    main()
