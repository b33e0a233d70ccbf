// The committed reference vectors (vectors.hpp), today's (tests/data/vectors)
// and those of earlier format versions (tests/data/vectors-legacy, never
// regenerated), decode as they did when they were made: every sample within
// two 16-bit steps of the reference WAV (one half for the WAV's rounding, the
// rest for another machine's floating-point arithmetic), and bit-exactly where
// the machine computes as the one that made them did (the SHA-256;
// TQ_VECTORS_EXACT=1 makes a mismatch fail).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "../unit/test_support.hpp"
#include "vectors.hpp"

namespace {

constexpr double kTolerance = 2.0 / 32768;

struct Vector {
    std::string name, sha256;
};

// Each directory of vectors, and the fewest vectors its manifest may list.
struct VectorDir {
    const char* area;
    std::size_t least;
};
constexpr VectorDir kDirs[] = {{"vectors", 6}, {"vectors-legacy", 4}};

std::vector<Vector> manifest(const std::filesystem::path& dir) {
    std::ifstream in(dir / "vectors.txt");
    std::vector<Vector> vectors;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        Vector v;
        fields >> v.name >> v.sha256;
        vectors.push_back(v);
    }
    return vectors;
}

// Checks every vector of `dir` against its reference.
void check_vectors(const std::filesystem::path& dir, std::size_t least) {
    const std::vector<Vector> vectors = manifest(dir);
    ASSERT_GE(vectors.size(), least) << "vectors.txt missing or short in " << dir;
    const bool exact = std::getenv("TQ_VECTORS_EXACT") && std::string(std::getenv("TQ_VECTORS_EXACT")) == "1";
    for (const Vector& v : vectors) {
        SCOPED_TRACE(v.name);
        tqvectors::Decoded decoded;
        try {
            decoded = tqvectors::decode_file(dir / (v.name + ".tqc"));
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
            continue;
        }
        const std::vector<float> reference = tqtest::read_wav_samples(dir / (v.name + ".wav"));
        ASSERT_EQ(decoded.pcm.size(), reference.size());
        double worst = 0;
        for (size_t i = 0; i < reference.size(); ++i) {
            const double x = std::clamp(static_cast<double>(decoded.pcm[i]), -1.0, 32767.0 / 32768);
            worst = std::max(worst, std::fabs(x - reference[i]));
        }
        EXPECT_LE(worst, kTolerance) << "decodes differently from its reference: largest difference "
                                     << worst * 32768 << " 16-bit steps";
        const bool same_bits = tqvectors::pcm_sha256(decoded.pcm) == v.sha256;
        if (exact) {
            EXPECT_TRUE(same_bits) << "not bit-exact";
        }
        const char* verdict = worst > kTolerance ? "DIFFERS"
                              : same_bits        ? "bit-exact"
                                                 : "within tolerance, not bit-exact";
        std::printf("%-18s %s (largest difference %.2f 16-bit steps)\n", v.name.c_str(), verdict, worst * 32768);
    }
}

TEST(Vectors, EveryStreamDecodesToItsReference) {
    for (const VectorDir& d : kDirs) {
        SCOPED_TRACE(d.area);
        check_vectors(tqtest::test_data_dir(d.area), d.least);
    }
}

TEST(Vectors, TheManifestListsEveryStreamInTheDirectory) {
    for (const VectorDir& d : kDirs) {
        const std::filesystem::path dir = tqtest::test_data_dir(d.area);
        std::set<std::string> listed, present;
        for (const Vector& v : manifest(dir)) listed.insert(v.name);
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".tqc" || entry.path().extension() == ".wav")
                present.insert(entry.path().stem().string());
        EXPECT_EQ(listed, present) << d.area;
    }
}

}  // namespace
