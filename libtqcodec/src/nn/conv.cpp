#include "nn/conv.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "nn/gemm.hpp"

namespace tq::nn {
namespace {

// Larger geometry than this is no network we ship; the cap keeps output sizes
// far from overflow whatever a model file says.
constexpr size_t max_geometry = 1 << 16;

struct Plane {
    size_t h, w;
    size_t size() const { return h * w; }
};

struct Kernel {
    size_t h, w;
    size_t size() const { return h * w; }
};

// Position along one axis of input tap `k` for output `o`; negative or past
// the end means the tap falls in the zero padding.
ptrdiff_t tap(size_t o, size_t k, size_t axis, const ConvGeometry& g) {
    return static_cast<ptrdiff_t>(o * g.stride[axis] + k * g.dilation[axis]) -
           static_cast<ptrdiff_t>(g.padding[axis]);
}

bool inside(ptrdiff_t i, size_t n) { return i >= 0 && static_cast<size_t>(i) < n; }

// col[(c, ky, kx), (oy, ox)] = x[c, tap(oy, ky), tap(ox, kx)], zero outside.
void im2col(const float* x, size_t channels, Plane in, Kernel k, Plane out, const ConvGeometry& g, float* col) {
    for (size_t c = 0; c < channels; ++c) {
        for (size_t ky = 0; ky < k.h; ++ky) {
            for (size_t kx = 0; kx < k.w; ++kx) {
                float* row = col + ((c * k.h + ky) * k.w + kx) * out.size();
                for (size_t oy = 0; oy < out.h; ++oy) {
                    const ptrdiff_t iy = tap(oy, ky, 0, g);
                    float* dst = row + oy * out.w;
                    if (!inside(iy, in.h)) {
                        std::fill_n(dst, out.w, 0.0f);
                        continue;
                    }
                    const float* src = x + (c * in.h + static_cast<size_t>(iy)) * in.w;
                    for (size_t ox = 0; ox < out.w; ++ox) {
                        const ptrdiff_t ix = tap(ox, kx, 1, g);
                        dst[ox] = inside(ix, in.w) ? src[ix] : 0.0f;
                    }
                }
            }
        }
    }
}

// The transpose of im2col: y[c, tap(iy, ky), tap(ix, kx)] += col[(c, ky, kx), (iy, ix)].
void col2im(const float* col, size_t channels, Plane in, Kernel k, Plane out, const ConvGeometry& g, float* y) {
    for (size_t c = 0; c < channels; ++c) {
        for (size_t ky = 0; ky < k.h; ++ky) {
            for (size_t kx = 0; kx < k.w; ++kx) {
                const float* row = col + ((c * k.h + ky) * k.w + kx) * in.size();
                for (size_t iy = 0; iy < in.h; ++iy) {
                    const ptrdiff_t oy = tap(iy, ky, 0, g);
                    if (!inside(oy, out.h)) continue;
                    float* dst = y + (c * out.h + static_cast<size_t>(oy)) * out.w;
                    for (size_t ix = 0; ix < in.w; ++ix) {
                        const ptrdiff_t ox = tap(ix, kx, 1, g);
                        if (inside(ox, out.w)) dst[ox] += row[iy * in.w + ix];
                    }
                }
            }
        }
    }
}

void check_geometry(const Tensor& weight, const std::optional<Tensor>& bias, const ConvGeometry& g,
                    size_t out_channels, const char* what) {
    const std::string name = what;
    require(weight.rank() == 4 && weight.dim(2) >= 1 && weight.dim(3) >= 1 && weight.size() > 0, TQ_ERR_MODEL,
            name + ": weight shape " + to_string(weight.shape()) + " is not [a, b, kh, kw] with nonzero sizes");
    require(g.groups >= 1 && out_channels % g.groups == 0 && weight.dim(0) % g.groups == 0, TQ_ERR_MODEL,
            name + ": " + std::to_string(g.groups) + " groups do not divide the channels of " +
                to_string(weight.shape()));
    for (size_t axis = 0; axis < 2; ++axis) {
        require(g.stride[axis] >= 1 && g.dilation[axis] >= 1 && g.stride[axis] <= max_geometry &&
                    g.dilation[axis] <= max_geometry && g.padding[axis] <= max_geometry,
                TQ_ERR_MODEL, name + ": stride, dilation or padding out of range");
        require(g.output_padding[axis] < std::max(g.stride[axis], g.dilation[axis]), TQ_ERR_MODEL,
                name + ": output_padding must be smaller than stride or dilation");
    }
    require(!bias || bias->shape() == Shape{out_channels}, TQ_ERR_MODEL,
            name + ": bias shape " + (bias ? to_string(bias->shape()) : "") + " is not [" +
                std::to_string(out_channels) + "]");
}

void add_bias(Tensor& y, const std::optional<Tensor>& bias) {
    if (!bias) return;
    const size_t plane = y.size() / y.dim(0);
    for (size_t c = 0; c < y.dim(0); ++c) {
        float* row = y.data() + c * plane;
        const float b = bias->data()[c];
        for (size_t i = 0; i < plane; ++i) row[i] += b;
    }
}

Plane input_plane(const Tensor& x, size_t channels, const char* what) {
    require(x.rank() == 3 && x.dim(0) == channels && x.dim(1) >= 1 && x.dim(2) >= 1, TQ_ERR_MODEL,
            std::string(what) + ": input " + to_string(x.shape()) + " is not [" + std::to_string(channels) +
                ", H, W]");
    return {x.dim(1), x.dim(2)};
}

size_t conv_out(size_t n, size_t k, size_t axis, const ConvGeometry& g) {
    const size_t span = g.dilation[axis] * (k - 1) + 1;
    require(n + 2 * g.padding[axis] >= span, TQ_ERR_MODEL,
            "conv: input of " + std::to_string(n) + " shorter than the kernel span " + std::to_string(span));
    return (n + 2 * g.padding[axis] - span) / g.stride[axis] + 1;
}

size_t transposed_out(size_t n, size_t k, size_t axis, const ConvGeometry& g) {
    const size_t full = (n - 1) * g.stride[axis] + g.dilation[axis] * (k - 1) + g.output_padding[axis] + 1;
    require(full > 2 * g.padding[axis], TQ_ERR_MODEL, "conv_transpose: padding leaves no output");
    return full - 2 * g.padding[axis];
}

}  // namespace

Conv2d::Conv2d(Tensor weight, std::optional<Tensor> bias, ConvGeometry geometry)
    : weight_(std::move(weight)), bias_(std::move(bias)), g_(geometry) {
    check_geometry(weight_, bias_, g_, weight_.rank() == 4 ? weight_.dim(0) : 0, "conv");
}

Tensor Conv2d::forward(const Tensor& x) const {
    const size_t out_ch = weight_.dim(0), in_per_group = weight_.dim(1);
    const Kernel k{weight_.dim(2), weight_.dim(3)};
    const Plane in = input_plane(x, in_per_group * g_.groups, "conv");
    const Plane out{conv_out(in.h, k.h, 0, g_), conv_out(in.w, k.w, 1, g_)};
    const size_t out_per_group = out_ch / g_.groups, rows = in_per_group * k.size();

    Tensor y({out_ch, out.h, out.w});
    const bool pointwise = k.size() == 1 && g_.stride == std::array<size_t, 2>{1, 1} &&
                           g_.padding == std::array<size_t, 2>{0, 0};
    std::vector<float> col(pointwise ? 0 : rows * out.size());
    for (size_t group = 0; group < g_.groups; ++group) {
        const float* xg = x.data() + group * in_per_group * in.size();
        if (!pointwise) im2col(xg, in_per_group, in, k, out, g_, col.data());
        sgemm({.m = out_per_group, .n = out.size(), .k = rows,
               .a = weight_.data() + group * out_per_group * rows, .lda = rows,
               .b = pointwise ? xg : col.data(), .ldb = out.size(),
               .c = y.data() + group * out_per_group * out.size(), .ldc = out.size()});
    }
    add_bias(y, bias_);
    return y;
}

ConvTranspose2d::ConvTranspose2d(Tensor weight, std::optional<Tensor> bias, ConvGeometry geometry)
    : weight_(std::move(weight)), bias_(std::move(bias)), g_(geometry) {
    check_geometry(weight_, bias_, g_, weight_.rank() == 4 ? weight_.dim(1) * g_.groups : 0, "conv_transpose");
}

Tensor ConvTranspose2d::forward(const Tensor& x) const {
    const size_t in_ch = weight_.dim(0), out_per_group = weight_.dim(1);
    const size_t in_per_group = in_ch / g_.groups;
    const Kernel k{weight_.dim(2), weight_.dim(3)};
    const Plane in = input_plane(x, in_ch, "conv_transpose");
    const Plane out{transposed_out(in.h, k.h, 0, g_), transposed_out(in.w, k.w, 1, g_)};
    const size_t rows = out_per_group * k.size();

    Tensor y({out_per_group * g_.groups, out.h, out.w});
    std::vector<float> col(rows * in.size());
    for (size_t group = 0; group < g_.groups; ++group) {
        sgemm({.m = rows, .n = in.size(), .k = in_per_group,
               .a = weight_.data() + group * in_per_group * rows, .lda = rows,
               .b = x.data() + group * in_per_group * in.size(), .ldb = in.size(),
               .c = col.data(), .ldc = in.size(), .transpose_a = true});
        col2im(col.data(), out_per_group, in, k, out, g_, y.data() + group * out_per_group * out.size());
    }
    add_bias(y, bias_);
    return y;
}

namespace {

Tensor as_2d_weight(const Tensor& w, const char* what) {
    require(w.rank() == 3, TQ_ERR_MODEL,
            std::string(what) + ": weight shape " + to_string(w.shape()) + " is not [a, b, k]");
    return w.reshaped({w.dim(0), w.dim(1), 1, w.dim(2)});
}

ConvGeometry width_geometry(size_t stride, size_t padding, size_t output_padding, size_t dilation,
                            size_t groups) {
    return {.stride = {1, stride}, .padding = {0, padding}, .dilation = {1, dilation},
            .output_padding = {0, output_padding}, .groups = groups};
}

Tensor run_as_2d(const Layer& conv, const Tensor& x) {
    require(x.rank() == 2, TQ_ERR_MODEL, "conv1d: input " + to_string(x.shape()) + " is not [C, T]");
    Tensor y = conv.forward(x.reshaped({x.dim(0), 1, x.dim(1)}));
    return y.reshaped({y.dim(0), y.dim(2)});
}

}  // namespace

Conv1d::Conv1d(const Tensor& weight, std::optional<Tensor> bias, size_t stride, size_t padding, size_t dilation,
               size_t groups, size_t causal_padding)
    : conv_(as_2d_weight(weight, "conv1d"), std::move(bias), width_geometry(stride, padding, 0, dilation, groups)),
      causal_padding_(causal_padding) {
    require(causal_padding <= max_geometry, TQ_ERR_MODEL, "conv1d: causal padding out of range");
}

Tensor Conv1d::forward(const Tensor& x) const {
    if (causal_padding_ == 0) return run_as_2d(conv_, x);
    require(x.rank() == 2, TQ_ERR_MODEL, "conv1d: input " + to_string(x.shape()) + " is not [C, T]");
    const size_t channels = x.dim(0), length = x.dim(1), padded = length + causal_padding_;
    Tensor left_padded({channels, padded});
    for (size_t c = 0; c < channels; ++c)
        std::copy_n(x.data() + c * length, length, left_padded.data() + c * padded + causal_padding_);
    return run_as_2d(conv_, left_padded);
}

ConvTranspose1d::ConvTranspose1d(const Tensor& weight, std::optional<Tensor> bias, size_t stride, size_t padding,
                                 size_t output_padding, size_t dilation, size_t groups)
    : conv_(as_2d_weight(weight, "conv_transpose1d"), std::move(bias),
            width_geometry(stride, padding, output_padding, dilation, groups)) {}

Tensor ConvTranspose1d::forward(const Tensor& x) const { return run_as_2d(conv_, x); }

}  // namespace tq::nn
