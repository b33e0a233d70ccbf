"""ctypes bindings of libtqcodec's C ABI (tqcodec/tqcodec.h and tqcodec/container.h).

The library is found, in this order: $TQCODEC_LIBRARY (a path to libtqcodec.so), the build
tree beside this package (<repo>/build/libtqcodec), then the system's (an installed
libtqcodec.so.0, e.g. after 'meson install').
"""
import ctypes
import ctypes.util
import os
from ctypes import POINTER, c_char_p, c_double, c_int, c_size_t, c_uint, c_uint8, c_uint64, c_void_p

TQ_UNKNOWN_SAMPLES = 2**64 - 1


class OptionInfo(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("type", c_int), ("default_value", c_double), ("min_value", c_double),
                ("max_value", c_double), ("help", c_char_p), ("choices", c_char_p)]


class EncoderConfig(ctypes.Structure):
    _fields_ = [("family", c_int), ("sample_rate", c_int), ("channels", c_int), ("bitrate", c_int),
                ("options", c_char_p)]


class FileInfo(ctypes.Structure):
    _fields_ = [("family", c_int), ("sample_rate", c_int), ("channels", c_int), ("source_bits", c_int),
                ("frame_size", c_int), ("encoder_delay", c_int), ("total_samples", c_uint64),
                ("stream_header", POINTER(c_uint8)), ("stream_header_size", c_size_t)]


def _candidates():
    env = os.environ.get("TQCODEC_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "..", "..", "build", "libtqcodec", "libtqcodec.so")
    found = ctypes.util.find_library("tqcodec")
    if found:
        yield found
    yield "libtqcodec.so.0"


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append(f"{path}: not found")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("tqcodec: cannot load libtqcodec (set TQCODEC_LIBRARY to its path): " + "; ".join(errors))


lib = _load()

_P = c_void_p
_u8p = POINTER(c_uint8)
_fp = POINTER(ctypes.c_float)
_signatures = {
    "tq_version": (c_uint, []),
    "tq_version_string": (c_char_p, []),
    "tq_strerror": (c_char_p, [c_int]),
    "tq_last_error_message": (c_char_p, []),
    "tq_family_name": (c_char_p, [c_int]),
    "tq_family_from_name": (c_int, [c_char_p, POINTER(c_int)]),
    "tq_family_available": (c_int, [c_int]),
    "tq_family_description": (c_char_p, [c_int]),
    "tq_family_sample_rates": (POINTER(c_int), [c_int]),
    "tq_family_option_count": (c_int, [c_int]),
    "tq_family_option": (POINTER(OptionInfo), [c_int, c_int]),
    "tq_encoder_config_init": (None, [POINTER(EncoderConfig), c_int]),
    "tq_encoder_create": (c_int, [POINTER(EncoderConfig), POINTER(_P)]),
    "tq_encoder_destroy": (None, [_P]),
    "tq_encoder_frame_size": (c_int, [_P]),
    "tq_encoder_delay": (c_int, [_P]),
    "tq_encoder_max_packet_size": (c_size_t, [_P]),
    "tq_encoder_stream_header": (c_int, [_P, POINTER(_u8p), POINTER(c_size_t)]),
    "tq_encode": (c_int, [_P, _fp, c_int, _u8p, c_size_t, POINTER(c_size_t)]),
    "tq_encoder_flush": (c_int, [_P, _u8p, c_size_t, POINTER(c_size_t)]),
    "tq_encoder_error_message": (c_char_p, [_P]),
    "tq_packet_samples": (c_int, [_u8p, c_size_t]),
    "tq_decoder_create": (c_int, [_u8p, c_size_t, POINTER(_P)]),
    "tq_decoder_destroy": (None, [_P]),
    "tq_decoder_family": (c_int, [_P]),
    "tq_decoder_sample_rate": (c_int, [_P]),
    "tq_decoder_channels": (c_int, [_P]),
    "tq_decoder_frame_size": (c_int, [_P]),
    "tq_decoder_delay": (c_int, [_P]),
    "tq_decode": (c_int, [_P, _u8p, c_size_t, _fp, c_int, POINTER(c_int)]),
    "tq_decoder_reset": (c_int, [_P]),
    "tq_decoder_limit_layers": (c_int, [_P, c_int]),
    "tq_decoder_error_message": (c_char_p, [_P]),
    "tq_file_writer_create": (c_int, [c_char_p, _u8p, c_size_t, c_int, c_uint64, POINTER(c_char_p), POINTER(_P)]),
    "tq_file_writer_write_packet": (c_int, [_P, c_uint64, _u8p, c_size_t]),
    "tq_file_writer_finish": (c_int, [_P, c_uint64]),
    "tq_file_writer_destroy": (None, [_P]),
    "tq_file_writer_error_message": (c_char_p, [_P]),
    "tq_file_reader_open": (c_int, [c_char_p, POINTER(_P)]),
    "tq_file_reader_info": (c_int, [_P, POINTER(FileInfo)]),
    "tq_file_reader_tag_count": (c_int, [_P]),
    "tq_file_reader_tag": (c_int, [_P, c_int, POINTER(c_char_p), POINTER(c_char_p)]),
    "tq_file_reader_next_packet": (c_int, [_P, POINTER(_u8p), POINTER(c_size_t), POINTER(c_uint64)]),
    "tq_file_reader_damage_count": (c_int, [_P]),
    "tq_file_reader_damage": (c_char_p, [_P, c_int]),
    "tq_file_reader_checksum_ok": (c_int, [_P]),
    "tq_file_reader_final_samples": (c_uint64, [_P]),
    "tq_file_reader_destroy": (None, [_P]),
    "tq_file_reader_error_message": (c_char_p, [_P]),
}
for _name, (_res, _args) in _signatures.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError as e:
        raise ImportError(f"tqcodec: {lib._name} lacks {_name} (a libtqcodec older than this package?)") from e
    _f.restype = _res
    _f.argtypes = _args
