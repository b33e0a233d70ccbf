// Runs a fuzz target without libFuzzer, so every `meson test` exercises it:
// builds valid seed inputs, then feeds a fixed number of deterministic
// mutations of them (bit flips, truncations, overwrites, insertions). Files
// given on the command line (e.g. crashes found by libFuzzer) are replayed too.
// `--write-seeds DIR` writes the seeds as files, a starting corpus for libFuzzer.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <iterator>
#include <random>
#include <vector>

#include "fuzz_seeds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

Bytes mutate(Bytes input, std::mt19937& rng) {
    auto pick = [&](size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; };
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !input.empty(); ++e) {
        switch (rng() % 5) {
            case 0: input[pick(input.size())] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
            case 1: input.resize(pick(input.size())); break;
            case 2: input[pick(input.size())] = static_cast<uint8_t>(rng()); break;
            case 3: input.insert(input.begin() + static_cast<long>(pick(input.size())), static_cast<uint8_t>(rng())); break;
            case 4:  // a 32-bit field set to an extreme value: lengths and counts
                for (size_t i = pick(input.size()), k = 0; k < 4 && i + k < input.size(); ++k)
                    input[i + k] = rng() % 2 ? 0xFF : 0x7F;
                break;
        }
    }
    return input;
}

Bytes read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

int write_seeds(const std::string& dir) {
    const std::vector<Bytes> seeds = tqfuzz::seed_inputs();
    for (size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir + "/seed" + std::to_string(i), std::ios::binary);
        out.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));
        if (!out) return std::fprintf(stderr, "cannot write seeds into %s\n", dir.c_str()), 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--write-seeds") == 0) return write_seeds(argv[2]);
    for (int i = 1; i < argc; ++i) {
        Bytes input = read_file(argv[i]);
        LLVMFuzzerTestOneInput(input.data(), input.size());
    }
    const std::vector<Bytes> seeds = tqfuzz::seed_inputs();
    constexpr int kMutationsPerSeed = 3000;
    std::mt19937 rng(20261122);
    size_t runs = 0;
    for (const Bytes& seed : seeds) {
        LLVMFuzzerTestOneInput(seed.data(), seed.size());
        for (int i = 0; i < kMutationsPerSeed; ++i, ++runs) {
            Bytes input = mutate(seed, rng);
            LLVMFuzzerTestOneInput(input.data(), input.size());
        }
    }
    std::printf("%zu seeds, %zu mutated inputs, no crash\n", seeds.size(), runs);
    return 0;
}
