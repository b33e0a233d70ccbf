// The inference engine: PyTorch golden vectors (tools/train/make_golden.py)
// for every layer kind, and the safetensors loader against damaged and
// hostile files.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "nn/activations.hpp"
#include "nn/builder.hpp"
#include "nn/conv.hpp"
#include "nn/safetensors.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using tq::nn::SafeTensors;
using tq::nn::Shape;
using tq::nn::Tensor;

fs::path golden_dir() { return tqtest::test_data_dir("nn"); }

std::vector<fs::path> golden_files() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(golden_dir())) {
        if (entry.path().extension() == ".safetensors") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

double relative_error(const Tensor& got, const Tensor& want) { return tqtest::relative_error(got.values(), want.values()); }

// A safetensors file from a header text and a data section.
std::vector<uint8_t> make_file(const std::string& header, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(8 + header.size() + data.size());
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
    std::copy(header.begin(), header.end(), out.begin() + 8);
    std::copy(data.begin(), data.end(), out.begin() + 8 + static_cast<ptrdiff_t>(header.size()));
    return out;
}

std::vector<uint8_t> floats_le(const std::vector<float>& v) {
    std::vector<uint8_t> out(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

// Parsing must fail with TQ_ERR_MODEL and a message containing `fragment`.
void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& fragment) {
    try {
        SafeTensors::parse(bytes, "hostile");
        ADD_FAILURE() << "accepted a file that should fail with '" << fragment << "'";
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL);
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

void expect_header_rejected(const std::string& header, const std::string& fragment, size_t data_bytes = 16) {
    expect_rejected(make_file(header, std::vector<uint8_t>(data_bytes)), fragment);
}

/* ---- golden vectors ---- */

TEST(NnGolden, EveryCaseMatchesPyTorch) {
    const auto files = golden_files();
    ASSERT_GE(files.size(), 23u) << "golden files missing in " << golden_dir();
    for (const auto& path : files) {
        SCOPED_TRACE(path.filename().string());
        const SafeTensors file = SafeTensors::load(path);
        const auto net = tq::nn::build_sequential(file, "net");
        const Tensor& want = file.get("expected");
        const Tensor got = net->forward(file.get("input"));
        ASSERT_EQ(got.shape(), want.shape());
        const double err = relative_error(got, want);
        EXPECT_LT(err, 1e-4);
        std::printf("  %-36s %-14s max rel error %.2e\n", path.stem().c_str(),
                    tq::nn::to_string(want.shape()).c_str(), err);
    }
}

TEST(NnGolden, OneNetworkRunsInManyThreadsAtOnce) {
    const SafeTensors file = SafeTensors::load(golden_dir() / "stack_1d.safetensors");
    const auto net = tq::nn::build_sequential(file, "net");
    std::vector<double> errors(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < errors.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                errors[t] = std::max(errors[t], relative_error(net->forward(file.get("input")), file.get("expected")));
            }
        });
    }
    for (auto& th : threads) th.join();
    for (double e : errors) EXPECT_LT(e, 1e-4);
}

/* ---- layers ---- */

TEST(NnLayers, ConvRejectsWrongInputChannels) {
    tq::nn::Conv1d conv(Tensor({4, 3, 3}), std::nullopt, 1, 1, 1, 1);
    EXPECT_THROW(conv.forward(Tensor({2, 10})), tq::Error);
    EXPECT_THROW(conv.forward(Tensor({3, 10, 1})), tq::Error);
    EXPECT_NO_THROW(conv.forward(Tensor({3, 10})));
}

TEST(NnLayers, ConvRejectsInputShorterThanKernel) {
    tq::nn::Conv1d conv(Tensor({1, 1, 5}), std::nullopt, 1, 0, 2, 1);
    EXPECT_THROW(conv.forward(Tensor({1, 8})), tq::Error);
    EXPECT_EQ(conv.forward(Tensor({1, 9})).shape(), (Shape{1, 1}));
}

TEST(NnLayers, ConvRejectsInconsistentWeights) {
    EXPECT_THROW(tq::nn::Conv1d(Tensor({4, 3, 3}), std::nullopt, 1, 0, 1, 3), tq::Error);   // 3 ∤ 4
    EXPECT_THROW(tq::nn::Conv1d(Tensor({4, 3, 3}), Tensor({3}), 1, 0, 1, 1), tq::Error);    // bias
    EXPECT_THROW(tq::nn::Conv1d(Tensor({4, 3, 3}), std::nullopt, 0, 0, 1, 1), tq::Error);   // stride 0
    EXPECT_THROW(tq::nn::Conv1d(Tensor({4, 3, 0}), std::nullopt, 1, 0, 1, 1), tq::Error);   // empty kernel
    EXPECT_THROW(tq::nn::ConvTranspose1d(Tensor({4, 3, 3}), std::nullopt, 2, 0, 2, 1, 1), tq::Error);
    EXPECT_THROW(tq::nn::Snake(Tensor({2, 2})), tq::Error);
}

TEST(NnLayers, SnakeWithZeroAlphaIsIdentity) {
    tq::nn::Snake snake(Tensor({1}));
    Tensor x({1, 3}, {-1.0f, 0.5f, 2.0f});
    EXPECT_EQ(snake.forward(x).values()[2], 2.0f);
}

// Found by fuzz_model (issue 17): a model whose weights drive an ELU input to
// -8e27 converted a float far outside int32 to int (undefined behaviour).
TEST(NnLayers, EluOfHugeInfiniteAndNanNegativeInputsIsMinusAlpha) {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const Tensor x({7}, {-8.03194e27f, -inf, -nan, -88.5f, -1.0f, 0.0f, 2.0f});
    const Tensor y = tq::nn::ELU(0.5f).forward(x);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(y.data()[i], -0.5f) << i;
    EXPECT_NEAR(y.data()[4], 0.5f * std::expm1(-1.0f), 1e-7f);
    EXPECT_EQ(y.data()[5], 0.0f);
    EXPECT_EQ(y.data()[6], 2.0f);
}

TEST(NnLayers, OneSecondConvStackTiming) {
    // An rvq-like encoder front: 16 kHz, 1 → 32 channels, four k=7 convolutions.
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.1f);
    auto random = [&](Shape s) {
        Tensor t(std::move(s));
        for (float& v : t.values()) v = nd(rng);
        return t;
    };
    tq::nn::Sequential net;
    net.add(std::make_unique<tq::nn::Conv1d>(random({32, 1, 7}), random({32}), 1, 3, 1, 1));
    for (int i = 0; i < 3; ++i) {
        net.add(std::make_unique<tq::nn::ELU>());
        net.add(std::make_unique<tq::nn::Conv1d>(random({32, 32, 7}), random({32}), 1, 3, 1, 1));
    }
    const Tensor x = random({1, 16000});
    const auto start = std::chrono::steady_clock::now();
    const Tensor y = net.forward(x);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(y.shape(), (Shape{32, 16000}));
    std::printf("  1 s at 16 kHz through 4 convs (32 ch, k=7, ~%.0f MFLOP): %.1f ms\n",
                2.0 * 16000 * 32 * (7 + 3 * 32 * 7) / 1e6, ms);
}

/* ---- loader: valid files ---- */

TEST(SafeTensorsLoader, ConvertsF32F16AndBf16) {
    // F16 1.0 = 0x3c00, -2.0 = 0xc000, smallest subnormal 0x0001; BF16 1.5 = 0x3fc0.
    std::vector<uint8_t> data = floats_le({0.25f, -3.0f});
    for (int b : {0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xc0, 0x3f}) data.push_back(static_cast<uint8_t>(b));
    const auto bytes = make_file(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("h":{"dtype":"F16","shape":[3],"data_offsets":[8,14]},)"
        R"("b":{"dtype":"BF16","shape":[1,1],"data_offsets":[14,16]}})",
        data);
    const SafeTensors file = SafeTensors::parse(bytes);
    EXPECT_EQ(file.get("a").values()[1], -3.0f);
    EXPECT_EQ(file.get("h").values()[0], 1.0f);
    EXPECT_EQ(file.get("h").values()[1], -2.0f);
    EXPECT_EQ(file.get("h").values()[2], std::ldexp(1.0f, -24));
    EXPECT_EQ(file.get("b", {1, 1}).values()[0], 1.5f);
    EXPECT_EQ(file.names(), (std::vector<std::string>{"a", "b", "h"}));
}

TEST(SafeTensorsLoader, TypedMetadataAccessors) {
    const auto bytes = make_file(
        R"({"__metadata__":{"n":"12","x":"0.5","s":"snake","l":"2,4,8","bad":"12a","neg":"-3"}})", {});
    const SafeTensors file = SafeTensors::parse(bytes, "m");
    EXPECT_EQ(file.meta_int("n"), 12);
    EXPECT_EQ(file.meta_int("neg"), -3);
    EXPECT_DOUBLE_EQ(file.meta_float("x"), 0.5);
    EXPECT_EQ(file.meta_string("s"), "snake");
    EXPECT_EQ(file.meta_ints("l"), (std::vector<int64_t>{2, 4, 8}));
    EXPECT_FALSE(file.has_meta("missing"));
    using Access = void (*)(const SafeTensors&);
    const Access bad_accesses[] = {
        [](const SafeTensors& f) { f.meta_int("bad"); },    [](const SafeTensors& f) { f.meta_int("missing"); },
        [](const SafeTensors& f) { f.meta_int("n", 0, 10); }, [](const SafeTensors& f) { f.meta_float("s"); },
        [](const SafeTensors& f) { f.meta_ints("x"); },     [](const SafeTensors& f) { f.get("nope"); },
    };
    for (Access bad : bad_accesses) {
        try {
            bad(file);
            ADD_FAILURE() << "accepted a bad metadata access";
        } catch (const tq::Error& e) {
            EXPECT_EQ(e.code(), TQ_ERR_MODEL);
            EXPECT_NE(std::string(e.what()).find("m: "), std::string::npos) << e.what();
        }
    }
}

TEST(SafeTensorsLoader, MissingFileIsAModelError) {
    try {
        SafeTensors::load("/nonexistent/model.safetensors");
        FAIL();
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), TQ_ERR_MODEL);
    }
}

TEST(SafeTensorsLoader, WrongExpectedShapeIsAModelError) {
    const SafeTensors file = SafeTensors::parse(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                                          floats_le({1, 2})));
    EXPECT_THROW(file.get("a", {1, 2}), tq::Error);
}

/* ---- loader: damaged and hostile files ---- */

TEST(SafeTensorsLoader, EveryTruncationOfAValidFileIsRejected) {
    const auto bytes = tqtest::read_bytes(golden_dir() / "conv1d_basic.safetensors");
    ASSERT_GT(bytes.size(), 100u);
    ASSERT_NO_THROW(SafeTensors::parse(bytes));
    for (size_t n = 0; n < bytes.size(); ++n) {
        EXPECT_THROW(SafeTensors::parse({bytes.data(), n}), tq::Error) << "prefix of " << n << " bytes";
    }
}

TEST(SafeTensorsLoader, HeaderLengthBeyondFileOrLimit) {
    auto bytes = make_file("{}", {});
    bytes[0] = 3;  // claims 3 header bytes, has 2
    expect_rejected(bytes, "exceeds the file");
    bytes[0] = 0;
    bytes[7] = 0x80;  // 2^63
    expect_rejected(bytes, "exceeds the file");
    expect_rejected({1, 2, 3}, "too short");
}

TEST(SafeTensorsLoader, BadOrNonObjectJson) {
    expect_header_rejected("{\"a\":", "not valid JSON");
    expect_header_rejected("\xff\xfe", "not valid JSON");
    expect_header_rejected("[1,2]", "not an object");
    expect_header_rejected("\"text\"", "not an object");
    expect_header_rejected(std::string(100000, '[') + std::string(100000, ']'), "nested");
    std::string many = R"({"__metadata__":{"k":"v"},"a":[)";
    for (int i = 0; i < (1 << 20); ++i) many += "0,";
    expect_header_rejected(many + "0]}", "more than");
    expect_header_rejected(R"({"a":[1]})", "not an object");
    expect_header_rejected(R"({"__metadata__":[]})", "__metadata__");
    expect_header_rejected(R"({"__metadata__":{"k":1}})", "not a string");
}

TEST(SafeTensorsLoader, OffsetsOutOfRangeOrOverlapping) {
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})", "outside the data");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", "outside the data");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551615,7]}})",
                           "outside the data");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}})", "data_offsets");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", "data_offsets");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0.5,8]}})", "data_offsets");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                           "overlap");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[2]}})", "missing 'data_offsets'");
}

TEST(SafeTensorsLoader, ShapeByteMismatchDtypeAndHugeDims) {
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", "does not match");
    expect_header_rejected(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", "does not match");
    expect_header_rejected(R"({"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})", "unsupported dtype");
    expect_header_rejected(R"({"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}})", "dtype");
    expect_header_rejected(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", "missing 'dtype'");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", "negative");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", "shape");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]}})", "dimensions");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[99999999999999],"data_offsets":[0,8]}})", "too large");
    // Each dimension fits but the product would overflow 64 bits.
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})",
                           "larger than the file");
    expect_header_rejected(R"({"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,8]}})",
                           "does not match");
}

TEST(SafeTensorsLoader, RandomCorruptionNeverCrashes) {
    const auto valid = tqtest::read_bytes(golden_dir() / "stack_1d.safetensors");
    std::mt19937 rng(7);
    for (int trial = 0; trial < 3000; ++trial) {
        auto bytes = valid;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) {
            bytes[rng() % std::min<size_t>(bytes.size(), 600)] = static_cast<uint8_t>(rng());  // mostly the header
        }
        try {
            const SafeTensors file = SafeTensors::parse(bytes);
            const auto net = tq::nn::build_sequential(file, "net");
            net->forward(file.get("input"));
        } catch (const tq::Error&) {
        }
    }
}

/* ---- builder ---- */

// Residual blocks nested `depth` deep, each body holding only the next block.
std::string nested_residuals(int depth) {
    std::string meta, prefix = "net";
    for (int i = 0; i < depth; ++i) {
        meta += "\"" + prefix + ".layers\":\"1\",\"" + prefix + ".0.type\":\"residual\",";
        prefix += ".0.body";
    }
    return meta + "\"" + prefix + ".layers\":\"0\"";
}

TEST(NnBuilder, NestingIsBounded) {
    auto build = [](int depth) {
        const auto file = SafeTensors::parse(make_file(R"({"__metadata__":{)" + nested_residuals(depth) + "}}", {}));
        return tq::nn::build_sequential(file, "net");
    };
    const Tensor x({1, 4}, {1, 2, 3, 4});
    EXPECT_EQ(build(4)->forward(x).values()[3], 20.0f);  // the empty innermost body is the identity; each level adds x
    EXPECT_THROW(build(5), tq::Error);
}

TEST(NnBuilder, RejectsUnknownLayersAndMissingTensors) {
    auto file_with = [](const std::string& meta) {
        return SafeTensors::parse(make_file(R"({"__metadata__":{)" + meta + "}}", {}), "b");
    };
    EXPECT_THROW(tq::nn::build_sequential(file_with(R"("net.layers":"1","net.0.type":"lstm")"), "net"), tq::Error);
    EXPECT_THROW(tq::nn::build_sequential(file_with(R"("net.layers":"1","net.0.type":"conv1d")"), "net"), tq::Error);
    EXPECT_THROW(tq::nn::build_sequential(file_with(R"("net.layers":"2","net.0.type":"relu")"), "net"), tq::Error);
    EXPECT_THROW(tq::nn::build_sequential(file_with(R"("net.layers":"-1")"), "net"), tq::Error);
    EXPECT_THROW(tq::nn::build_sequential(file_with(R"("net.layers":"1")"), "nope"), tq::Error);
    EXPECT_EQ(tq::nn::build_sequential(file_with(R"("net.layers":"1","net.0.type":"elu","net.0.alpha":"0.5")"), "net")
                  ->size(),
              1u);
}

}  // namespace
