// fractal encoder: the best quantized affine map for each range of one size,
// over the domain pool of that size (both time directions). Candidates come
// from exhaustive search or, for large pools, from an HNSW index on DCT
// embeddings; either way the chosen map is scored exactly after quantization.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "families/fractal/bitstream.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

struct Fit {
    double err = 0.0;  // squared error of the quantized map over the range
    int s_code = 0;
    int o_code = 0;
    int domain = 0;
    bool flip = false;
    bool searched = false;
};

struct SearchContext {
    const Params& p;
    std::span<const float> signal;  // the packet's padded channel
    ScaleQuantizer scale;
    OffsetQuantizer offset;
    int threads;
};

// One Fit per range of `size` starting at each of `positions`.
std::vector<Fit> fit_ranges(const SearchContext& ctx, int size, std::span<const int> positions);

// Runs body(i) for i in [0, count) on up to `threads` threads.
void parallel_for(int count, int threads, const std::function<void(int)>& body);

// Whether the index-assisted search is used for a pool of `domains` windows.
bool use_hnsw(const Params& p, int domains);

}  // namespace tq::fractal
