#!/usr/bin/env python3
"""Exports a trained rvq checkpoint for the C++ family, with its entropy tables and golden vectors.

    /usr/bin/python3 tools/train/export_rvq.py --checkpoint build-train/rvq/best.pt \
        --data build-train/pcm24k [--model libtqcodec/models/rvq-24k.safetensors] \
        [--golden tests/data/rvq/golden.safetensors] [--device cpu|cuda|auto]

Writes
  * the model: the layer stacks `encoder` and `decoder` as builder.hpp reads them; per codebook i
    `rvq.<i>.project_in.{weight,bias}`, `rvq.<i>.codewords` [CODEBOOK_SIZE, CODE_DIM],
    `rvq.<i>.project_out.{weight,bias}`; `rvq.frequencies` [NUM_CODEBOOKS, CODEBOOK_SIZE]: integer
    counts summing to 2^16 per codebook, each >= 1, measured on training audio (the range coder's
    static tables: the decoder never computes a probability in float); framing constants rvq.*
    and provenance training.*;
  * golden vectors (float64 PyTorch) on held-out audio: audio -> latents -> indices of every
    codebook -> quantized latents for K = 4 and all -> decoded audio for both.
"""
import argparse
import hashlib
import pathlib

import numpy as np
import torch

import rvq_model as M
import trainer
from safetensors_io import describe_sequential, write_safetensors

FREQUENCY_TOTAL = 1 << 16
TABLE_SECONDS = 1200         # training audio the frequency tables are counted on
GOLDEN_FRAMES = 48


def encoder_lookahead():
    """Samples past a latent frame's own HOP samples that can change it (the encoder's right
    receptive field), found by perturbing an untrained encoder's input."""
    torch.manual_seed(0)
    encoder = M.build_encoder().double()
    frames = 64
    x = torch.zeros(1, 1, frames * M.HOP, dtype=torch.float64, requires_grad=True)
    t = frames // 4
    encoder(x)[0, :, t].sum().backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    return int(touched.max()) + 1 - (t + 1) * M.HOP


def framing_metadata():
    return {"rvq.version": str(M.VERSION), "rvq.sample_rate": str(M.SAMPLE_RATE), "rvq.hop": str(M.HOP),
            "rvq.n_fft": str(M.N_FFT), "rvq.latent_channels": str(M.LATENT),
            "rvq.num_codebooks": str(M.NUM_CODEBOOKS), "rvq.codebook_size": str(M.CODEBOOK_SIZE),
            "rvq.code_dim": str(M.CODE_DIM), "rvq.decoder_context": str(M.decoder_context()),
            "rvq.encoder_lookahead": str(encoder_lookahead()), "rvq.frequency_total": str(FREQUENCY_TOTAL),
            "rvq.max_log_magnitude": repr(M.MAX_LOG_MAGNITUDE), "rvq.ola_gain": repr(M.OLA_GAIN)}


def integer_frequencies(counts):
    """counts [CODEBOOK_SIZE] -> integers >= 1 summing to FREQUENCY_TOTAL, proportional to counts."""
    counts = np.asarray(counts, dtype=np.float64)
    spare = FREQUENCY_TOTAL - len(counts)
    share = counts / max(counts.sum(), 1.0) * spare
    freq = 1 + np.floor(share).astype(np.int64)
    remainder = FREQUENCY_TOTAL - int(freq.sum())
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    freq[order[:remainder]] += 1
    assert freq.sum() == FREQUENCY_TOTAL and freq.min() >= 1
    return freq


def count_indices(model, corpus, device, seconds, seed=3):
    """Index histograms [NUM_CODEBOOKS, CODEBOOK_SIZE] over `seconds` of random training segments."""
    rng = np.random.default_rng(seed)
    counts = torch.zeros(M.NUM_CODEBOOKS, M.CODEBOOK_SIZE, dtype=torch.float64)
    segment = 4 * M.SAMPLE_RATE // M.HOP * M.HOP
    batches = max(1, int(seconds * M.SAMPLE_RATE / segment / 16))
    with torch.no_grad():
        for _ in range(batches):
            audio = corpus.batch(rng, 16, segment).to(device)
            n = torch.full((audio.shape[0],), M.NUM_CODEBOOKS, device=device)
            _, indices, _, _ = model.quantize(model.encode(audio), n)
            for i in range(M.NUM_CODEBOOKS):
                counts[i] += torch.bincount(indices[:, i].flatten(), minlength=M.CODEBOOK_SIZE).double().cpu()
    return counts


def export_model(model, frequencies, path, provenance):
    tensors, metadata = {}, framing_metadata()
    describe_sequential("encoder", model.encoder, tensors, metadata)
    describe_sequential("decoder", model.decoder, tensors, metadata)
    for i, codebook in enumerate(model.codebooks):
        p = "rvq.%d." % i
        tensors[p + "project_in.weight"] = codebook.project_in.weight
        tensors[p + "project_in.bias"] = codebook.project_in.bias
        tensors[p + "codewords"] = codebook.codewords
        tensors[p + "project_out.weight"] = codebook.project_out.weight
        tensors[p + "project_out.bias"] = codebook.project_out.bias
    tensors["rvq.frequencies"] = torch.tensor(np.stack([integer_frequencies(c) for c in frequencies]),
                                              dtype=torch.float32)
    metadata.update({"training." + k: str(v) for k, v in provenance.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_safetensors(path, {k: v.detach().cpu() for k, v in tensors.items()}, metadata)


def load_model(model, tensors):
    """The inverse of export_model (for --init): exported tensors -> model weights."""
    state = {}
    for name, value in tensors.items():
        if name.startswith("rvq.") and name != "rvq.frequencies":
            _, i, rest = name.split(".", 2)
            state["codebooks.%s.%s" % (i, rest)] = value
        elif name.startswith(("encoder.", "decoder.")):
            state[name] = value
    for codebook in model.codebooks:
        codebook.initialised.fill_(True)
    result = model.load_state_dict(state, strict=False)
    unexpected = [k for k in result.missing_keys
                  if not k.endswith(("usage", "codeword_sum", "initialised", "window"))]
    if unexpected or result.unexpected_keys:
        raise SystemExit("exported model does not match: %s" % (result,))
    for codebook in model.codebooks:  # EMA state consistent with the loaded codewords
        codebook.usage.fill_(1.0)
        codebook.codeword_sum.copy_(codebook.codewords)


def export_golden(model, model_sha256, audio, path):
    m = M.RvqCodec().double()
    m.load_state_dict(model.state_dict())
    m.eval()
    with torch.no_grad():
        x = torch.from_numpy(audio.astype(np.float64))[None]
        latents = m.encode(x)
        all_k = torch.full((1,), M.NUM_CODEBOOKS)
        quantized, indices, _, _ = m.quantize(latents, all_k)
        quantized4, _, _, _ = m.quantize(latents, torch.full((1,), 4))
        tensors = {"audio": x[0], "latents": latents[0], "indices": indices[0].double(),
                   "quantized": quantized[0], "quantized_k4": quantized4[0],
                   "decoded": m.decode(quantized)[0], "decoded_k4": m.decode(quantized4)[0]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_safetensors(path, tensors, {"model_sha256": model_sha256})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", type=pathlib.Path, required=True)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("build-train/pcm24k"))
    ap.add_argument("--model", type=pathlib.Path, default=pathlib.Path("libtqcodec/models/rvq-24k.safetensors"))
    ap.add_argument("--golden", type=pathlib.Path, default=pathlib.Path("tests/data/rvq/golden.safetensors"))
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--table-seconds", type=float, default=TABLE_SECONDS)
    ap.add_argument("--note", action="append", default=[], help="key=value added to training.* metadata")
    args = ap.parse_args()

    device = trainer.device_for(args.device)
    model = M.RvqCodec().to(device)
    ckpt = torch.load(args.checkpoint, map_location=device)
    model.load_state_dict(ckpt["model"])
    model.eval()
    provenance = {"steps": ckpt["step"], "minutes": round(ckpt["elapsed"] / 60, 2),
                  "device": ckpt.get("device", "cpu"), "batch": ckpt.get("batch", "")}
    provenance.update(dict(n.split("=", 1) for n in args.note))
    corpus = trainer.Corpus(args.data, "train", 4 * M.SAMPLE_RATE, M.SAMPLE_RATE)
    counts = count_indices(model, corpus, device, args.table_seconds)
    bits = []
    for c in counts:
        p = c[c > 0] / c.sum()
        bits.append(float(-(p * torch.log2(p)).sum()))
    print("index entropy per codebook (bits of %d):" % int(np.log2(M.CODEBOOK_SIZE)),
          " ".join("%.2f" % b for b in bits))
    export_model(model.cpu(), counts.numpy(), args.model, provenance)
    model_sha256 = hashlib.sha256(args.model.read_bytes()).hexdigest()
    print("model %s: %d bytes, sha256 %s" % (args.model, args.model.stat().st_size, model_sha256))

    val = trainer.Corpus(args.data, "val", GOLDEN_FRAMES * M.HOP, M.SAMPLE_RATE)
    audio = val.segment(np.random.default_rng(5), GOLDEN_FRAMES * M.HOP)
    export_golden(model, model_sha256, audio, args.golden)
    print("golden %s" % args.golden)


if __name__ == "__main__":
    main()
