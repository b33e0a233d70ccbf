"""Quality metrics on numpy arrays (frames, channels) or 1-D, the same definitions as
`tqc compare` (tools/metrics): SNR, SI-SDR and segmental SNR in dB, per channel then averaged.
Inputs are compared sample for sample (no delay alignment: decode() already removes the
encoder delay); the shorter length is used. For LSD, mel distance and STOI, use `tqc compare`."""
import numpy as np

_EPS = 1e-20


def _pair(ref, test):
    r = np.asarray(ref, dtype=np.float64)
    t = np.asarray(test, dtype=np.float64)
    r = r[:, None] if r.ndim == 1 else r
    t = t[:, None] if t.ndim == 1 else t
    if r.shape[1] != t.shape[1]:
        raise ValueError(f"channel counts differ: {r.shape[1]} and {t.shape[1]}")
    n = min(r.shape[0], t.shape[0])
    if n == 0:
        raise ValueError("nothing to compare: an input is empty")
    return r[:n], t[:n]


def snr(ref, test):
    """10 log10(|ref|^2 / |ref - test|^2), dB."""
    r, t = _pair(ref, test)
    return float(np.mean(10 * np.log10((np.sum(r * r, 0) + _EPS) / (np.sum((r - t) ** 2, 0) + _EPS))))


def si_sdr(ref, test):
    """Scale-invariant signal-to-distortion ratio, dB."""
    r, t = _pair(ref, test)
    alpha = np.sum(r * t, 0) / (np.sum(r * r, 0) + _EPS)
    target = alpha * r
    return float(np.mean(10 * np.log10((np.sum(target ** 2, 0) + _EPS) / (np.sum((t - target) ** 2, 0) + _EPS))))


def segmental_snr(ref, test, frame=None, sample_rate=16000, low=-10.0, high=35.0):
    """Mean SNR of 20 ms frames (clamped to [low, high] dB), dB."""
    r, t = _pair(ref, test)
    frame = frame or max(1, int(0.02 * sample_rate))
    values = []
    for c in range(r.shape[1]):
        for s in range(0, r.shape[0] - frame + 1, frame):
            a, b = r[s:s + frame, c], t[s:s + frame, c]
            v = 10 * np.log10((np.sum(a * a) + _EPS) / (np.sum((a - b) ** 2) + _EPS))
            values.append(min(high, max(low, v)))
    return float(np.mean(values)) if values else snr(r, t)
