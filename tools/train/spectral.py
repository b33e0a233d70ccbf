"""What the neural families share on the Python side: the spectral head and overlap-add synthesis
that their C++ decoders reproduce (libtqcodec/src/nn/spectral_head.hpp), the layers the C++ engine
runs beyond torch.nn's plain ones, and the training losses.
Runs on PyTorch 1.13 (Debian) and 2.x.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

LOG_FLOOR = 1e-5


# --- layers the C++ engine knows beyond plain torch.nn ---------------------------------------
class Residual(nn.Module):
    """y = x + body(x) (builder.hpp's "residual")."""

    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


class CausalConv1d(nn.Conv1d):
    """A Conv1d padded on the left only ((kernel - 1) * dilation zeros), so output t sees inputs
    <= t. Exported as conv1d with `causal_padding` (builder.hpp)."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)

    @property
    def causal_padding(self):
        return (self.kernel_size[0] - 1) * self.dilation[0]

    def forward(self, x):
        return super().forward(F.pad(x, (self.causal_padding, 0)))


# --- spectral head and synthesis -------------------------------------------------------------
def head_to_spectrum(out, bins, max_log_magnitude):
    """[B, 3 * bins, K] (log-magnitude, unnormalised cos, sin) -> complex spectrum [B, bins, K]."""
    log_magnitude = out[:, :bins].clamp(max=max_log_magnitude)
    re, im = out[:, bins:2 * bins], out[:, 2 * bins:]
    norm = torch.sqrt(re * re + im * im + 1e-8)
    magnitude = torch.exp(log_magnitude) / norm
    return torch.complex(magnitude * re, magnitude * im)


def overlap_add(spectrum, window, hop, ola_gain):
    """[B, bins, K] -> the samples all n_fft / hop overlapping frames cover:
    [B, (K - overlap + 1) * hop], overlap = n_fft / hop. Frame j covers hops j - overlap + 1 .. j."""
    n_fft = window.shape[0]
    overlap = n_fft // hop
    frames = torch.fft.irfft(spectrum.transpose(1, 2), n=n_fft, dim=-1) * window  # [B, K, N]
    k = frames.shape[1]
    audio = F.fold(frames.transpose(1, 2), output_size=(1, (k - 1) * hop + n_fft),
                   kernel_size=(1, n_fft), stride=(1, hop)).flatten(1)
    return audio[:, (overlap - 1) * hop:k * hop] / ola_gain


# --- losses ----------------------------------------------------------------------------------
def mel_filters(n_fft, n_mels, sample_rate):
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
    """Per example [B]: multi-scale log-mel L1 (DAC's windows and mel counts), multi-resolution
    log-STFT L1 + spectral convergence, and a waveform-fidelity term: the L1 distance of the
    power-law compressed complex STFTs (|X|^0.3 e^{i arg X}, as APCodec and MP-SENet use) at two
    resolutions, on signals normalised to unit RMS so every level counts the same."""
    MEL = ((2048, 320), (1024, 160), (512, 80), (256, 40), (128, 20), (64, 10))
    STFT = (2048, 1024, 512, 256)
    COMPLEX = (1024, 256)
    COMPRESSION = 0.3

    def __init__(self, sample_rate):
        super().__init__()
        for n, mels in self.MEL:
            self.register_buffer("mel%d" % n, mel_filters(n, mels, sample_rate))
        for n in sorted({n for n, _ in self.MEL} | set(self.STFT) | set(self.COMPLEX)):
            self.register_buffer("win%d" % n, torch.hann_window(n))

    def stft(self, x, n):
        return torch.stft(x, n, n // 4, window=getattr(self, "win%d" % n), return_complex=True)

    def forward(self, y, x):
        mel = 0.0
        for n, _ in self.MEL:
            fb = getattr(self, "mel%d" % n)
            my, mx = fb @ self.stft(y, n).abs(), fb @ self.stft(x, n).abs()
            diff = torch.log10(my.clamp_min(LOG_FLOOR)) - torch.log10(mx.clamp_min(LOG_FLOOR))
            mel = mel + diff.abs().mean(dim=(1, 2))
        stft = 0.0
        for n in self.STFT:
            sy, sx = self.stft(y, n).abs(), self.stft(x, n).abs()
            stft = stft + (torch.log(sy.clamp_min(LOG_FLOOR)) - torch.log(sx.clamp_min(LOG_FLOOR))).abs().mean(dim=(1, 2))
            stft = stft + (sy - sx).flatten(1).norm(dim=1) / sx.flatten(1).norm(dim=1).clamp_min(LOG_FLOOR)
        rms = x.pow(2).mean(dim=1, keepdim=True).sqrt().clamp_min(1e-4)
        complex_l1 = 0.0
        for n in self.COMPLEX:
            cy, cx = self.compressed(self.stft(y / rms, n)), self.compressed(self.stft(x / rms, n))
            complex_l1 = complex_l1 + (cy - cx).abs().mean(dim=(1, 2))
        return {"mel": mel / len(self.MEL), "stft": stft / len(self.STFT),
                "complex": complex_l1 / len(self.COMPLEX)}

    def compressed(self, spectrum):
        magnitude = spectrum.abs().clamp_min(LOG_FLOOR)
        return spectrum * magnitude.pow(self.COMPRESSION - 1)


def snr_db(out, target):
    return 10 * torch.log10(target.pow(2).sum() / (out - target).pow(2).sum().clamp_min(1e-12))
