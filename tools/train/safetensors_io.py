"""Writes .safetensors files the C++ engine reads (libtqcodec/src/nn/safetensors.hpp, builder.hpp).

Twenty lines of format (u64 little-endian header length, JSON header padded with spaces to 8 bytes,
raw little-endian data) and a describer that turns a torch.nn.Sequential of the layers the engine
knows (plain torch.nn ones and spectral.py's Residual and CausalConv1d) into the `__metadata__`
entries builder.hpp reads. Needs only torch (1.13 or 2.x).
"""
import json
import struct

import torch
from torch import nn

from spectral import CausalConv1d, Residual

DTYPES = {"F32": (torch.float32, "f"), "F16": (torch.float16, "e")}


def write_safetensors(path, tensors, metadata, dtype="F32"):
    """tensors: name -> tensor (stored as `dtype`); metadata: str -> str."""
    torch_dtype, code = DTYPES[dtype]
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        values = t.detach().to(torch_dtype).to(torch.float32).flatten().tolist()
        data = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned, as the reference writer does
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """-> (tensors: name -> float32 tensor, metadata). Only what write_safetensors writes."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    metadata = header.pop("__metadata__", {})
    base, tensors = 8 + size, {}
    for name, entry in header.items():
        dtype, code = DTYPES[entry["dtype"]][0], DTYPES[entry["dtype"]][1]
        begin, end = entry["data_offsets"]
        values = struct.unpack("<%d%s" % ((end - begin) // struct.calcsize(code), code), data[base + begin:base + end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(entry["shape"])
    return tensors, metadata


def _geometry(value, two_d):
    if two_d:
        v = value if isinstance(value, tuple) else (value, value)
        return "%d,%d" % v
    return str(value[0] if isinstance(value, tuple) else value)


def _layer_metadata(module):
    convs = {nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", CausalConv1d: "conv1d",
             nn.ConvTranspose1d: "conv_transpose1d", nn.ConvTranspose2d: "conv_transpose2d"}
    kind = convs.get(type(module))
    if isinstance(module, CausalConv1d):
        return {"type": "conv1d", "groups": str(module.groups), "stride": "1", "padding": "0",
                "dilation": str(module.dilation[0]), "causal_padding": str(module.causal_padding)}
    if kind:
        two_d = kind.endswith("2d")
        meta = {"type": kind, "groups": str(module.groups)}
        for field in ("stride", "padding", "dilation") + (("output_padding",) if "transpose" in kind else ()):
            meta[field] = _geometry(getattr(module, field), two_d)
        return meta
    if isinstance(module, nn.ELU):
        return {"type": "elu", "alpha": repr(float(module.alpha))}
    if isinstance(module, nn.LeakyReLU):
        return {"type": "leaky_relu", "slope": repr(float(module.negative_slope))}
    if isinstance(module, (nn.ReLU, nn.Tanh)):
        return {"type": "relu" if isinstance(module, nn.ReLU) else "tanh"}
    raise ValueError("no C++ layer for %s" % type(module).__name__)


def describe_sequential(prefix, seq, tensors, metadata):
    """Adds seq's weights (under prefix.<i>.weight/bias) and its layer metadata; a Residual's body
    goes under prefix.<i>.body."""
    metadata[prefix + ".layers"] = str(len(seq))
    for i, module in enumerate(seq):
        p = "%s.%d" % (prefix, i)
        if isinstance(module, Residual):
            metadata[p + ".type"] = "residual"
            describe_sequential(p + ".body", module.body, tensors, metadata)
            continue
        metadata.update({"%s.%s" % (p, k): v for k, v in _layer_metadata(module).items()})
        if getattr(module, "weight", None) is not None:
            tensors[p + ".weight"] = module.weight
            if module.bias is not None:
                tensors[p + ".bias"] = module.bias
