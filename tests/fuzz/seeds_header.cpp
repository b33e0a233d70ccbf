// Seeds for fuzz_header_<family>: the stream header of every shape in stream_shapes().
#include "fuzz_seeds.hpp"

namespace tqfuzz {

std::vector<Seed> seed_inputs() {
    std::vector<Seed> seeds;
    for (const StreamShape& shape : stream_shapes(kFamily))
        seeds.push_back({shape.name(), stream_header(shape)});
    return seeds;
}

}  // namespace tqfuzz
