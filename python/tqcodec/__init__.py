"""libtqcodec from Python: encode and decode numpy arrays, read and write .tqc files.

    import numpy as np, tqcodec
    pcm = np.random.default_rng(0).uniform(-0.5, 0.5, (48000, 2)).astype(np.float32)
    tqcodec.write("x.tqc", tqcodec.encode(pcm, 48000, "turbo", bitrate=128000, options="mode=mdct"))
    back = tqcodec.decode(tqcodec.read("x.tqc"))          # float32, (frames, channels)
    print(tqcodec.snr(pcm, back))

Everything goes through the C ABI (tqcodec.h, tqcodec/container.h) with ctypes: the same
encoders, decoders and .tqc reader/writer as the tqc tool. PCM is float32 in [-1, 1],
interleaved as (frames, channels) or, with planar=True, (channels, frames); a 1-D array is mono.
Errors raise TqError subclasses carrying the library's code and message.
"""
import ctypes
import dataclasses
import os
from ctypes import byref, c_char_p, c_int, c_size_t, c_uint8, c_uint64, c_void_p

import numpy as np

from . import _lib
from ._lib import TQ_UNKNOWN_SAMPLES, lib
from .metrics import segmental_snr, si_sdr, snr

__all__ = ["TqError", "InvalidArgumentError", "UnsupportedError", "CorruptError", "ModelError", "Stream",
           "Encoder", "Decoder", "encode", "decode", "read", "write", "families", "family", "version",
           "snr", "si_sdr", "segmental_snr", "TQ_UNKNOWN_SAMPLES"]


# ---- errors ------------------------------------------------------------------------------

class TqError(Exception):
    """A libtqcodec call failed: .code is the TQ_ERR_* value, .message the library's text."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(f"{message} ({_lib.lib.tq_strerror(code).decode()})" if message
                         else _lib.lib.tq_strerror(code).decode())


class InvalidArgumentError(TqError, ValueError):
    """TQ_ERR_INVALID_ARGUMENT: a bad option, rate, channel count, path ..."""


class UnsupportedError(TqError):
    """TQ_ERR_UNSUPPORTED: a family this build lacks, or a rate the family does not code."""


class CorruptError(TqError):
    """TQ_ERR_CORRUPT: a damaged packet, stream header or file."""


class ModelError(TqError):
    """TQ_ERR_MODEL: model weights missing or not the ones a stream names."""


_ERRORS = {-1: InvalidArgumentError, -2: UnsupportedError, -4: CorruptError, -6: ModelError}


def _check(rc, message=None):
    if rc < 0:
        text = message if message is not None else lib.tq_last_error_message()
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        raise _ERRORS.get(rc, TqError)(rc, text or "")
    return rc


def version():
    """The linked library's version string, e.g. "0.1.0"."""
    return lib.tq_version_string().decode()


# ---- families ----------------------------------------------------------------------------

_OPTION_TYPES = {0: "int", 1: "float", 2: "bool", 3: "pow2", 4: "enum"}


def _family_id(name_or_id):
    if isinstance(name_or_id, int):
        return name_or_id
    fid = c_int()
    _check(lib.tq_family_from_name(str(name_or_id).encode(), byref(fid)))
    return fid.value


def family(name_or_id):
    """A family's name, id, availability, description, fixed sample rates and option schema."""
    fid = _family_id(name_or_id)
    name = lib.tq_family_name(fid)
    if name is None:
        raise InvalidArgumentError(-1, f"unknown family id {fid}")
    rates = []
    p = lib.tq_family_sample_rates(fid)
    while p and p[len(rates)] != 0:
        rates.append(p[len(rates)])
    options = []
    for i in range(lib.tq_family_option_count(fid)):
        o = lib.tq_family_option(fid, i).contents
        options.append({"name": o.name.decode(), "type": _OPTION_TYPES.get(o.type, str(o.type)),
                        "default": o.default_value, "min": o.min_value, "max": o.max_value,
                        "help": o.help.decode() if o.help else "",
                        "choices": o.choices.decode().split("|") if o.choices else None})
    return {"name": name.decode(), "id": fid, "available": bool(lib.tq_family_available(fid)),
            "description": (lib.tq_family_description(fid) or b"").decode(), "sample_rates": rates,
            "options": options}


def families(available_only=False):
    """Every family this library knows (or only those it implements)."""
    out = [family(i) for i in range(1, 6)]
    return [f for f in out if f["available"]] if available_only else out


# ---- streams -----------------------------------------------------------------------------

@dataclasses.dataclass
class Stream:
    """An encoded stream: what a .tqc file holds."""
    stream_header: bytes
    packets: list  # [(first_sample, bytes)]
    family: str
    sample_rate: int
    channels: int
    frame_size: int
    delay: int
    total_samples: int = TQ_UNKNOWN_SAMPLES  # input samples per channel (delay excluded), if known
    tags: dict = dataclasses.field(default_factory=dict)
    source_bits: int = 0
    damage: list = dataclasses.field(default_factory=list)  # set by read(): what the reader skipped
    checksum_ok: bool = True                                 # set by read(): SHA-256 of the file

    @property
    def bytes(self):
        """Payload bytes of all packets."""
        return sum(len(p) for _, p in self.packets)


def _as_interleaved(pcm, planar):
    a = np.asarray(pcm, dtype=np.float32)
    if a.ndim == 1:
        a = a[:, None]
    elif a.ndim != 2:
        raise InvalidArgumentError(-1, f"PCM must be 1-D or 2-D, got shape {a.shape}")
    if planar:
        a = a.T
    return np.ascontiguousarray(a)


def _u8(buf):
    return ctypes.cast(buf, ctypes.POINTER(c_uint8))


class Encoder:
    """One encoder handle (tq_encoder). Not for two threads at once."""

    def __init__(self, family, sample_rate, channels, bitrate=0, options=None):
        cfg = _lib.EncoderConfig()
        lib.tq_encoder_config_init(byref(cfg), _family_id(family))
        cfg.sample_rate, cfg.channels, cfg.bitrate = int(sample_rate), int(channels), int(bitrate)
        self._options = options.encode() if options else None
        cfg.options = self._options
        self._h = c_void_p()
        _check(lib.tq_encoder_create(byref(cfg), byref(self._h)))
        self.family = lib.tq_family_name(cfg.family).decode()
        self.sample_rate, self.channels = cfg.sample_rate, cfg.channels
        self.frame_size = lib.tq_encoder_frame_size(self._h)
        self.delay = lib.tq_encoder_delay(self._h)
        self._packet = (c_uint8 * lib.tq_encoder_max_packet_size(self._h))()
        self._next_sample = 0

    def __del__(self):
        if getattr(self, "_h", None):
            lib.tq_encoder_destroy(self._h)
            self._h = None

    def _fail(self, rc):
        _check(rc, lib.tq_encoder_error_message(self._h))

    @property
    def stream_header(self):
        data, size = ctypes.POINTER(c_uint8)(), c_size_t()
        self._fail(lib.tq_encoder_stream_header(self._h, byref(data), byref(size)))
        return ctypes.string_at(data, size.value)

    def _emit(self, size, out):
        packet = bytes(self._packet[:size])
        out.append((self._next_sample, packet))
        self._next_sample += _check(lib.tq_packet_samples(_u8(self._packet), size))

    def encode(self, pcm, planar=False):
        """Encodes interleaved (frames, channels) float32 PCM; returns [(first_sample, packet)]."""
        a = _as_interleaved(pcm, planar)
        if a.shape[1] != self.channels:
            raise InvalidArgumentError(-1, f"PCM has {a.shape[1]} channels, the encoder {self.channels}")
        out, size = [], c_size_t()
        for start in range(0, a.shape[0], self.frame_size):
            chunk = np.ascontiguousarray(a[start:start + self.frame_size])
            self._fail(lib.tq_encode(self._h, chunk.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), chunk.shape[0],
                                     self._packet, len(self._packet), byref(size)))
            if size.value:
                self._emit(size.value, out)
        return out

    def flush(self):
        """Drains the encoder; returns the last packets."""
        out, size = [], c_size_t()
        while True:
            self._fail(lib.tq_encoder_flush(self._h, self._packet, len(self._packet), byref(size)))
            if not size.value:
                return out
            self._emit(size.value, out)


class Decoder:
    """One decoder handle (tq_decoder), from a stream header alone."""

    def __init__(self, stream_header):
        buf = (c_uint8 * len(stream_header)).from_buffer_copy(stream_header)
        self._h = c_void_p()
        _check(lib.tq_decoder_create(buf, len(stream_header), byref(self._h)))
        self.family = lib.tq_family_name(lib.tq_decoder_family(self._h)).decode()
        self.sample_rate = lib.tq_decoder_sample_rate(self._h)
        self.channels = lib.tq_decoder_channels(self._h)
        self.frame_size = lib.tq_decoder_frame_size(self._h)
        self.delay = lib.tq_decoder_delay(self._h)
        self._pcm = np.zeros((self.frame_size, self.channels), dtype=np.float32)

    def __del__(self):
        if getattr(self, "_h", None):
            lib.tq_decoder_destroy(self._h)
            self._h = None

    def decode(self, packet):
        """One packet (bytes, or None to conceal a lost one) -> (frames, channels) float32."""
        got = c_int()
        data = (c_uint8 * len(packet)).from_buffer_copy(packet) if packet is not None else None
        rc = lib.tq_decode(self._h, data, len(packet) if packet is not None else 0,
                           self._pcm.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), self.frame_size, byref(got))
        _check(rc, lib.tq_decoder_error_message(self._h))
        return self._pcm[:got.value].copy()

    def reset(self):
        _check(lib.tq_decoder_reset(self._h), lib.tq_decoder_error_message(self._h))

    def limit_layers(self, layers):
        """rvq: decode at most `layers` codebooks per frame (0 = all)."""
        _check(lib.tq_decoder_limit_layers(self._h, int(layers)), lib.tq_decoder_error_message(self._h))


def encode(pcm, sample_rate, family, bitrate=0, options=None, planar=False, tags=None):
    """Encodes a whole signal; returns a Stream (write() it to a .tqc file, or decode() it)."""
    a = _as_interleaved(pcm, planar)
    enc = Encoder(family, sample_rate, a.shape[1], bitrate, options)
    packets = enc.encode(a) + enc.flush()
    all_tags = {"encoder": f"tqcodec-python (libtqcodec {version()})"}
    if bitrate:
        all_tags["target_bitrate"] = str(int(bitrate))
    if options:
        all_tags["options"] = options
    all_tags.update(tags or {})
    return Stream(enc.stream_header, packets, enc.family, enc.sample_rate, enc.channels, enc.frame_size, enc.delay,
                  total_samples=a.shape[0], tags=all_tags)


def decode(stream, planar=False, layers=0):
    """Decodes a Stream (encode() or read()): float32 (frames, channels), or (channels, frames)
    with planar=True, without the encoder delay and trimmed to the original length when known.
    Lost packets (gaps in the first-sample sequence) are concealed."""
    dec = Decoder(stream.stream_header)
    if layers:
        dec.limit_layers(layers)
    parts, position = [], 0
    for first, packet in stream.packets:
        while position < first:  # a gap: conceal so that timing stays right
            pcm = dec.decode(None)
            pcm = pcm[:first - position]
            parts.append(pcm)
            position += pcm.shape[0]
        pcm = dec.decode(packet)
        parts.append(pcm)
        position += pcm.shape[0]
    out = np.concatenate(parts) if parts else np.zeros((0, dec.channels), dtype=np.float32)
    out = out[dec.delay:]
    if stream.total_samples != TQ_UNKNOWN_SAMPLES:
        out = out[:stream.total_samples]
    return np.ascontiguousarray(out.T if planar else out)


# ---- files -------------------------------------------------------------------------------

def write(path, stream):
    """Writes a Stream as a .tqc file through the library's container writer. The file appears
    only when complete (written beside it, then renamed)."""
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    flat = [s.encode() for kv in stream.tags.items() for s in kv]
    tags = (c_char_p * (len(flat) + 1))(*flat, None)
    header = (c_uint8 * len(stream.stream_header)).from_buffer_copy(stream.stream_header)
    w = c_void_p()
    _check(lib.tq_file_writer_create(tmp.encode(), header, len(stream.stream_header), int(stream.source_bits),
                                     c_uint64(stream.total_samples), tags, byref(w)))
    try:
        final = 0
        for first, packet in stream.packets:
            buf = (c_uint8 * len(packet)).from_buffer_copy(packet)
            _check(lib.tq_file_writer_write_packet(w, first, buf, len(packet)), lib.tq_file_writer_error_message(w))
            final = first + _check(lib.tq_packet_samples(buf, len(packet)))
        _check(lib.tq_file_writer_finish(w, final), lib.tq_file_writer_error_message(w))
    except BaseException:
        lib.tq_file_writer_destroy(w)
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    lib.tq_file_writer_destroy(w)
    os.replace(tmp, path)


def read(path, strict=False):
    """Reads a .tqc file through the library's container reader. Damaged packets are skipped
    and listed in Stream.damage (strict=True raises CorruptError instead)."""
    r = c_void_p()
    _check(lib.tq_file_reader_open(os.fsencode(path), byref(r)))
    try:
        info = _lib.FileInfo()
        _check(lib.tq_file_reader_info(r, byref(info)))
        tags = {}
        key, value = c_char_p(), c_char_p()
        for i in range(lib.tq_file_reader_tag_count(r)):
            _check(lib.tq_file_reader_tag(r, i, byref(key), byref(value)))
            tags[key.value.decode(errors="replace")] = value.value.decode(errors="replace")
        packets = []
        data, size, first = ctypes.POINTER(c_uint8)(), c_size_t(), c_uint64()
        while _check(lib.tq_file_reader_next_packet(r, byref(data), byref(size), byref(first)),
                     lib.tq_file_reader_error_message(r)) == 1:
            packets.append((first.value, ctypes.string_at(data, size.value)))
        damage = [lib.tq_file_reader_damage(r, i).decode(errors="replace")
                  for i in range(lib.tq_file_reader_damage_count(r))]
        checksum_ok = bool(lib.tq_file_reader_checksum_ok(r))
        if strict and (damage or not checksum_ok):
            raise CorruptError(-4, f"{os.fspath(path)}: " + ("; ".join(damage) or "checksum mismatch"))
        total = info.total_samples
        if total != TQ_UNKNOWN_SAMPLES:
            total = max(0, total - info.encoder_delay)
        name = lib.tq_family_name(info.family)
        return Stream(ctypes.string_at(info.stream_header, info.stream_header_size), packets,
                      name.decode() if name else f"family #{info.family}", info.sample_rate, info.channels,
                      info.frame_size, info.encoder_delay, total, tags, info.source_bits, damage, checksum_ok)
    finally:
        lib.tq_file_reader_destroy(r)
