"""The stftae model: a convolutional autoencoder on the STFT of 24 kHz mono audio.

Framing (what libtqcodec/src/families/stftae does in C++, exactly):
  STFT frame j is the periodic-Hann-windowed N_FFT samples ending at (j + 1) * HOP, so it covers
  hops j-3 .. j; features are log(max(|X|, 1e-5)) of its BINS bins.
  encoder: log-magnitude frames j-4 .. j+4 -> latent frame j (LATENT values)
           2-D convs over (frequency, time) shrink frequency, then 1-D convs over time;
           every conv is unpadded in time, so each time kernel of 3 eats one frame per side.
  quantizer: q = round(latent / (scale * step)) per channel, step chosen per packet by the codec.
  decoder: dequantized latent frames j-8 .. j -> STFT frame j (causal: a packet needs only the
           latents before it), predicted as log-magnitude and an unnormalised (cos, sin) phase pair,
           then inverse FFT, Hann window and overlap-add divided by 1.5 (the Hann^2 sum at 4x overlap).
Runs on PyTorch 1.13 (Debian) and 2.x.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

SAMPLE_RATE = 24000
N_FFT = 960
HOP = 240
BINS = N_FFT // 2 + 1
LATENT = 32
HIDDEN = 192
ENC2D_CHANNELS = 16
LOG_FLOOR = 1e-5
MAX_LOG_MAGNITUDE = 8.0  # exp(8) is far above a full-scale sine's |X| (N_FFT / 4 = 240)
OLA_GAIN = 1.5           # sum of periodic Hann^2 over the 4 frames that overlap any sample
ENCODER_CONTEXT = 4      # latent j sees feature frames j-4 .. j+4
DECODER_CONTEXT = 8      # STFT frame j comes from latents j-8 .. j


def enc2d_bins():
    bins = BINS
    for kernel, stride, pad in ((7, 4, 3), (5, 4, 2)):
        bins = (bins + 2 * pad - kernel) // stride + 1
    return bins


class StftAE(nn.Module):
    def __init__(self):
        super().__init__()
        c = ENC2D_CHANNELS
        self.enc2d = nn.Sequential(
            nn.Conv2d(1, c, (7, 3), stride=(4, 1), padding=(3, 0)), nn.ELU(),
            nn.Conv2d(c, c, (5, 3), stride=(4, 1), padding=(2, 0)), nn.ELU())
        self.enc1d = nn.Sequential(
            nn.Conv1d(c * enc2d_bins(), HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, LATENT, 1))
        self.dec = nn.Sequential(
            nn.Conv1d(LATENT, HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, HIDDEN, 3), nn.ELU(),
            nn.Conv1d(HIDDEN, 3 * BINS, 1))
        # per-channel latent scale: a running RMS of the encoder output (see quantize), frozen at export
        self.register_buffer("latent_scale", torch.ones(LATENT))
        self.register_buffer("window", torch.hann_window(N_FFT, periodic=True))

    # --- analysis -------------------------------------------------------------------------------
    def features(self, audio):
        """audio [B, S] -> log-magnitude [B, BINS, J], J = (S - N_FFT) / HOP + 1."""
        frames = audio.unfold(-1, N_FFT, HOP) * self.window
        magnitude = torch.fft.rfft(frames, dim=-1).abs()
        return torch.log(magnitude.clamp_min(LOG_FLOOR)).transpose(1, 2)

    def encode(self, features):
        """[B, BINS, J] -> latents [B, LATENT, J - 2 * ENCODER_CONTEXT]."""
        x = self.enc2d(features.unsqueeze(1))
        return self.enc1d(x.flatten(1, 2))

    # --- synthesis ------------------------------------------------------------------------------
    def decode(self, latents):
        """[B, LATENT, K] -> complex spectrum [B, BINS, K - DECODER_CONTEXT]."""
        out = self.dec(latents)
        log_magnitude = out[:, :BINS].clamp(max=MAX_LOG_MAGNITUDE)
        re, im = out[:, BINS:2 * BINS], out[:, 2 * BINS:]
        norm = torch.sqrt(re * re + im * im + 1e-8)
        magnitude = torch.exp(log_magnitude) / norm
        return torch.complex(magnitude * re, magnitude * im)

    def synthesize(self, spectrum):
        """[B, BINS, K] -> the samples all 4 overlapping frames cover: [B, (K - 3) * HOP]."""
        frames = torch.fft.irfft(spectrum.transpose(1, 2), n=N_FFT, dim=-1) * self.window  # [B, K, N]
        k = frames.shape[1]
        audio = F.fold(frames.transpose(1, 2), output_size=(1, (k - 1) * HOP + N_FFT),
                       kernel_size=(1, N_FFT), stride=(1, HOP)).flatten(1)
        return audio[:, 3 * HOP:k * HOP] / OLA_GAIN

    # --- quantizer ------------------------------------------------------------------------------
    # The step is relative to each channel's RMS. In training that RMS is the batch's own, with its
    # gradient, so growing the latents buys nothing against the quantizer; a running average of it
    # (latent_scale) is what inference uses. (A running average inside the loop made the latents
    # grow without bound: 300 -> 2e6 RMS, and training diverged.)
    def batch_scale(self, latents):
        rms = latents.pow(2).mean(dim=(0, 2)).sqrt().clamp_min(1e-3)
        with torch.no_grad():
            self.latent_scale.mul_(0.99).add_(0.01 * rms)
        return rms

    def quantize(self, latents, step):
        """step [B] in units of the channel RMS. In training half the batch sees uniform noise, half
        the real rounding with a straight-through gradient; in eval mode, the codec's rounding."""
        channel_scale = self.batch_scale(latents) if self.training else self.latent_scale
        scale = channel_scale[None, :, None] * step[:, None, None]
        x = latents / scale
        if not self.training:
            return torch.round(x) * scale
        noisy = x + torch.rand_like(x) - 0.5
        rounded = x + (torch.round(x) - x).detach()
        use_noise = (torch.rand(x.shape[0], 1, 1, device=x.device) < 0.5).to(x.dtype)
        return (use_noise * noisy + (1 - use_noise) * rounded) * scale

    def forward(self, audio, step):
        """audio [B, S] -> (reconstruction, the target samples it stands for)."""
        latents = self.encode(self.features(audio))
        spectrum = self.decode(self.quantize(latents, step))
        first_frame = ENCODER_CONTEXT + DECODER_CONTEXT
        start = (first_frame + 3) * HOP
        out = self.synthesize(spectrum)
        return out, audio[:, start:start + out.shape[1]]


def segment_samples(output_hops):
    """Input length whose reconstruction covers `output_hops` hops."""
    frames = output_hops + 3 + ENCODER_CONTEXT * 2 + DECODER_CONTEXT
    return (frames - 1) * HOP + N_FFT


# --- losses -------------------------------------------------------------------------------------
def mel_filters(n_fft, n_mels, sample_rate=SAMPLE_RATE):
    """Triangular filters on the Slaney mel scale (librosa's default), area-normalised."""
    def hz_to_mel(f):
        f = torch.as_tensor(f, dtype=torch.float64)
        linear = f / (200.0 / 3)
        log_part = 15 + torch.log(f.clamp_min(1e-9) / 1000) / (math.log(6.4) / 27)
        return torch.where(f >= 1000, log_part, linear)

    def mel_to_hz(m):
        linear = m * (200.0 / 3)
        log_part = 1000 * torch.exp((m - 15) * (math.log(6.4) / 27))
        return torch.where(m >= 15, log_part, linear)

    freqs = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    edges = mel_to_hz(torch.linspace(float(hz_to_mel(0.0)), float(hz_to_mel(sample_rate / 2)), n_mels + 2,
                                     dtype=torch.float64))
    lower = (freqs[None, :] - edges[:-2, None]) / (edges[1:-1] - edges[:-2])[:, None]
    upper = (edges[2:, None] - freqs[None, :]) / (edges[2:] - edges[1:-1])[:, None]
    weights = torch.clamp(torch.minimum(lower, upper), min=0)
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.float()


class SpectralLosses(nn.Module):
    """Multi-scale log-mel L1 (DAC's windows and mel counts) + multi-resolution log-STFT L1 and
    spectral convergence + waveform L1."""
    MEL = ((2048, 320), (1024, 160), (512, 80), (256, 40), (128, 20), (64, 10))
    STFT = (2048, 1024, 512, 256)

    def __init__(self):
        super().__init__()
        for n, mels in self.MEL:
            self.register_buffer("mel%d" % n, mel_filters(n, mels))
        for n in sorted({n for n, _ in self.MEL} | set(self.STFT)):
            self.register_buffer("win%d" % n, torch.hann_window(n))

    def magnitude(self, x, n):
        return torch.stft(x, n, n // 4, window=getattr(self, "win%d" % n), return_complex=True).abs()

    def forward(self, y, x):
        mel = 0.0
        for n, _ in self.MEL:
            fb = getattr(self, "mel%d" % n)
            my, mx = fb @ self.magnitude(y, n), fb @ self.magnitude(x, n)
            mel = mel + (torch.log10(my.clamp_min(1e-5)) - torch.log10(mx.clamp_min(1e-5))).abs().mean()
        stft = 0.0
        for n in self.STFT:
            sy, sx = self.magnitude(y, n), self.magnitude(x, n)
            stft = stft + (torch.log(sy.clamp_min(1e-5)) - torch.log(sx.clamp_min(1e-5))).abs().mean()
            stft = stft + torch.linalg.norm(sy - sx) / torch.linalg.norm(sx).clamp_min(1e-5)
        wave = (y - x).abs().mean()
        return {"mel": mel / len(self.MEL), "stft": stft / len(self.STFT), "wave": wave}
