#!/usr/bin/env python3
"""Golden vectors for the C++ inference engine (libtqcodec/src/nn).

Builds small seeded layer stacks with torch.nn, runs each on a seeded random
input in float64, and writes one safetensors file per case into tests/data/nn/:
tensors "input", "expected" and the weights under "net.*", with the layer
stack described in __metadata__ the way libtqcodec/src/nn/builder.hpp reads it.
Runs on PyTorch 1.13 (Debian's python3-torch) and 2.x; needs nothing else.

    python3 tools/train/make_golden.py [--out tests/data/nn]
"""
import argparse
import pathlib

import torch
from torch import nn

from safetensors_io import write_safetensors
from spectral import CausalConv1d


class Snake(nn.Module):
    """x + sin^2(alpha x) / alpha, one alpha per channel (DAC's form)."""

    def __init__(self, channels):
        super().__init__()
        self.alpha = nn.Parameter(torch.empty(channels).uniform_(0.5, 2.0))

    def forward(self, x):
        a = self.alpha.view(1, -1, *([1] * (x.dim() - 2)))
        return x + (a + 1e-9).reciprocal() * torch.sin(a * x) ** 2


class Residual(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def pair(v):
    return v if isinstance(v, tuple) else (v, v)


def conv(kind, cin, cout, k, stride=1, padding=0, dilation=1, groups=1, output_padding=0, bias=True):
    """A torch conv module plus the metadata fields that describe it."""
    cls = {"conv1d": nn.Conv1d, "conv2d": nn.Conv2d,
           "conv_transpose1d": nn.ConvTranspose1d, "conv_transpose2d": nn.ConvTranspose2d}[kind]
    args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
    if "transpose" in kind:
        args["output_padding"] = output_padding
    module = cls(cin, cout, k, **args)
    fmt = (lambda v: str(v)) if kind.endswith("1d") else (lambda v: "%d,%d" % pair(v))
    meta = {"type": kind, "stride": fmt(stride), "padding": fmt(padding), "dilation": fmt(dilation),
            "groups": str(groups)}
    if "transpose" in kind:
        meta["output_padding"] = fmt(output_padding)
    return module, meta


def causal_conv1d(cin, cout, k, dilation=1):
    """spectral.py's CausalConv1d: padding 0 plus causal_padding zeros on the left."""
    module = CausalConv1d(cin, cout, k, dilation=dilation)
    return module, {"type": "conv1d", "stride": "1", "padding": "0", "dilation": str(dilation), "groups": "1",
                    "causal_padding": str(module.causal_padding)}


def weight_norm_conv1d(cin, cout, k, **kw):
    """A weight-normalised conv; describe() exports its folded weight g * v / |v|."""
    module, meta = conv("conv1d", cin, cout, k, **kw)
    module = nn.utils.weight_norm(module)
    with torch.no_grad():
        module.weight_g.uniform_(0.5, 1.5)
    return module, meta


def activation(kind, channels=None, **kw):
    if kind == "snake":
        return Snake(channels), {"type": "snake"}
    module = {"relu": nn.ReLU, "tanh": nn.Tanh}.get(kind)
    if module:
        return module(), {"type": kind}
    if kind == "elu":
        return nn.ELU(alpha=kw["alpha"]), {"type": "elu", "alpha": repr(kw["alpha"])}
    return nn.LeakyReLU(kw["slope"]), {"type": "leaky_relu", "slope": repr(kw["slope"])}


def residual(*layers):
    return Residual(nn.Sequential(*[m for m, _ in layers])), {"type": "residual", "body": [d for _, d in layers]}


def describe(prefix, module, meta, tensors, metadata):
    """Flattens one layer (recursively for residual blocks) into tensors and metadata."""
    body = meta.pop("body", None)
    metadata.update({"%s.%s" % (prefix, k): v for k, v in meta.items()})
    if body is not None:
        describe_stack(prefix + ".body", list(module.body), body, tensors, metadata)
    elif isinstance(module, Snake):
        tensors[prefix + ".alpha"] = module.alpha
    elif hasattr(module, "weight"):
        tensors[prefix + ".weight"] = module.weight  # weight norm already folded into .weight
        if module.bias is not None:
            tensors[prefix + ".bias"] = module.bias


def describe_stack(prefix, modules, metas, tensors, metadata):
    metadata[prefix + ".layers"] = str(len(modules))
    for i, (m, d) in enumerate(zip(modules, metas)):
        describe("%s.%d" % (prefix, i), m, d, tensors, metadata)


def cases():
    c1, c2 = "conv1d", "conv2d"
    t1, t2 = "conv_transpose1d", "conv_transpose2d"
    return {
        "conv1d_basic": ((3, 40), [conv(c1, 3, 5, 5, padding=2)]),
        "conv1d_stride_dilation": ((4, 50), [conv(c1, 4, 6, 3, stride=2, padding=3, dilation=3, bias=False)]),
        "conv1d_groups": ((6, 41), [conv(c1, 6, 9, 4, stride=3, padding=1, groups=3)]),
        "conv1d_depthwise": ((5, 30), [conv(c1, 5, 5, 7, padding=3, groups=5)]),
        "conv1d_pointwise": ((8, 33), [conv(c1, 8, 4, 1)]),
        "conv_transpose1d": ((4, 20), [conv(t1, 4, 6, 8, stride=4, padding=2, output_padding=1)]),
        "conv_transpose1d_groups_dilation": (
            (6, 17), [conv(t1, 6, 4, 3, stride=2, padding=1, dilation=2, groups=2, output_padding=1)]),
        "conv2d": ((2, 9, 14), [conv(c2, 2, 4, (3, 5), stride=(1, 2), padding=(1, 2))]),
        "conv2d_groups_dilation": (
            (4, 12, 11), [conv(c2, 4, 6, 3, stride=2, padding=(2, 1), dilation=(2, 1), groups=2)]),
        "conv_transpose2d": ((3, 6, 7), [conv(t2, 3, 2, (4, 3), stride=(2, 1), padding=(1, 1),
                                              output_padding=(1, 0))]),
        "conv_transpose2d_groups": ((4, 5, 5), [conv(t2, 4, 6, 3, stride=2, padding=1, groups=2,
                                                     dilation=(1, 2), output_padding=1)]),
        "weight_norm_conv1d": ((3, 32), [weight_norm_conv1d(3, 4, 5, stride=2, padding=2)]),
        "act_relu": ((3, 25), [activation("relu")]),
        "act_tanh": ((3, 25), [activation("tanh")]),
        "act_elu": ((3, 25), [activation("elu", alpha=0.7)]),
        "act_leaky_relu": ((3, 25), [activation("leaky_relu", slope=0.2)]),
        "act_snake": ((3, 25), [activation("snake", 3)]),
        "act_snake_2d": ((2, 4, 6), [activation("snake", 2)]),
        "residual_block": ((6, 48), [residual(activation("snake", 6), conv(c1, 6, 6, 3, padding=3, dilation=3),
                                              activation("snake", 6), conv(c1, 6, 6, 1))]),
        "stack_1d": ((1, 64), [
            conv(c1, 1, 8, 7, padding=3), activation("elu", alpha=1.0),
            conv(c1, 8, 16, 4, stride=2, padding=1),
            residual(activation("leaky_relu", slope=0.1), conv(c1, 16, 16, 3, padding=1)),
            weight_norm_conv1d(16, 16, 3, padding=1), activation("snake", 16),
            conv(t1, 16, 8, 4, stride=2, padding=1), activation("tanh"), conv(c1, 8, 1, 7, padding=3)]),
        "stack_2d": ((1, 16, 12), [
            conv(c2, 1, 4, 3, stride=2, padding=1), activation("leaky_relu", slope=0.2),
            residual(conv(c2, 4, 4, 3, padding=1), activation("elu", alpha=1.0)),
            conv(t2, 4, 2, 4, stride=2, padding=1), activation("tanh")]),
    }


def lazy_cases():
    """Cases built one at a time. cases() builds every module before a case's input is drawn, so a
    case added there would change every other case's values; new cases go here instead."""
    elu = lambda: activation("elu", alpha=1.0)
    return {
        "conv1d_causal": lambda: ((4, 30), [causal_conv1d(4, 6, 3, dilation=2)]),
        "causal_stack": lambda: ((5, 40), [
            causal_conv1d(5, 8, 7), residual(elu(), causal_conv1d(8, 8, 3, dilation=4), elu(), conv("conv1d", 8, 8, 1)),
            elu(), conv("conv1d", 8, 3, 1)]),
    }


def make_case(seed, shape, layers, out_dir, name):
    modules = [m for m, _ in layers]
    net = nn.Sequential(*modules).double()
    x = torch.randn(*shape, dtype=torch.float32).double() * 1.5
    with torch.no_grad():
        y = net(x.unsqueeze(0)).squeeze(0)
    tensors, metadata = {"input": x, "expected": y}, {"case": name, "seed": str(seed)}
    describe_stack("net", modules, [d for _, d in layers], tensors, metadata)
    write_safetensors(out_dir / (name + ".safetensors"), tensors, metadata)
    return y.shape


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "nn")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    names = list(cases().keys()) + list(lazy_cases().keys())
    for seed, name in enumerate(names):
        torch.manual_seed(seed)  # each case reseeded
        shape, layers = cases()[name] if name in cases() else lazy_cases()[name]()
        print("%-34s -> %s" % (name, tuple(make_case(seed, shape, layers, out, name))))


if __name__ == "__main__":
    main()
