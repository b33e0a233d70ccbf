#include <gtest/gtest.h>

#include "api/stream_header.hpp"
#include "core/error.hpp"

namespace {

tq::StreamHeader sample_header() {
    return {{TQ_FAMILY_TURBO, 44100, 2, 4096, 0}, {1, 2, 3, 4, 5}};
}

int corrupt_code(const std::vector<uint8_t>& bytes) {
    try {
        tq::read_stream_header(bytes);
    } catch (const tq::Error& e) {
        return e.code();
    }
    return TQ_OK;
}

TEST(StreamHeader, RoundTripsEveryField) {
    auto bytes = tq::write_stream_header(sample_header());
    auto h = tq::read_stream_header(bytes);
    EXPECT_EQ(h.info.family, TQ_FAMILY_TURBO);
    EXPECT_EQ(h.info.sample_rate, 44100);
    EXPECT_EQ(h.info.channels, 2);
    EXPECT_EQ(h.info.frame_size, 4096);
    EXPECT_EQ(h.info.delay, 0);
    EXPECT_EQ(h.family_params, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
}

TEST(StreamHeader, EveryTruncationIsRejected) {
    auto bytes = tq::write_stream_header(sample_header());
    for (size_t n = 0; n < bytes.size(); ++n)
        EXPECT_EQ(corrupt_code({bytes.begin(), bytes.begin() + static_cast<long>(n)}), TQ_ERR_CORRUPT) << n;
}

TEST(StreamHeader, TrailingBytesAreRejected) {
    auto bytes = tq::write_stream_header(sample_header());
    bytes.push_back(0);
    EXPECT_EQ(corrupt_code(bytes), TQ_ERR_CORRUPT);
}

TEST(StreamHeader, OutOfRangeFieldsAreRejected) {
    auto with = [](auto mutate) {
        auto h = sample_header();
        mutate(h.info);
        return corrupt_code(tq::write_stream_header(h));
    };
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.channels = 0; }), TQ_ERR_CORRUPT);
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.channels = 9; }), TQ_ERR_CORRUPT);
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.sample_rate = 7999; }), TQ_ERR_CORRUPT);
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.sample_rate = 192001; }), TQ_ERR_CORRUPT);
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.frame_size = 0; }), TQ_ERR_CORRUPT);
    EXPECT_EQ(with([](tq::StreamInfo& i) { i.frame_size = tq::kMaxFrameSize + 1; }), TQ_ERR_CORRUPT);
}

// 126 is the byte UBSan caught being loaded as a tq_family before the check
// (issue 17): a sanitizer build fails here if that comes back.
TEST(StreamHeader, UnknownFamilyIdsAreRejected) {
    auto bytes = tq::write_stream_header(sample_header());
    for (uint8_t id : {uint8_t{0}, uint8_t{6}, uint8_t{99}, uint8_t{126}, uint8_t{255}}) {
        bytes[5] = id;  // family byte
        EXPECT_EQ(corrupt_code(bytes), TQ_ERR_CORRUPT) << int(id);
    }
}

TEST(StreamHeader, BadMagicAndFutureVersionAreRejected) {
    auto bytes = tq::write_stream_header(sample_header());
    auto bad_magic = bytes;
    bad_magic[0] ^= 1;
    EXPECT_EQ(corrupt_code(bad_magic), TQ_ERR_CORRUPT);
    auto future = bytes;
    future[4] = 2;
    EXPECT_EQ(corrupt_code(future), TQ_ERR_CORRUPT);
}

TEST(PacketPrefix, RoundTripsAndBoundsTheSampleCount) {
    std::vector<uint8_t> packet{9, 9};
    tq::write_packet_prefix(packet, 4000);
    std::span<const uint8_t> view = packet;
    EXPECT_EQ(tq::read_packet_prefix(view, 4096), 4000);
    EXPECT_EQ(view.size(), 2u);

    view = packet;
    EXPECT_THROW(tq::read_packet_prefix(view, 3999), tq::Error);
    std::vector<uint8_t> zero{0};
    view = zero;
    EXPECT_THROW(tq::read_packet_prefix(view, 4096), tq::Error);
    view = {};
    EXPECT_THROW(tq::read_packet_prefix(view, 4096), tq::Error);
}

}  // namespace
