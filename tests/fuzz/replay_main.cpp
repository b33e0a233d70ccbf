// Runs a fuzz target without libFuzzer, so every `meson test` exercises it.
//
//   fuzz_X_replay [--mutations N] [FILE|DIR]...
//       replays the files given (a committed corpus, crash regressions), then
//       builds the target's seeds and feeds N deterministic mutations of each
//       (bit flips, truncations, overwrites, insertions, extreme lengths).
//   fuzz_X_replay --write-seeds DIR
//       writes the seeds as files named for what they hold: a starting corpus
//       for libFuzzer (make-corpus.sh commits them under corpus/).
//   fuzz_X_replay --slowest FILE|DIR...
//       replays the files and prints the slowest (campaign.sh).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz_seeds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using tqfuzz::Bytes;
namespace fs = std::filesystem;

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

Bytes read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The files named, directories replaced by the files in them (sorted, so runs repeat).
std::vector<fs::path> input_files(const std::vector<std::string>& args) {
    std::vector<fs::path> files;
    for (const std::string& arg : args) {
        if (!fs::is_directory(arg)) {
            files.emplace_back(arg);
            continue;
        }
        std::vector<fs::path> inside;
        for (const auto& entry : fs::directory_iterator(arg))
            if (entry.is_regular_file()) inside.push_back(entry.path());
        std::sort(inside.begin(), inside.end());
        files.insert(files.end(), inside.begin(), inside.end());
    }
    return files;
}

int write_seeds(const fs::path& dir) {
    for (const tqfuzz::Seed& seed : tqfuzz::seed_inputs()) {
        std::ofstream out(dir / seed.name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(seed.bytes.data()), static_cast<std::streamsize>(seed.bytes.size()));
        if (!out) return std::fprintf(stderr, "cannot write %s\n", (dir / seed.name).c_str()), 1;
    }
    return 0;
}

double run_ms(const Bytes& input) {
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(input.data(), input.size());
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// Each input's second run is timed: the first may load a model or plan FFTs for the process.
int report_slowest(const std::vector<std::string>& args) {
    double slowest = 0;
    std::string which = "-";
    for (const fs::path& file : input_files(args)) {
        const Bytes input = read_file(file);
        run_ms(input);
        const double ms = run_ms(input);
        if (ms > slowest) {
            slowest = ms;
            which = file.filename().string();
        }
    }
    std::printf("%.1f ms %s\n", slowest, which.c_str());
    return 0;
}

int replay(const std::vector<std::string>& args, int mutations_per_seed) {
    const std::vector<fs::path> files = input_files(args);
    for (const fs::path& file : files) run_ms(read_file(file));
    const std::vector<tqfuzz::Seed> seeds = tqfuzz::seed_inputs();
    std::mt19937 rng(20261122);
    size_t runs = 0;
    for (const tqfuzz::Seed& seed : seeds) {
        LLVMFuzzerTestOneInput(seed.bytes.data(), seed.bytes.size());
        for (int i = 0; i < mutations_per_seed; ++i, ++runs) {
            const Bytes input = mutate(seed.bytes, rng);
            LLVMFuzzerTestOneInput(input.data(), input.size());
        }
    }
    std::printf("%zu files, %zu seeds, %zu mutated inputs: no crash\n", files.size(), seeds.size(), runs);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 2 && args[0] == "--write-seeds") return write_seeds(args[1]);
    if (!args.empty() && args[0] == "--slowest") return report_slowest({args.begin() + 1, args.end()});
    int mutations = 1000;
    if (args.size() >= 2 && args[0] == "--mutations") {
        mutations = std::atoi(args[1].c_str());
        args.erase(args.begin(), args.begin() + 2);
    }
    return replay(args, mutations);
}
