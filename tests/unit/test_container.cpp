// The .tqc container: round trips (file and pipe), header patching, the trailer,
// seeking, and every kind of damage the reader must survive (layout: container/FORMAT.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/stream_header.hpp"
#include "core/checksum.hpp"
#include "core/error.hpp"
#include "tqc_container.hpp"

// Every allocation's size is tracked so tests can show that absurd lengths read
// from a file never turn into big allocations.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}

void* operator new(size_t n) {
    size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
    while (n > seen && !g_largest_allocation.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
// GCC 12 flags free() in a replaced operator delete as mismatched once it is inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

using Bytes = std::vector<uint8_t>;

// Writes to a pipe whose reader went away must fail with EPIPE, not kill the test.
const bool kSigpipeIgnored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;

constexpr uint32_t kFrame = 960;
constexpr size_t kMiB = 1024 * 1024;
// Byte offsets from FORMAT.md, used to forge damaged files.
constexpr size_t kHeaderLengthAt = 8;
constexpr size_t kTotalSamplesAt = 28;
constexpr size_t kStreamHeaderLengthAt = 36;
constexpr size_t kPayloadLengthInPacket = 16;
constexpr size_t kPacketOverhead = 25;
constexpr size_t kEndRecordSize = 12;

std::string temp_path(const std::string& name) {
    static int counter = 0;
    return testing::TempDir() + "tqc_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + name;
}

Bytes read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, std::span<const uint8_t> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

uint32_t get_u32(std::span<const uint8_t> b, size_t at) {
    return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}

uint64_t get_u64(std::span<const uint8_t> b, size_t at) {
    return uint64_t{get_u32(b, at)} | uint64_t{get_u32(b, at + 4)} << 32;
}

void put_u32(Bytes& b, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void put_u64(Bytes& b, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Recomputes the CRC32 that closes the region [begin, end) (CRC in its last 4 bytes).
void fix_crc(Bytes& b, size_t begin, size_t end) {
    put_u32(b, end - 4, tq::crc32(std::span(b).subspan(begin, end - 4 - begin)));
}

Bytes random_bytes(std::mt19937& rng, size_t n) {
    Bytes out(n);
    for (auto& byte : out) byte = static_cast<uint8_t>(rng());
    return out;
}

tqc::FileHeader sample_header() {
    tq::StreamHeader sh{tq::StreamInfo{TQ_FAMILY_TURBO, 48000, 2, static_cast<int>(kFrame), 312}, {7, 1, 2}};
    tqc::FileHeader h;
    h.family = TQ_FAMILY_TURBO;
    h.channels = 2;
    h.source_bits = 24;
    h.sample_rate = 48000;
    h.frame_size = kFrame;
    h.encoder_delay = 312;
    h.stream_header = tq::write_stream_header(sh);
    h.tags = {{"title", "Sine sweep"}, {"encoder", "libtqcodec test"}, {"empty", ""}};
    return h;
}

std::vector<Bytes> sample_payloads(size_t count, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::vector<Bytes> out;
    for (size_t i = 0; i < count; ++i) out.push_back(random_bytes(rng, 1 + rng() % 120));
    return out;
}

uint64_t final_samples_of(size_t packets) { return packets * kFrame - 100; }

void write_all(tqc::Writer& w, const tqc::FileHeader& h, const std::vector<Bytes>& payloads) {
    w.write_header(h);
    for (size_t i = 0; i < payloads.size(); ++i)
        w.write_packet(i * kFrame, payloads[i], i % 3 == 0 ? tqc::kPacketKeyframe : 0);
    w.finish(final_samples_of(payloads.size()));
}

// A small valid file on disk and its bytes.
struct Sample {
    std::string path = temp_path("sample.tqc");
    tqc::FileHeader header = sample_header();
    std::vector<Bytes> payloads;
    Bytes bytes;

    explicit Sample(size_t packets = 6) : payloads(sample_payloads(packets)) {
        write_all(*tqc::Writer::open_file(path), header, payloads);
        bytes = read_bytes(path);
    }
    ~Sample() { std::remove(path.c_str()); }
    size_t header_length() const { return get_u32(bytes, kHeaderLengthAt); }
    size_t packet_offset(size_t i) const {
        size_t at = header_length();
        for (size_t k = 0; k < i; ++k) at += kPacketOverhead + payloads[k].size();
        return at;
    }
    size_t trailer_offset() const { return get_u64(bytes, bytes.size() - kEndRecordSize); }
};

struct ReadResult {
    tqc::FileHeader header;
    std::vector<tqc::Packet> packets;
    std::vector<tqc::Damage> damage;
    std::optional<tqc::Trailer> trailer;
};

ReadResult read_all(tqc::Reader& r) {
    ReadResult out;
    out.header = r.header();
    while (auto p = r.next_packet()) out.packets.push_back(std::move(*p));
    EXPECT_FALSE(r.next_packet().has_value()) << "next_packet() must stay at the end";
    out.damage = r.damage();
    out.trailer = r.trailer();
    return out;
}

ReadResult read_file(const std::string& path) { return read_all(*tqc::Reader::open_file(path)); }

ReadResult read_bytes_as_file(std::span<const uint8_t> bytes) {
    std::string path = temp_path("damaged.tqc");
    write_bytes(path, bytes);
    struct Remove {
        std::string p;
        ~Remove() { std::remove(p.c_str()); }
    } remove{path};
    return read_file(path);
}

// The read end of a pipe fed by a thread: the reader cannot seek or know the size.
class PipeSource {
public:
    explicit PipeSource(Bytes bytes) : bytes_(std::move(bytes)) {
        int fds[2];
        EXPECT_EQ(pipe(fds), 0);
        read_end_ = fdopen(fds[0], "rb");
        feeder_ = std::thread([this, fd = fds[1]] {
            size_t done = 0;
            while (done < bytes_.size()) {
                ssize_t n = write(fd, bytes_.data() + done, bytes_.size() - done);
                if (n <= 0) break;  // the reader closed its end
                done += static_cast<size_t>(n);
            }
            close(fd);
        });
    }
    ~PipeSource() {
        std::fclose(read_end_);
        feeder_.join();
    }
    std::FILE* file() const { return read_end_; }

private:
    Bytes bytes_;
    std::FILE* read_end_;
    std::thread feeder_;
};

// The write end of a pipe drained by a thread: the writer cannot seek.
class PipeSink {
public:
    PipeSink() {
        int fds[2];
        EXPECT_EQ(pipe(fds), 0);
        write_end_ = fdopen(fds[1], "wb");
        drainer_ = std::thread([this, fd = fds[0]] {
            uint8_t chunk[4096];
            ssize_t n;
            while ((n = read(fd, chunk, sizeof chunk)) > 0) bytes_.insert(bytes_.end(), chunk, chunk + n);
            close(fd);
        });
    }
    ~PipeSink() { close_and_take(); }
    std::FILE* file() const { return write_end_; }
    Bytes close_and_take() {
        if (write_end_) {
            std::fclose(write_end_);
            write_end_ = nullptr;
            drainer_.join();
        }
        return bytes_;
    }

private:
    std::FILE* write_end_;
    std::thread drainer_;
    Bytes bytes_;
};

ReadResult read_through_pipe(const Bytes& bytes) {
    PipeSource source(bytes);
    auto reader = tqc::Reader::open_stream(source.file());
    EXPECT_FALSE(reader->seekable());
    return read_all(*reader);
}

template <class F>
std::string error_message_of(F&& f, int expected_code = TQ_ERR_CORRUPT) {
    try {
        f();
    } catch (const tq::Error& e) {
        EXPECT_EQ(e.code(), expected_code) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no tq::Error thrown";
    return {};
}

bool mentions(const std::vector<tqc::Damage>& damage, const std::string& text) {
    return std::any_of(damage.begin(), damage.end(),
                       [&](const tqc::Damage& d) { return d.message.find(text) != std::string::npos; });
}

std::string describe(const std::vector<tqc::Damage>& damage) {
    std::string out;
    for (const auto& d : damage) out += "  [" + std::to_string(d.offset) + "] " + d.message + "\n";
    return out;
}

void expect_same_header(const tqc::FileHeader& a, const tqc::FileHeader& b) {
    EXPECT_EQ(a.family, b.family);
    EXPECT_EQ(a.channels, b.channels);
    EXPECT_EQ(a.source_bits, b.source_bits);
    EXPECT_EQ(a.sample_rate, b.sample_rate);
    EXPECT_EQ(a.frame_size, b.frame_size);
    EXPECT_EQ(a.encoder_delay, b.encoder_delay);
    EXPECT_EQ(a.stream_header, b.stream_header);
    ASSERT_EQ(a.tags.size(), b.tags.size());
    for (size_t i = 0; i < a.tags.size(); ++i) {
        EXPECT_EQ(a.tags[i].key, b.tags[i].key);
        EXPECT_EQ(a.tags[i].value, b.tags[i].value);
    }
}

// Packets read are intact copies of the written ones, with their own sequence numbers.
void expect_packets_are_originals(const std::vector<tqc::Packet>& got, const std::vector<Bytes>& payloads) {
    for (const auto& p : got) {
        ASSERT_LT(p.sequence, payloads.size());
        EXPECT_EQ(p.payload, payloads[p.sequence]);
        EXPECT_EQ(p.first_sample, p.sequence * uint64_t{kFrame});
    }
}

void expect_clean_read(const ReadResult& r, const Sample& s) {
    EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
    ASSERT_EQ(r.packets.size(), s.payloads.size());
    expect_packets_are_originals(r.packets, s.payloads);
    ASSERT_TRUE(r.trailer.has_value());
    EXPECT_TRUE(r.trailer->sha256_matches);
}

// ---- round trips ----------------------------------------------------------------

TEST(Container, round_trip_through_a_file_preserves_header_tags_and_packets) {
    Sample s;
    ReadResult r = read_file(s.path);
    expect_same_header(r.header, s.header);
    expect_clean_read(r, s);
    for (size_t i = 0; i < r.packets.size(); ++i) {
        EXPECT_EQ(r.packets[i].sequence, i);
        EXPECT_EQ(r.packets[i].offset, s.packet_offset(i));
        EXPECT_EQ(r.packets[i].flags, i % 3 == 0 ? tqc::kPacketKeyframe : 0);
    }
    EXPECT_EQ(r.trailer->final_samples, final_samples_of(s.payloads.size()));
    EXPECT_EQ(r.trailer->offset, s.trailer_offset());
}

TEST(Container, round_trip_through_pipes_in_both_directions) {
    Sample s;
    PipeSink sink;
    write_all(*tqc::Writer::open_stream(sink.file()), s.header, s.payloads);
    Bytes piped = sink.close_and_take();
    ReadResult r = read_through_pipe(piped);
    expect_same_header(r.header, s.header);
    expect_clean_read(r, s);
    EXPECT_EQ(r.header.total_samples, tqc::kUnknownSamples);
}

TEST(Container, seekable_writer_patches_total_samples_and_pipe_leaves_it_unknown_both_verify) {
    Sample s;
    EXPECT_EQ(read_file(s.path).header.total_samples, final_samples_of(s.payloads.size()));
    PipeSink sink;
    write_all(*tqc::Writer::open_stream(sink.file()), s.header, s.payloads);
    Bytes piped = sink.close_and_take();
    EXPECT_EQ(get_u64(piped, kTotalSamplesAt), tqc::kUnknownSamples);
    // Apart from total_samples and the header CRC, the two files are identical.
    Bytes patched = s.bytes;
    put_u64(patched, kTotalSamplesAt, tqc::kUnknownSamples);
    fix_crc(patched, 0, s.header_length());
    EXPECT_EQ(patched, piped);
    EXPECT_TRUE(read_bytes_as_file(piped).trailer->sha256_matches);
    EXPECT_TRUE(read_through_pipe(s.bytes).trailer->sha256_matches);
}

TEST(Container, caller_supplied_total_samples_is_kept_even_on_a_pipe) {
    Sample s;
    tqc::FileHeader h = s.header;
    h.total_samples = final_samples_of(s.payloads.size());
    PipeSink sink;
    write_all(*tqc::Writer::open_stream(sink.file()), h, s.payloads);
    Bytes piped = sink.close_and_take();
    EXPECT_EQ(piped, s.bytes);
    EXPECT_EQ(read_through_pipe(piped).header.total_samples, h.total_samples);
}

TEST(Container, file_with_no_packets_and_no_tags_round_trips) {
    std::string path = temp_path("empty_stream.tqc");
    tqc::FileHeader h;
    h.channels = 1;
    h.sample_rate = 8000;
    h.frame_size = 1;
    auto w = tqc::Writer::open_file(path);
    w->write_header(h);
    w->finish(0);
    w.reset();
    ReadResult r = read_file(path);
    EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
    EXPECT_TRUE(r.packets.empty());
    ASSERT_TRUE(r.trailer.has_value());
    EXPECT_TRUE(r.trailer->sha256_matches);
    EXPECT_TRUE(r.trailer->index.empty());
    EXPECT_EQ(r.header.total_samples, 0u);
    std::remove(path.c_str());
}

TEST(Container, stream_that_starts_mid_file_uses_offsets_relative_to_its_start) {
    std::string path = temp_path("prefixed.tqc");
    std::FILE* f = std::fopen(path.c_str(), "w+b");
    ASSERT_NE(f, nullptr);
    std::fputs("some prefix", f);
    Sample s;
    write_all(*tqc::Writer::open_stream(f), s.header, s.payloads);
    std::fseek(f, 11, SEEK_SET);
    auto reader = tqc::Reader::open_stream(f);
    EXPECT_EQ(reader->header().total_samples, final_samples_of(s.payloads.size()));
    expect_clean_read(read_all(*reader), s);
    auto trailer = reader->read_trailer_from_end();
    ASSERT_TRUE(trailer.has_value());
    EXPECT_EQ(trailer->offset, s.trailer_offset());
    std::fclose(f);
    std::remove(path.c_str());
}

TEST(Container, stream_in_append_mode_is_written_like_a_pipe) {
    std::string path = temp_path("append.tqc");
    write_bytes(path, Bytes{'a', 'b', 'c'});
    std::FILE* f = std::fopen(path.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    Sample s;
    write_all(*tqc::Writer::open_stream(f), s.header, s.payloads);
    std::fclose(f);
    Bytes bytes = read_bytes(path);
    std::remove(path.c_str());
    ASSERT_GT(bytes.size(), 3u);
    Bytes file(bytes.begin() + 3, bytes.end());
    EXPECT_EQ(get_u64(file, kTotalSamplesAt), tqc::kUnknownSamples);
    expect_clean_read(read_bytes_as_file(file), s);
}

// ---- trailer, index and seeking ------------------------------------------------

TEST(Container, read_trailer_from_end_and_seek_to_reach_every_indexed_packet) {
    Sample s(10);
    auto reader = tqc::Reader::open_file(s.path);
    ASSERT_TRUE(reader->seekable());
    auto first = reader->next_packet();
    ASSERT_TRUE(first.has_value());
    auto trailer = reader->read_trailer_from_end();
    ASSERT_TRUE(trailer.has_value());
    EXPECT_EQ(trailer->final_samples, final_samples_of(10));
    ASSERT_EQ(trailer->index.size(), 4u);  // keyframes 0, 3, 6, 9
    auto second = reader->next_packet();   // the packet cursor did not move
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->sequence, 1u);
    for (size_t k = trailer->index.size(); k-- > 0;) {
        const tqc::IndexEntry& e = trailer->index[k];
        EXPECT_EQ(e.offset, s.packet_offset(3 * k));
        reader->seek_to(e.offset);
        auto p = reader->next_packet();
        ASSERT_TRUE(p.has_value());
        EXPECT_EQ(p->first_sample, e.first_sample);
        EXPECT_EQ(p->payload, s.payloads[3 * k]);
    }
    EXPECT_TRUE(reader->damage().empty()) << describe(reader->damage());
}

TEST(Container, index_is_thinned_evenly_when_it_would_exceed_its_limit) {
    std::string path = temp_path("long.tqc");
    const size_t packets = (size_t{1} << 20) + 5;  // one more than fits, after doubling the stride
    auto w = tqc::Writer::open_file(path);
    w->write_header(sample_header());
    const Bytes payload{1};
    for (size_t i = 0; i < packets; ++i) w->write_packet(i, payload);
    w->finish(packets);
    w.reset();
    auto reader = tqc::Reader::open_file(path);
    auto trailer = reader->read_trailer_from_end();
    std::remove(path.c_str());
    ASSERT_TRUE(trailer.has_value());
    ASSERT_EQ(trailer->index.size(), (size_t{1} << 19) + 3);  // packets 0, 2, 4, ..., 2^20 + 4
    for (size_t k = 0; k < trailer->index.size(); ++k) {
        ASSERT_EQ(trailer->index[k].first_sample, 2 * k);
        ASSERT_EQ(trailer->index[k].offset, trailer->index[0].offset + 2 * k * (kPacketOverhead + 1));
    }
}

TEST(Container, reading_on_after_seek_to_reaches_the_trailer_without_claiming_a_verified_hash) {
    Sample s;
    auto reader = tqc::Reader::open_file(s.path);
    reader->seek_to(s.packet_offset(3));
    ReadResult r = read_all(*reader);
    EXPECT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.packets.front().sequence, 3u);
    ASSERT_TRUE(r.trailer.has_value());
    EXPECT_FALSE(r.trailer->sha256_matches);
    EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
}

TEST(Container, seek_to_rejects_offsets_outside_the_file_and_pipes_cannot_seek) {
    Sample s;
    auto reader = tqc::Reader::open_file(s.path);
    error_message_of([&] { reader->seek_to(3); }, TQ_ERR_INVALID_ARGUMENT);
    error_message_of([&] { reader->seek_to(s.bytes.size() + 1); }, TQ_ERR_INVALID_ARGUMENT);
    PipeSource source(s.bytes);
    auto piped = tqc::Reader::open_stream(source.file());
    EXPECT_FALSE(piped->seekable());
    error_message_of([&] { piped->read_trailer_from_end(); }, TQ_ERR_INVALID_ARGUMENT);
    error_message_of([&] { piped->seek_to(s.header_length()); }, TQ_ERR_INVALID_ARGUMENT);
}

// ---- header damage ---------------------------------------------------------------

TEST(Container, empty_file_is_rejected_at_open) {
    std::string message = error_message_of([] { read_bytes_as_file({}); });
    EXPECT_NE(message.find("empty"), std::string::npos) << message;
    EXPECT_NE(error_message_of([] { read_through_pipe({}); }).find("empty"), std::string::npos);
}

TEST(Container, files_of_random_bytes_are_rejected_at_open) {
    std::mt19937 rng(7);
    for (size_t n : {1, 3, 4, 11, 12, 45, 46, 100, 5000}) {
        Bytes junk = random_bytes(rng, n);
        std::string message = error_message_of([&] { read_bytes_as_file(junk); });
        EXPECT_FALSE(message.empty());
    }
}

TEST(Container, flipping_any_header_bit_fails_at_open_with_a_clear_message) {
    Sample s(2);
    for (size_t bit = 0; bit < s.header_length() * 8; ++bit) {
        Bytes damaged = s.bytes;
        damaged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        std::string message = error_message_of([&] { read_bytes_as_file(damaged); });
        bool clear = message.find("header CRC mismatch") != std::string::npos ||
                     message.find("bad magic") != std::string::npos ||
                     message.find("version") != std::string::npos ||
                     message.find("header length") != std::string::npos;
        EXPECT_TRUE(clear) << "bit " << bit << ": " << message;
    }
}

TEST(Container, header_crc_mismatch_is_named) {
    Sample s(1);
    Bytes damaged = s.bytes;
    damaged[20] ^= 0x40;  // frame_size
    EXPECT_NE(error_message_of([&] { read_bytes_as_file(damaged); }).find("header CRC mismatch"), std::string::npos);
    EXPECT_NE(error_message_of([&] { read_through_pipe(damaged); }).find("header CRC mismatch"), std::string::npos);
}

TEST(Container, newer_major_version_is_rejected_and_newer_minor_fields_are_skipped) {
    Sample s(2);
    Bytes major = s.bytes;
    major[4] = 2;
    EXPECT_NE(error_message_of([&] { read_bytes_as_file(major); }).find("major version 2"), std::string::npos);

    // A minor-version-1 writer appended 8 bytes of new fields before the CRC.
    size_t hl = s.header_length();
    Bytes minor(s.bytes.begin(), s.bytes.begin() + static_cast<ptrdiff_t>(hl) - 4);
    minor[5] = 1;
    minor.insert(minor.end(), 8, 0xAB);
    minor.insert(minor.end(), 4, 0);
    put_u32(minor, kHeaderLengthAt, static_cast<uint32_t>(minor.size()));
    fix_crc(minor, 0, minor.size());
    minor.insert(minor.end(), s.bytes.begin() + static_cast<ptrdiff_t>(hl), s.bytes.end());
    ReadResult r = read_bytes_as_file(minor);
    expect_same_header(r.header, s.header);
    EXPECT_EQ(r.packets.size(), 2u);
    EXPECT_FALSE(r.trailer->sha256_matches);  // hashed bytes differ, and offsets moved
}

// Writes a header whose fields were edited and whose CRC was recomputed.
Bytes forged_header(const Sample& s, size_t at, uint32_t value) {
    Bytes b(s.bytes.begin(), s.bytes.begin() + static_cast<ptrdiff_t>(s.header_length()));
    put_u32(b, at, value);
    fix_crc(b, 0, b.size());
    b.insert(b.end(), s.bytes.begin() + static_cast<ptrdiff_t>(s.header_length()), s.bytes.end());
    return b;
}

TEST(Container, absurd_header_lengths_and_counts_are_rejected_without_big_allocations) {
    Sample s(2);
    size_t tag_count_at = kStreamHeaderLengthAt + 4 + s.header.stream_header.size();
    size_t first_value_length_at = tag_count_at + 2 + 2 + s.header.tags[0].key.size();
    struct Case {
        size_t at;
        uint32_t value;
        bool fix_crc;
        const char* expected;
    };
    const Case cases[] = {
        {kHeaderLengthAt, 0xFFFFFFFF, false, "header length"},
        {kHeaderLengthAt, 2 * kMiB, false, "header length"},
        {kStreamHeaderLengthAt, 0xFFFFFFFF, true, "stream header length"},
        {kStreamHeaderLengthAt, 0x10000, true, "truncated"},
        {tag_count_at, 0xFFFF | (get_u32(s.bytes, tag_count_at) & 0xFFFF0000), true, "tag count"},
        {first_value_length_at, 0xFFFFFFFF, true, "tags exceed"},
        {first_value_length_at, 100000, true, "truncated"},
    };
    for (const Case& c : cases) {
        Bytes damaged = c.fix_crc ? forged_header(s, c.at, c.value) : s.bytes;
        if (!c.fix_crc) put_u32(damaged, c.at, c.value);
        for (bool piped : {false, true}) {
            g_largest_allocation = 0;
            std::string message =
                error_message_of([&] { piped ? read_through_pipe(damaged) : read_bytes_as_file(damaged); });
            EXPECT_NE(message.find(c.expected), std::string::npos) << message;
            EXPECT_LT(g_largest_allocation.load(), kMiB) << message;
        }
    }
}

// ---- packet damage ---------------------------------------------------------------

TEST(Container, reader_reports_crc_mismatch_names_the_packet_and_resyncs) {
    Sample s;
    Bytes damaged = s.bytes;
    damaged[s.packet_offset(2) + 21 + s.payloads[2].size() / 2] ^= 0x10;
    for (bool piped : {false, true}) {
        ReadResult r = piped ? read_through_pipe(damaged) : read_bytes_as_file(damaged);
        ASSERT_EQ(r.packets.size(), s.payloads.size() - 1);
        expect_packets_are_originals(r.packets, s.payloads);
        ASSERT_EQ(r.damage.size(), 2u) << describe(r.damage);
        EXPECT_EQ(r.damage[0].packet_sequence, 2);
        EXPECT_EQ(r.damage[0].offset, s.packet_offset(2));
        EXPECT_EQ(r.damage[0].message,
                  "packet 2 at byte " + std::to_string(s.packet_offset(2)) + ": CRC mismatch, skipped");
        EXPECT_NE(r.damage[1].message.find("SHA-256"), std::string::npos);
        ASSERT_TRUE(r.trailer.has_value());
        EXPECT_FALSE(r.trailer->sha256_matches);
    }
}

TEST(Container, flipping_any_bit_of_a_packet_loses_only_that_packet) {
    Sample s(3);
    size_t begin = s.packet_offset(1), end = s.packet_offset(2);
    for (size_t bit = begin * 8; bit < end * 8; ++bit) {
        Bytes damaged = s.bytes;
        damaged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        ReadResult r = read_bytes_as_file(damaged);
        ASSERT_EQ(r.packets.size(), 2u) << "bit " << bit << "\n" << describe(r.damage);
        EXPECT_EQ(r.packets[0].sequence, 0u);
        EXPECT_EQ(r.packets[1].sequence, 2u);
        expect_packets_are_originals(r.packets, s.payloads);
        EXPECT_FALSE(r.damage.empty());
        EXPECT_TRUE(mentions(r.damage, "packet 1") || mentions(r.damage, "damaged packet")) << describe(r.damage);
        ASSERT_TRUE(r.trailer.has_value());
        EXPECT_FALSE(r.trailer->sha256_matches);
    }
}

TEST(Container, absurd_payload_length_is_reported_and_skipped_without_big_allocations) {
    Sample s;
    for (uint32_t length : {0xFFFFFFFFu, uint32_t{tqc::kMaxPayloadSize}, 5000u}) {
        Bytes damaged = s.bytes;
        put_u32(damaged, s.packet_offset(1) + kPayloadLengthInPacket, length);
        for (bool piped : {false, true}) {
            g_largest_allocation = 0;
            ReadResult r = piped ? read_through_pipe(damaged) : read_bytes_as_file(damaged);
            EXPECT_LT(g_largest_allocation.load(), kMiB);
            EXPECT_EQ(r.packets.size(), s.payloads.size() - 1);
            expect_packets_are_originals(r.packets, s.payloads);
            ASSERT_FALSE(r.damage.empty());
            EXPECT_EQ(r.damage[0].packet_sequence, 1);
            EXPECT_NE(r.damage[0].message.find("packet 1"), std::string::npos) << r.damage[0].message;
            EXPECT_TRUE(r.trailer.has_value());
        }
    }
}

TEST(Container, garbage_before_a_sync_word_is_skipped_and_reported) {
    Sample s;
    std::mt19937 rng(3);
    Bytes garbage = random_bytes(rng, 300);
    const uint8_t fake_sync[] = {'T', 'Q', 'p', 'k', 1, 2, 3};  // a sync word that does not check
    garbage.insert(garbage.begin() + 100, std::begin(fake_sync), std::end(fake_sync));
    Bytes damaged = s.bytes;
    damaged.insert(damaged.begin() + static_cast<ptrdiff_t>(s.packet_offset(3)), garbage.begin(), garbage.end());
    for (bool piped : {false, true}) {
        ReadResult r = piped ? read_through_pipe(damaged) : read_bytes_as_file(damaged);
        ASSERT_EQ(r.packets.size(), s.payloads.size()) << describe(r.damage);
        expect_packets_are_originals(r.packets, s.payloads);
        EXPECT_EQ(r.damage.front().offset, s.packet_offset(3));
        EXPECT_TRUE(mentions(r.damage, "no packet sync word")) << describe(r.damage);
        EXPECT_FALSE(r.trailer->sha256_matches);
    }
}

TEST(Container, garbage_between_header_and_first_packet_is_skipped) {
    Sample s(2);
    Bytes damaged = s.bytes;
    damaged.insert(damaged.begin() + static_cast<ptrdiff_t>(s.header_length()), 70000, 'T');
    ReadResult r = read_through_pipe(damaged);
    EXPECT_EQ(r.packets.size(), 2u) << describe(r.damage);
    EXPECT_TRUE(mentions(r.damage, "no packet sync word"));
}

TEST(Container, missing_packets_are_reported_as_a_sequence_gap) {
    Sample s;
    Bytes cut = s.bytes;
    cut.erase(cut.begin() + static_cast<ptrdiff_t>(s.packet_offset(2)),
              cut.begin() + static_cast<ptrdiff_t>(s.packet_offset(4)));
    ReadResult r = read_bytes_as_file(cut);
    EXPECT_EQ(r.packets.size(), s.payloads.size() - 2);
    expect_packets_are_originals(r.packets, s.payloads);
    ASSERT_FALSE(r.damage.empty());
    EXPECT_EQ(r.damage[0].packet_sequence, 2);
    EXPECT_EQ(r.damage[0].message, "packets 2..3 missing before byte " + std::to_string(s.packet_offset(2)));
}

TEST(Container, truncation_at_every_byte_never_crashes_and_is_reported) {
    Sample s(3);
    for (size_t n = 0; n < s.bytes.size(); ++n) {
        std::span<const uint8_t> prefix(s.bytes.data(), n);
        for (bool piped : {false, true}) {
            Bytes copy(prefix.begin(), prefix.end());
            if (n < s.header_length()) {
                error_message_of([&] { piped ? read_through_pipe(copy) : read_bytes_as_file(copy); });
                continue;
            }
            ReadResult r = piped ? read_through_pipe(copy) : read_bytes_as_file(copy);
            expect_packets_are_originals(r.packets, s.payloads);
            ASSERT_FALSE(r.damage.empty()) << "length " << n;
            if (n < s.trailer_offset() + 4) {  // not even the trailer magic is there
                EXPECT_EQ(r.damage.back().message, "file ends without a trailer (truncated?)") << describe(r.damage);
                EXPECT_FALSE(r.trailer.has_value());
            } else if (n < s.bytes.size() - kEndRecordSize) {
                EXPECT_EQ(r.damage.back().message, "file ends without an intact trailer") << describe(r.damage);
                EXPECT_TRUE(mentions(r.damage, "trailer at byte")) << describe(r.damage);
                EXPECT_EQ(r.packets.size(), s.payloads.size());
            } else {
                EXPECT_TRUE(mentions(r.damage, "end record")) << describe(r.damage);
                EXPECT_TRUE(r.trailer->sha256_matches);
            }
        }
    }
}

TEST(Container, random_damage_never_crashes_the_reader) {
    Sample s(8);
    std::mt19937 rng(11);
    for (int round = 0; round < 400; ++round) {
        Bytes damaged = s.bytes;
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits; ++e) damaged[rng() % damaged.size()] = static_cast<uint8_t>(rng());
        if (round % 4 == 0) damaged.resize(rng() % damaged.size());
        try {
            ReadResult r = read_bytes_as_file(damaged);
            expect_packets_are_originals(r.packets, s.payloads);
        } catch (const tq::Error& e) {
            EXPECT_EQ(e.code(), TQ_ERR_CORRUPT) << e.what();
        }
    }
}

TEST(Container, random_bytes_after_a_valid_header_are_skipped_to_the_end) {
    Sample s(1);
    std::mt19937 rng(5);
    Bytes file(s.bytes.begin(), s.bytes.begin() + static_cast<ptrdiff_t>(s.header_length()));
    Bytes junk = random_bytes(rng, 200000);
    file.insert(file.end(), junk.begin(), junk.end());
    ReadResult r = read_through_pipe(file);
    EXPECT_TRUE(r.packets.empty());
    EXPECT_FALSE(r.trailer.has_value());
    EXPECT_EQ(r.damage.back().message, "file ends without a trailer (truncated?)");
}

// ---- trailer damage --------------------------------------------------------------

TEST(Container, flipped_trailer_or_end_record_bytes_are_reported_and_packets_still_read) {
    Sample s;
    size_t trailer_at = s.trailer_offset();
    size_t end_record_at = s.bytes.size() - kEndRecordSize;
    for (size_t at = trailer_at; at < s.bytes.size(); ++at) {
        Bytes damaged = s.bytes;
        damaged[at] ^= 0x01;
        std::string path = temp_path("trailer.tqc");
        write_bytes(path, damaged);
        auto reader = tqc::Reader::open_file(path);
        EXPECT_FALSE(reader->read_trailer_from_end().has_value()) << "byte " << at;
        ReadResult r = read_all(*reader);
        std::remove(path.c_str());
        EXPECT_EQ(r.packets.size(), s.payloads.size());
        expect_packets_are_originals(r.packets, s.payloads);
        if (at < trailer_at + 4) {  // the magic: it looks like garbage, not a trailer
            EXPECT_FALSE(r.trailer.has_value()) << "byte " << at;
            EXPECT_TRUE(mentions(r.damage, "byte " + std::to_string(trailer_at) + ": no packet sync word"))
                << describe(r.damage);
        } else if (at < end_record_at) {
            EXPECT_FALSE(r.trailer.has_value()) << "byte " << at;
            EXPECT_TRUE(mentions(r.damage, "trailer at byte " + std::to_string(trailer_at))) << describe(r.damage);
        } else {
            ASSERT_TRUE(r.trailer.has_value());
            EXPECT_TRUE(r.trailer->sha256_matches);
            EXPECT_TRUE(mentions(r.damage, "end record")) << describe(r.damage);
        }
    }
}

TEST(Container, absurd_index_entry_count_is_reported_without_big_allocations) {
    Sample s;
    for (uint32_t count : {0xFFFFFFFFu, 1u << 20, 1000u}) {
        Bytes damaged = s.bytes;
        put_u32(damaged, s.trailer_offset() + 4, count);
        for (bool piped : {false, true}) {
            g_largest_allocation = 0;
            ReadResult r = piped ? read_through_pipe(damaged) : read_bytes_as_file(damaged);
            EXPECT_LT(g_largest_allocation.load(), kMiB);
            EXPECT_EQ(r.packets.size(), s.payloads.size());
            EXPECT_FALSE(r.trailer.has_value());
            EXPECT_TRUE(mentions(r.damage, "trailer at byte")) << describe(r.damage);
        }
    }
}

TEST(Container, data_after_the_end_record_is_reported) {
    Sample s;
    Bytes longer = s.bytes;
    longer.push_back(0);
    ReadResult r = read_bytes_as_file(longer);
    EXPECT_TRUE(r.trailer.has_value());
    EXPECT_TRUE(r.trailer->sha256_matches);
    EXPECT_TRUE(mentions(r.damage, "after the end record")) << describe(r.damage);
}

// ---- writer ----------------------------------------------------------------------

TEST(Container, writer_rejects_misuse_and_out_of_limit_headers) {
    std::string path = temp_path("misuse.tqc");
    auto w = tqc::Writer::open_file(path);
    Bytes payload(10, 1);
    error_message_of([&] { w->write_packet(0, payload); }, TQ_ERR_INVALID_ARGUMENT);
    error_message_of([&] { w->finish(0); }, TQ_ERR_INVALID_ARGUMENT);
    tqc::FileHeader big = sample_header();
    big.stream_header.resize(tqc::kMaxStreamHeaderSize + 1);
    error_message_of([&] { w->write_header(big); }, TQ_ERR_INVALID_ARGUMENT);

    auto fresh = [&] { return tqc::Writer::open_file(path); };
    tqc::FileHeader many = sample_header();
    many.tags.resize(tqc::kMaxTagCount + 1);
    error_message_of([&] { fresh()->write_header(many); }, TQ_ERR_INVALID_ARGUMENT);
    tqc::FileHeader heavy = sample_header();
    heavy.tags = {{"a", std::string(tqc::kMaxTagBytes / 2, 'x')}, {"b", std::string(tqc::kMaxTagBytes / 2, 'y')}};
    error_message_of([&] { fresh()->write_header(heavy); }, TQ_ERR_INVALID_ARGUMENT);
    tqc::FileHeader no_channels = sample_header();
    no_channels.channels = 0;
    error_message_of([&] { fresh()->write_header(no_channels); }, TQ_ERR_INVALID_ARGUMENT);

    w = fresh();
    w->write_header(sample_header());
    error_message_of([&] { w->write_header(sample_header()); }, TQ_ERR_INVALID_ARGUMENT);
    error_message_of([&] { w->write_packet(0, payload, 0x80); }, TQ_ERR_INVALID_ARGUMENT);
    w->finish(0);
    error_message_of([&] { w->write_packet(0, payload); }, TQ_ERR_INVALID_ARGUMENT);
    error_message_of([&] { w->finish(0); }, TQ_ERR_INVALID_ARGUMENT);
    std::remove(path.c_str());
}

TEST(Container, writer_reports_a_full_disk_with_the_system_message) {
    if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
    auto w = tqc::Writer::open_file("/dev/full");
    w->write_header(sample_header());
    std::string message = error_message_of([&] { w->finish(0); }, TQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message.find(std::strerror(ENOSPC)), std::string::npos) << message;
}

TEST(Container, writer_reports_a_closed_pipe_with_the_system_message) {
    ASSERT_TRUE(kSigpipeIgnored);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    close(fds[0]);
    std::FILE* f = fdopen(fds[1], "wb");
    auto w = tqc::Writer::open_stream(f);
    Bytes payload(60000, 9);
    std::string message = error_message_of(
        [&] {
            w->write_header(sample_header());
            for (int i = 0; i < 100; ++i) w->write_packet(0, payload);
            w->finish(0);
        },
        TQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message.find(std::strerror(EPIPE)), std::string::npos) << message;
    error_message_of([&] { w->finish(0); }, TQ_ERR_INVALID_ARGUMENT);  // no use after a failure
    w.reset();
    std::fclose(f);
}

TEST(Container, reader_reports_a_missing_file_with_the_system_message) {
    std::string message =
        error_message_of([] { tqc::Reader::open_file("/nonexistent/x.tqc"); }, TQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message.find(std::strerror(ENOENT)), std::string::npos) << message;
}

// ---- the worked example in FORMAT.md ---------------------------------------------

std::string hex_dump(std::span<const uint8_t> bytes) {
    std::ostringstream out;
    for (size_t row = 0; row < bytes.size(); row += 16) {
        out << std::hex << std::setw(4) << std::setfill('0') << row << ":";
        for (size_t i = row; i < std::min(row + 16, bytes.size()); ++i)
            out << ' ' << std::setw(2) << static_cast<int>(bytes[i]);
        out << '\n';
    }
    return out.str();
}

Bytes worked_example() {
    std::string path = temp_path("example.tqc");
    tqc::FileHeader h;
    h.family = TQ_FAMILY_TURBO;
    h.channels = 1;
    h.source_bits = 16;
    h.sample_rate = 48000;
    h.frame_size = 960;
    h.encoder_delay = 0;
    h.stream_header = tq::write_stream_header({tq::StreamInfo{TQ_FAMILY_TURBO, 48000, 1, 960, 0}, {}});
    h.tags = {{"title", "hi"}};
    auto w = tqc::Writer::open_file(path);
    w->write_header(h);
    w->write_packet(0, Bytes{0xC0, 0x07, 0xAA, 0xBB, 0xCC});  // 960 samples + 3 payload bytes
    w->write_packet(960, Bytes{0x28, 0xDD, 0xEE});            // 40 samples + 2 payload bytes
    w->finish(1000);
    w.reset();
    Bytes bytes = read_bytes(path);
    std::remove(path.c_str());
    return bytes;
}

// FORMAT.md pastes this dump; if the layout changes, update both.
const char* const kWorkedExampleHex =
    "0000: 89 54 51 43 01 00 00 00 51 00 00 00 01 01 10 00\n"
    "0010: 80 bb 00 00 c0 03 00 00 00 00 00 00 e8 03 00 00\n"
    "0020: 00 00 00 00 16 00 00 00 74 71 73 68 01 01 01 00\n"
    "0030: 80 bb 00 00 c0 03 00 00 00 00 00 00 00 00 01 00\n"
    "0040: 05 00 74 69 74 6c 65 02 00 00 00 68 69 b8 8b 29\n"
    "0050: 96 54 51 70 6b 00 00 00 00 00 00 00 00 00 00 00\n"
    "0060: 00 05 00 00 00 01 c0 07 aa bb cc b2 c5 e8 63 54\n"
    "0070: 51 70 6b 01 00 00 00 c0 03 00 00 00 00 00 00 03\n"
    "0080: 00 00 00 01 28 dd ee 64 f5 88 af 54 51 69 78 02\n"
    "0090: 00 00 00 51 00 00 00 00 00 00 00 00 00 00 00 00\n"
    "00a0: 00 00 00 6f 00 00 00 00 00 00 00 c0 03 00 00 00\n"
    "00b0: 00 00 00 e8 03 00 00 00 00 00 00 6f a2 64 08 79\n"
    "00c0: 89 72 85 11 8c 0b f0 ac cb b2 78 45 82 38 10 63\n"
    "00d0: 0f 2d f2 69 4d 01 0e 0f 1f 66 76 2b f2 d3 65 8b\n"
    "00e0: 00 00 00 00 00 00 00 54 51 6e 64\n";

TEST(Container, writer_output_matches_the_worked_example_in_format_md) {
    Bytes bytes = worked_example();
    std::string dump = hex_dump(bytes);
    if (std::getenv("TQC_PRINT_EXAMPLE")) std::fputs(dump.c_str(), stdout);
    EXPECT_EQ(dump, kWorkedExampleHex);
    PipeSource source(bytes);
    auto reader = tqc::Reader::open_stream(source.file());
    ReadResult r = read_all(*reader);
    EXPECT_TRUE(r.damage.empty()) << describe(r.damage);
    EXPECT_EQ(r.packets.size(), 2u);
    EXPECT_TRUE(r.trailer->sha256_matches);
}

}  // namespace
