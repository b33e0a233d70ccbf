// The range coder: lossless round trips, compression close to the Shannon
// bound, and damaged input that decodes without crashing or reading out of
// bounds.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/error.hpp"
#include "core/range_coder.hpp"

namespace {

using tq::AdaptiveModel;
using tq::RangeDecoder;
using tq::RangeEncoder;

std::vector<uint8_t> encode_all(const std::vector<int>& symbols, int alphabet) {
    AdaptiveModel model(alphabet);
    RangeEncoder enc;
    for (int s : symbols) enc.encode(model, s);
    return enc.finish();
}

std::vector<int> decode_all(const std::vector<uint8_t>& bytes, size_t count, int alphabet) {
    AdaptiveModel model(alphabet);
    RangeDecoder dec(bytes);
    std::vector<int> out(count);
    for (int& s : out) s = dec.decode(model);
    return out;
}

std::vector<int> uniform_symbols(size_t n, int alphabet, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pick(0, alphabet - 1);
    std::vector<int> out(n);
    for (int& s : out) s = pick(rng);
    return out;
}

TEST(RangeCoder, EmptyInputIsEmptyStream) {
    RangeEncoder enc;
    EXPECT_TRUE(enc.finish().empty());
    EXPECT_TRUE(decode_all({}, 0, 4).empty());
}

TEST(RangeCoder, SingleSymbolRoundTrips) {
    for (int alphabet : {1, 2, 7, 4096}) {
        for (int s : {0, alphabet - 1}) {
            const auto bytes = encode_all({s}, alphabet);
            EXPECT_LE(bytes.size(), 3u);
            EXPECT_EQ(decode_all(bytes, 1, alphabet), std::vector<int>{s});
        }
    }
}

TEST(RangeCoder, OneSymbolAlphabetCostsNothing) {
    const auto bytes = encode_all(std::vector<int>(10000, 0), 1);
    EXPECT_LE(bytes.size(), 1u);
    EXPECT_EQ(decode_all(bytes, 10000, 1), std::vector<int>(10000, 0));
}

TEST(RangeCoder, RandomSymbolsRoundTripAtLog2OfTheAlphabet) {
    for (int alphabet : {2, 3, 16, 100, 256, 4096}) {
        const auto symbols = uniform_symbols(20000, alphabet, static_cast<unsigned>(alphabet));
        const auto bytes = encode_all(symbols, alphabet);
        EXPECT_EQ(decode_all(bytes, symbols.size(), alphabet), symbols) << alphabet;
        const double ideal = static_cast<double>(symbols.size()) * std::log2(alphabet) / 8;
        // 20000 samples barely teach a 4096-ary model that it is flat: it pays for learning.
        const double slack = alphabet <= 256 ? 1.02 : 1.10;
        EXPECT_LT(static_cast<double>(bytes.size()), ideal * slack + 16) << alphabet;
    }
}

TEST(RangeCoder, LargeAlphabetAdaptsToSkew) {
    std::mt19937 rng(3);
    std::geometric_distribution<int> geo(0.05);
    std::vector<int> symbols(50000);
    for (int& s : symbols) s = std::min(geo(rng) * 37, 4095);  // sparse use of a 4096 alphabet
    const auto bytes = encode_all(symbols, 4096);
    EXPECT_EQ(decode_all(bytes, symbols.size(), 4096), symbols);
    EXPECT_LT(bytes.size(), symbols.size() * 6 / 8);  // far below the 12 bits of a flat code
}

// A stationary skewed source: the adaptive model must come within a few
// percent of the source's entropy.
TEST(RangeCoder, SkewedSourceNearTheShannonBound) {
    const std::vector<double> p = {0.6, 0.2, 0.1, 0.05, 0.03, 0.015, 0.004, 0.001};
    double entropy_bits = 0;
    for (double q : p) entropy_bits -= q * std::log2(q);
    std::mt19937 rng(11);
    std::discrete_distribution<int> source(p.begin(), p.end());
    std::vector<int> symbols(200000);
    for (int& s : symbols) s = source(rng);
    const auto bytes = encode_all(symbols, 8);
    EXPECT_EQ(decode_all(bytes, symbols.size(), 8), symbols);
    const double ideal = entropy_bits * static_cast<double>(symbols.size()) / 8;
    const double size = static_cast<double>(bytes.size());
    std::printf("  skewed source: %zu bytes, Shannon bound %.0f bytes (+%.2f%%)\n", bytes.size(), ideal,
                100.0 * (size / ideal - 1));
    EXPECT_LT(size, ideal * 1.03);
}

TEST(RangeCoder, HighlySkewedBinarySource) {
    std::mt19937 rng(5);
    std::bernoulli_distribution one(0.01);
    std::vector<int> symbols(100000);
    for (int& s : symbols) s = one(rng) ? 1 : 0;
    const auto bytes = encode_all(symbols, 2);
    EXPECT_EQ(decode_all(bytes, symbols.size(), 2), symbols);
    const double ideal = (-0.01 * std::log2(0.01) - 0.99 * std::log2(0.99)) * static_cast<double>(symbols.size()) / 8;
    // At p = 0.01 the count floor of 1 and the adaptation cost weigh more.
    EXPECT_LT(static_cast<double>(bytes.size()), ideal * 1.10);
}

TEST(RangeCoder, InterleavedModelsRawBitsAndIntervals) {
    std::mt19937 rng(9);
    struct Item {
        int kind;
        uint32_t value;
        int bits;
    };
    std::vector<Item> items(30000);
    for (auto& it : items) {
        it.kind = static_cast<int>(rng() % 4);
        it.bits = static_cast<int>(rng() % 33);
        const uint32_t mask = it.bits == 32 ? 0xFFFFFFFFu : (1u << it.bits) - 1;
        const auto r = static_cast<uint32_t>(rng());
        it.value = it.kind == 0 ? r % 5 : it.kind == 1 ? r % 300 : it.kind == 2 ? r & mask : r % 10;
    }
    // Kind 3: a static distribution over 0..9 where symbol v has frequency v + 1.
    auto interval = [](uint32_t v) { return std::pair<uint32_t, uint32_t>{v * (v + 1) / 2, v + 1}; };
    const uint32_t static_total = 55;  // sum of 1..10

    AdaptiveModel small(5), big(300);
    RangeEncoder enc;
    for (const auto& it : items) {
        if (it.kind == 0) enc.encode(small, static_cast<int>(it.value));
        if (it.kind == 1) enc.encode(big, static_cast<int>(it.value));
        if (it.kind == 2) enc.encode_bits(it.value, it.bits);
        if (it.kind == 3) enc.encode_interval(interval(it.value).first, interval(it.value).second, static_total);
    }
    const auto bytes = enc.finish();

    AdaptiveModel small_d(5), big_d(300);
    RangeDecoder dec(bytes);
    for (const auto& it : items) {
        uint32_t got = 0;
        if (it.kind == 0) got = static_cast<uint32_t>(dec.decode(small_d));
        if (it.kind == 1) got = static_cast<uint32_t>(dec.decode(big_d));
        if (it.kind == 2) got = dec.decode_bits(it.bits);
        if (it.kind == 3) {
            const uint32_t t = dec.target(static_total);
            uint32_t v = 0;
            while (interval(v).first + interval(v).second <= t) ++v;
            dec.consume(interval(v).first, interval(v).second);
            got = v;
        }
        ASSERT_EQ(got, it.value) << "kind " << it.kind;
    }
}

// Many short streams exercise the flush and the trimming of trailing zeros.
TEST(RangeCoder, ManyShortMixedStreamsRoundTrip) {
    std::mt19937 rng(21);
    for (int stream = 0; stream < 3000; ++stream) {
        const int alphabet = 1 + static_cast<int>(rng() % 40);
        const size_t length = rng() % 24;
        std::vector<uint32_t> values(length), bits(length);
        AdaptiveModel model(alphabet);
        RangeEncoder enc;
        for (size_t i = 0; i < length; ++i) {
            bits[i] = rng() % 2 ? 0 : 1 + static_cast<uint32_t>(rng() % 32);  // 0: a model symbol
            const auto r = static_cast<uint32_t>(rng() % 3 ? 0 : rng());        // often zeros
            values[i] = bits[i] ? (bits[i] == 32 ? r : r & ((1u << bits[i]) - 1)) : r % static_cast<uint32_t>(alphabet);
            if (bits[i]) {
                enc.encode_bits(values[i], static_cast<int>(bits[i]));
            } else {
                enc.encode(model, static_cast<int>(values[i]));
            }
        }
        const auto bytes = enc.finish();
        AdaptiveModel model_d(alphabet);
        RangeDecoder dec(bytes);
        for (size_t i = 0; i < length; ++i) {
            const uint32_t got = bits[i] ? dec.decode_bits(static_cast<int>(bits[i]))
                                         : static_cast<uint32_t>(dec.decode(model_d));
            ASSERT_EQ(got, values[i]) << "stream " << stream << " item " << i;
        }
    }
}

TEST(RangeCoder, TrailingZeroTrimmingStillDecodes) {
    // Long runs of symbol 0 end in many zero bytes; the decoder supplies them.
    std::vector<int> symbols(5000, 0);
    symbols[17] = 3;
    const auto bytes = encode_all(symbols, 4);
    EXPECT_EQ(decode_all(bytes, symbols.size(), 4), symbols);
    RangeEncoder enc;
    enc.encode_bits(0, 32);
    enc.encode_bits(0x80000000u, 32);
    const auto raw = enc.finish();
    RangeDecoder dec(raw);
    EXPECT_EQ(dec.decode_bits(32), 0u);
    EXPECT_EQ(dec.decode_bits(32), 0x80000000u);
}

TEST(RangeCoder, CorruptOrTruncatedInputNeverCrashes) {
    const auto symbols = uniform_symbols(4000, 300, 2);
    const auto valid = encode_all(symbols, 300);
    std::mt19937 rng(4);
    for (int trial = 0; trial < 300; ++trial) {
        auto bytes = valid;
        if (trial % 2) {
            bytes.resize(rng() % bytes.size());
        } else {
            for (int i = 0; i < 8; ++i) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
        }
        AdaptiveModel model(300);
        RangeDecoder dec(bytes);
        for (int i = 0; i < 4000; ++i) {
            const int s = dec.decode(model);
            ASSERT_TRUE(s >= 0 && s < 300);
            if (i % 100 == 0) {
                ASSERT_LT(dec.decode_bits(7), 128u);
            }
        }
    }
    // Garbage that no encoder produced: all 0xFF.
    std::vector<uint8_t> ff(64, 0xFF);
    AdaptiveModel model(16);
    RangeDecoder dec(ff);
    for (int i = 0; i < 1000; ++i) ASSERT_LT(dec.decode(model), 16);
    EXPECT_LT(dec.decode_bits(32), 0xFFFFFFFFu + 1ull);
}

TEST(RangeCoder, RejectsInvalidArguments) {
    EXPECT_THROW(AdaptiveModel(0), tq::Error);
    EXPECT_THROW(AdaptiveModel(4097), tq::Error);
    AdaptiveModel model(4);
    RangeEncoder enc;
    EXPECT_THROW(enc.encode(model, 4), tq::Error);
    EXPECT_THROW(enc.encode(model, -1), tq::Error);
    EXPECT_THROW(enc.encode_bits(0, 33), tq::Error);
    EXPECT_THROW(enc.encode_interval(3, 2, 4), tq::Error);
    EXPECT_THROW(enc.encode_interval(0, 1, AdaptiveModel::max_total + 1), tq::Error);
}

TEST(RangeCoder, ThroughputOfAnAdaptiveModel) {
    const auto symbols = uniform_symbols(1000000, 64, 8);
    const auto start = std::chrono::steady_clock::now();
    const auto bytes = encode_all(symbols, 64);
    const auto mid = std::chrono::steady_clock::now();
    const auto back = decode_all(bytes, symbols.size(), 64);
    const auto end = std::chrono::steady_clock::now();
    EXPECT_EQ(back, symbols);
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    std::printf("  1M symbols of a 64-ary model: encode %.1f ms, decode %.1f ms\n", ms(start, mid), ms(mid, end));
}

}  // namespace
