"""The rvq model: a strided Conv1d encoder over 24 kHz mono audio, residual vector quantization, and
a causal frame-rate decoder with an inverse-STFT head.

Framing (what libtqcodec/src/families/rvq does in C++, exactly):
  encoder: waveform [S] -> latents [LATENT, S / HOP] at 75 frames/s. Every conv is symmetric
           ("same") padded, strides 2·4·5·8 = HOP; latent frame t stands for samples
           t * HOP .. (t + 1) * HOP and sees ENCODER_LOOKAHEAD samples past them.
  quantizer: NUM_CODEBOOKS stages, each projects the residual to CODE_DIM values (1x1 conv),
           takes the nearest of CODEBOOK_SIZE codewords (squared distance), projects the codeword
           back (1x1 conv) and subtracts it from the residual. The first K stages' sum is the
           decoder's input for any K: coarse stages first, finer ones refine.
  decoder: causal (left-padded) convs at frame rate: quantized latent frames <= t -> STFT frame t
           of N_FFT = 4 * HOP (covering hops t-3 .. t), predicted as log-magnitude and an
           unnormalised (cos, sin) phase pair, then inverse FFT, Hann window, overlap-add / 1.5.
Training: EMA codebooks with k-means initialisation and dead-code reset, commitment loss,
quantizer dropout (a random K per example), so one model serves 1..NUM_CODEBOOKS codebooks.
Runs on PyTorch 1.13 (Debian) and 2.x.
"""
import torch
from torch import nn
import torch.nn.functional as F

import spectral
from spectral import CausalConv1d, Residual

VERSION = 1
SAMPLE_RATE = 24000
STRIDES = (2, 4, 5, 8)
HOP = 320                    # product of STRIDES
N_FFT = 4 * HOP
BINS = N_FFT // 2 + 1
ENC_CHANNELS = (16, 32, 64, 128, 256)  # before each stride, and after the last
LATENT = 256
NUM_CODEBOOKS = 16
CODEBOOK_SIZE = 1024
CODE_DIM = 8
DEC_CHANNELS = 256
DEC_DILATIONS = (1, 2, 4, 1, 2, 4)
MAX_LOG_MAGNITUDE = 8.0
OLA_GAIN = 1.5
EMA_DECAY = 0.99
DEAD_CODE_USAGE = 0.05       # EMA count of assignments per batch below which a codeword is re-seeded


def res_unit(channels, dilation):
    return Residual(nn.ELU(), nn.Conv1d(channels, channels, 3, dilation=dilation, padding=dilation),
                    nn.ELU(), nn.Conv1d(channels, channels, 1))


def build_encoder():
    layers = [nn.Conv1d(1, ENC_CHANNELS[0], 7, padding=3)]
    for i, stride in enumerate(STRIDES):
        c_in, c_out = ENC_CHANNELS[i], ENC_CHANNELS[i + 1]
        layers += [res_unit(c_in, 1), res_unit(c_in, 3), nn.ELU(),
                   nn.Conv1d(c_in, c_out, 2 * stride, stride=stride, padding=(stride + 1) // 2)]
    layers += [nn.ELU(), nn.Conv1d(ENC_CHANNELS[-1], LATENT, 3, padding=1)]
    return nn.Sequential(*layers)


def causal_res_unit(channels, dilation):
    return Residual(nn.ELU(), CausalConv1d(channels, channels, 3, dilation=dilation),
                    nn.ELU(), nn.Conv1d(channels, channels, 1))


def build_decoder():
    layers = [CausalConv1d(LATENT, DEC_CHANNELS, 7)]
    layers += [causal_res_unit(DEC_CHANNELS, d) for d in DEC_DILATIONS]
    layers += [nn.ELU(), nn.Conv1d(DEC_CHANNELS, 3 * BINS, 1)]
    return nn.Sequential(*layers)


def decoder_context():
    """Latent frames before t that decoder frame t depends on."""
    return 6 + sum(2 * d for d in DEC_DILATIONS)


class Codebook(nn.Module):
    """One RVQ stage: in-projection, EMA codebook, out-projection."""

    def __init__(self):
        super().__init__()
        self.project_in = nn.Conv1d(LATENT, CODE_DIM, 1)
        self.project_out = nn.Conv1d(CODE_DIM, LATENT, 1)
        self.register_buffer("codewords", torch.randn(CODEBOOK_SIZE, CODE_DIM))
        self.register_buffer("usage", torch.ones(CODEBOOK_SIZE))
        self.register_buffer("codeword_sum", self.codewords.clone())
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    def nearest(self, z):
        """z [N, CODE_DIM] -> indices [N]."""
        distance = (z.pow(2).sum(1, keepdim=True) - 2 * z @ self.codewords.t()
                    + self.codewords.pow(2).sum(1)[None])
        return distance.argmin(dim=1)

    @torch.no_grad()
    def kmeans_init(self, z, iterations=10):
        chosen = z[torch.randperm(z.shape[0], device=z.device)[:CODEBOOK_SIZE]]
        if chosen.shape[0] < CODEBOOK_SIZE:
            chosen = chosen[torch.randint(chosen.shape[0], (CODEBOOK_SIZE,), device=z.device)]
        self.codewords.copy_(chosen)
        for _ in range(iterations):
            idx = self.nearest(z)
            counts = torch.bincount(idx, minlength=CODEBOOK_SIZE).float()
            sums = torch.zeros_like(self.codewords).index_add_(0, idx, z)
            filled = counts > 0
            self.codewords[filled] = sums[filled] / counts[filled, None]
        self.usage.copy_(torch.bincount(self.nearest(z), minlength=CODEBOOK_SIZE).float())
        self.codeword_sum.copy_(self.codewords * self.usage[:, None])
        self.initialised.fill_(True)

    @torch.no_grad()
    def ema_update(self, z, idx):
        counts = torch.bincount(idx, minlength=CODEBOOK_SIZE).float()
        sums = torch.zeros_like(self.codewords).index_add_(0, idx, z)
        self.usage.mul_(EMA_DECAY).add_(counts, alpha=1 - EMA_DECAY)
        self.codeword_sum.mul_(EMA_DECAY).add_(sums, alpha=1 - EMA_DECAY)
        n = self.usage.sum()
        smoothed = (self.usage + 1e-5) / (n + CODEBOOK_SIZE * 1e-5) * n
        self.codewords.copy_(self.codeword_sum / smoothed[:, None])
        dead = self.usage < DEAD_CODE_USAGE
        if dead.any():  # re-seed from this batch's vectors
            fresh = z[torch.randint(z.shape[0], (int(dead.sum()),), device=z.device)]
            self.codewords[dead] = fresh
            self.codeword_sum[dead] = fresh
            self.usage[dead] = 1.0
        return int(dead.sum())

    def forward(self, residual, active):
        """residual [B, LATENT, T], active [B] bool -> (quantized [B, LATENT, T], indices [B, T],
        commitment loss [B], codes re-seeded)."""
        z = self.project_in(residual)                               # [B, D, T]
        flat = z.transpose(1, 2).reshape(-1, CODE_DIM)
        if self.training and not bool(self.initialised):
            self.kmeans_init(flat.detach())
        idx = self.nearest(flat.detach())
        q = self.codewords[idx].reshape(z.shape[0], z.shape[2], CODE_DIM).transpose(1, 2)
        commitment = (z - q).pow(2).mean(dim=(1, 2))
        reseeded = 0
        if self.training:
            mask = active[:, None].expand(-1, z.shape[2]).reshape(-1)
            if mask.any():
                reseeded = self.ema_update(flat.detach()[mask], idx[mask])
        q_st = z + (q - z).detach()
        return self.project_out(q_st), idx.reshape(z.shape[0], z.shape[2]), commitment, reseeded


class RvqCodec(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = build_encoder()
        self.codebooks = nn.ModuleList(Codebook() for _ in range(NUM_CODEBOOKS))
        self.decoder = build_decoder()
        self.register_buffer("window", torch.hann_window(N_FFT, periodic=True))

    def encode(self, audio):
        """[B, S] (S a multiple of HOP) -> latents [B, LATENT, S / HOP]."""
        return self.encoder(audio[:, None])

    def quantize(self, latents, n_codebooks):
        """n_codebooks [B] -> (quantized sum of the first n per example, indices [B, N, T], losses)."""
        residual, total = latents, torch.zeros_like(latents)
        indices, commitment, reseeded = [], torch.zeros(latents.shape[0], device=latents.device), 0
        for i, codebook in enumerate(self.codebooks):
            active = n_codebooks > i
            if not active.any():
                break
            q, idx, c, r = codebook(residual, active)
            keep = active.to(latents.dtype)[:, None, None]
            total = total + q * keep
            residual = residual - q.detach() * keep
            commitment = commitment + c * keep[:, 0, 0]
            indices.append(idx)
            reseeded += r
        return total, torch.stack(indices, 1), commitment, reseeded

    def decode(self, quantized):
        """[B, LATENT, T] -> audio of the complete hops [B, (T - 3) * HOP] (hop h from frames h..h+3)."""
        spectrum = spectral.head_to_spectrum(self.decoder(quantized), BINS, MAX_LOG_MAGNITUDE)
        return spectral.overlap_add(spectrum, self.window, HOP, OLA_GAIN)

    def forward(self, audio, n_codebooks):
        """audio [B, S] -> (reconstruction, target, commitment [B], codes re-seeded)."""
        quantized, _, commitment, reseeded = self.quantize(self.encode(audio), n_codebooks)
        out = self.decode(quantized)
        return out, audio[:, :out.shape[1]], commitment, reseeded


def flops_per_second():
    """Multiply-adds x 2 per second of audio, encoder and decoder."""
    total, rate = {"encoder": 0, "decoder": 0}, float(SAMPLE_RATE)
    for module in build_encoder().modules():
        if isinstance(module, nn.Conv1d):
            rate /= module.stride[0]  # output frames per second
            total["encoder"] += 2 * module.weight.numel() * rate
    for module in build_decoder().modules():
        if isinstance(module, nn.Conv1d):
            total["decoder"] += 2 * module.weight.numel() * SAMPLE_RATE / HOP
    return total
