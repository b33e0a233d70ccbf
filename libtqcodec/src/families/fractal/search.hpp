// fractal encoder: the best quantized affine map for each range of one size,
// over the domain pool of that size (both time directions). Candidates come
// from exhaustive search or, for large pools, from an HNSW index on DCT
// embeddings; either way the chosen map is scored exactly after quantization.
#pragma once

#include <array>
#include <functional>
#include <span>
#include <vector>

#include "families/fractal/bitstream.hpp"
#include "families/fractal/params.hpp"

namespace tq::fractal {

// One quantized map of a range and its exact squared error on the signal.
struct Fit {
    double err = 0.0;
    int s_code = 0;
    int o_code = 0;
    int domain = 0;
    bool flip = false;
    double o_exact = 0.0;  // the least-squares o for s, which o_code rounds (to move it to another grid)
};

struct SearchContext {
    const Params& p;
    std::span<const float> signal;  // the packet's padded channel
    ScaleQuantizer scale;
    const OffsetQuantizer& offset;  // the channel's offset grid
    int threads;
    const OffsetQuantizer* coarse = nullptr;  // version 3: the channel's coarse offset grid
};

// f with its o rounded on `to` instead of `from` (from its o_exact), and its
// error moved by the difference: exact for f's s, a range of n samples.
Fit regrid(const Fit& f, const OffsetQuantizer& from, const OffsetQuantizer& to, int n);

// A range's best map on the channel's offset grid, and on its coarse grid
// where the context has one (each the best of the candidates on that grid).
struct BestMaps {
    Fit fine;
    Fit coarse;
};

// The best constant map (s = 0) of each range of `size` starting at `positions`:
// no domain, so no search.
std::vector<Fit> flat_fits(const SearchContext& ctx, int size, std::span<const int> positions);

// The domain search, the encoder's main cost: scores every domain candidate of
// the pool of `size` (both directions) against each range of the batch and
// returns the best quantized map of each (the flat fit when no domain beats it).
// Ranges are independent of each other, so a batch may be scored in any order
// or on any device.
std::vector<BestMaps> best_maps(const SearchContext& ctx, int size, std::span<const int> positions);

// A map of range r splits into maps of its halves onto windows of the pool of
// half r's size (the halves of r's decimated window). The fits of those two
// maps, with s and o fitted again for each half: what a split of r achieves
// without searching its halves.
std::array<Fit, 2> half_maps(const SearchContext& ctx, Span r, const Fit& map);

// Runs body(i) for i in [0, count) on up to `threads` threads.
void parallel_for(int count, int threads, const std::function<void(int)>& body);

// Whether the index-assisted search is used for a pool of `domains` windows.
bool use_hnsw(const Params& p, int domains);

}  // namespace tq::fractal
