"""tqcodec (python/) on the build tree's libtqcodec: numpy round trips through every
implemented family, .tqc files through the library's container code, errors."""
import os

import numpy as np
import pytest

import tqcodec


def tone(rate, seconds, channels):
    t = np.arange(int(rate * seconds)) / rate
    pcm = np.stack([0.4 * np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)], axis=1)
    return pcm.astype(np.float32)


AVAILABLE = [f["name"] for f in tqcodec.families(available_only=True)]


def test_families_list_every_family_with_its_option_schema():
    names = [f["name"] for f in tqcodec.families()]
    assert names == ["turbo", "fractal", "stftae", "rvq", "gauss"]
    turbo = tqcodec.family("turbo")
    assert turbo["available"] and turbo["id"] == 1
    bits = next(o for o in turbo["options"] if o["name"] == "bits")
    assert bits["type"] == "int" and bits["min"] <= bits["default"] <= bits["max"] and bits["help"]
    mode = next(o for o in turbo["options"] if o["name"] == "mode")
    assert "mdct" in mode["choices"]


@pytest.mark.parametrize("name", AVAILABLE)
def test_every_implemented_family_round_trips_a_numpy_array(name):
    fam = tqcodec.family(name)
    rate = fam["sample_rates"][0] if fam["sample_rates"] else 16000
    pcm = tone(rate, 0.5, 1)
    stream = tqcodec.encode(pcm, rate, name, bitrate=24000 if name != "turbo" else 128000)
    back = tqcodec.decode(stream)
    assert back.dtype == np.float32 and back.shape == pcm.shape
    assert np.all(np.isfinite(back))
    assert stream.bytes > 0 and stream.family == name


def test_turbo_mdct_stereo_is_faithful_and_planar_matches_interleaved():
    pcm = tone(48000, 1.0, 2)
    stream = tqcodec.encode(pcm, 48000, "turbo", bitrate=128000, options="mode=mdct")
    back = tqcodec.decode(stream)
    assert tqcodec.snr(pcm, back) > 20
    assert tqcodec.si_sdr(pcm, back) > 20
    planar = tqcodec.encode(pcm.T, 48000, "turbo", bitrate=128000, options="mode=mdct", planar=True)
    assert planar.packets == stream.packets
    assert np.array_equal(tqcodec.decode(stream, planar=True), back.T)


def test_tqc_file_round_trip_through_the_container(tmp_path):
    pcm = tone(44100, 0.7, 2)
    stream = tqcodec.encode(pcm, 44100, "turbo", options="bits=6", tags={"title": "tone"})
    path = tmp_path / "tone.tqc"
    tqcodec.write(path, stream)
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
    again = tqcodec.read(path)
    assert again.checksum_ok and again.damage == []
    assert again.packets == stream.packets and again.stream_header == stream.stream_header
    assert again.tags["title"] == "tone" and again.total_samples == pcm.shape[0]
    assert (again.sample_rate, again.channels, again.family) == (44100, 2, "turbo")
    assert np.array_equal(tqcodec.decode(again), tqcodec.decode(stream))


def test_a_damaged_packet_is_skipped_and_reported_or_raises_when_strict(tmp_path):
    pcm = tone(16000, 1.0, 1)
    path = tmp_path / "d.tqc"
    tqcodec.write(path, tqcodec.encode(pcm, 16000, "turbo", options="bits=4"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))
    stream = tqcodec.read(path)
    assert stream.damage and not stream.checksum_ok
    assert tqcodec.decode(stream).shape == pcm.shape  # the lost packet is concealed
    with pytest.raises(tqcodec.CorruptError):
        tqcodec.read(path, strict=True)


def test_errors_carry_the_library_message():
    pcm = tone(16000, 0.1, 1)
    with pytest.raises(tqcodec.InvalidArgumentError, match="nosuchfamily"):
        tqcodec.encode(pcm, 16000, "nosuchfamily")
    with pytest.raises(tqcodec.InvalidArgumentError, match="frobnicate") as e:
        tqcodec.encode(pcm, 16000, "turbo", options="frobnicate=1")
    assert e.value.code == -1
    with pytest.raises(tqcodec.TqError, match="no_such.tqc"):
        tqcodec.read("/nonexistent/no_such.tqc")
    with pytest.raises(tqcodec.CorruptError):
        tqcodec.Decoder(b"\x00\x01garbage")
    if "stftae" in AVAILABLE:
        with pytest.raises(tqcodec.UnsupportedError, match="24000"):
            tqcodec.encode(pcm, 16000, "stftae")


def test_not_a_tqc_file_raises_corrupt_error(tmp_path):
    p = tmp_path / "x.tqc"
    p.write_bytes(b"RIFF" + b"\0" * 100)
    with pytest.raises(tqcodec.CorruptError):
        tqcodec.read(p)
