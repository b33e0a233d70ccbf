"""The stftae model (version 2): a convolutional autoencoder on the complex STFT of 24 kHz mono audio.

Framing (what libtqcodec/src/families/stftae does in C++, exactly):
  STFT frame j is the periodic-Hann-windowed N_FFT samples ending at (j + 1) * HOP, so it covers
  hops j-3 .. j. Its features are three planes of BINS bins: log(max(|X|, 1e-5)) and the
  power-law compressed complex value |X|^0.3 e^{i arg X} as (re, im), so the encoder sees phase
  and fine structure, not only the magnitude (version 1 saw only the log-magnitude, and its
  quality stopped growing with the bitrate).
  encoder: feature frames j-4 .. j+4 -> latent frame j (LATENT values)
           2-D convs over (frequency, time) shrink frequency, then 1-D convs over time;
           every conv is unpadded in time, so each time kernel of 3 eats one frame per side.
  quantizer: q = round(latent / (scale * step)) per channel, step chosen per packet by the codec.
  decoder: dequantized latent frames j-8 .. j -> STFT frame j (causal: a packet needs only the
           latents before it), predicted as log-magnitude and an unnormalised (cos, sin) phase pair,
           then inverse FFT, Hann window and overlap-add divided by 1.5 (the Hann^2 sum at 4x overlap).
No phase is stored: what the decoder knows of it comes through the coded latent.
Runs on PyTorch 1.13 (Debian) and 2.x.
"""
import torch
from torch import nn

import spectral

VERSION = 2
SAMPLE_RATE = 24000
N_FFT = 960
HOP = 240
BINS = N_FFT // 2 + 1
FEATURE_PLANES = 3       # log-magnitude, compressed re, compressed im
COMPRESSION = 0.3
LATENT = 64
HIDDEN = 256
ENC2D_CHANNELS = 32
LOG_FLOOR = spectral.LOG_FLOOR
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
            nn.Conv2d(FEATURE_PLANES, c, (7, 3), stride=(4, 1), padding=(3, 0)), nn.ELU(),
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
        """audio [B, S] -> [B, 3, BINS, J], J = (S - N_FFT) / HOP + 1."""
        frames = audio.unfold(-1, N_FFT, HOP) * self.window
        spectrum = torch.fft.rfft(frames, dim=-1).transpose(1, 2)
        magnitude = spectrum.abs().clamp_min(LOG_FLOOR)
        compressed = spectrum * magnitude.pow(COMPRESSION - 1)
        return torch.stack([torch.log(magnitude), compressed.real, compressed.imag], dim=1)

    def encode(self, features):
        """[B, 3, BINS, J] -> latents [B, LATENT, J - 2 * ENCODER_CONTEXT]."""
        return self.enc1d(self.enc2d(features).flatten(1, 2))

    # --- synthesis ------------------------------------------------------------------------------
    def decode(self, latents):
        """[B, LATENT, K] -> complex spectrum [B, BINS, K - DECODER_CONTEXT]."""
        return spectral.head_to_spectrum(self.dec(latents), BINS, MAX_LOG_MAGNITUDE)

    def synthesize(self, spectrum):
        """[B, BINS, K] -> the samples all 4 overlapping frames cover: [B, (K - 3) * HOP]."""
        return spectral.overlap_add(spectrum, self.window, HOP, OLA_GAIN)

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
