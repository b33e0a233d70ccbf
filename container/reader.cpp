// .tqc reader: header at open, then packets one by one; damaged stretches are
// recorded and skipped by scanning for the next sync word (layout: FORMAT.md).
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "core/checksum.hpp"
#include "core/error.hpp"
#include "format.hpp"
#include "tqc_container.hpp"

namespace tqc {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

[[noreturn]] void fail_io(const std::string& what, int error) {
    tq::fail(TQ_ERR_INVALID_ARGUMENT, "tqc reader: " + what + ": " + std::strerror(error));
}

void require_usage(bool condition, const std::string& message) {
    tq::require(condition, TQ_ERR_INVALID_ARGUMENT, "tqc reader: " + message);
}

[[noreturn]] void corrupt(const std::string& message) { tq::fail(TQ_ERR_CORRUPT, message); }

std::string at_byte(uint64_t offset) { return " at byte " + std::to_string(offset); }

// Offset of the first packet sync or trailer magic in `bytes`, if any.
std::optional<size_t> find_sync(std::span<const uint8_t> bytes) {
    for (size_t i = 0; i + 4 <= bytes.size(); ++i) {
        if (bytes[i] != 'T') continue;
        auto rest = bytes.subspan(i);
        if (format::starts_with(rest, format::kPacketSync) || format::starts_with(rest, format::kTrailerMagic))
            return i;
    }
    return std::nullopt;
}

// Buffered sequential input over a FILE* that may be a pipe. Only the bytes from the
// cursor up to what was last asked for stay buffered; consumed bytes go to the hash.
class Input {
public:
    explicit Input(std::FILE* file) : file_(file) {}

    // Makes `n` bytes past the cursor available; false if the file ends first.
    bool fill(size_t n) {
        while (available() < n) {
            if (eof_) return false;
            read_chunk();
        }
        return true;
    }
    size_t available() const { return buffer_.size() - cursor_; }
    std::span<const uint8_t> peek(size_t n) const { return std::span(buffer_).subspan(cursor_, n); }
    uint64_t offset() const { return base_ + cursor_; }
    void consume(size_t n) {
        if (hash_) hash_->update(peek(n));
        cursor_ += n;
    }
    void set_hash(tq::Sha256* hash) { hash_ = hash; }
    // The FILE* was repositioned to `offset`: forget what was buffered.
    void restart_at(uint64_t offset) {
        buffer_.clear();
        cursor_ = 0;
        base_ = offset;
        eof_ = false;
        std::clearerr(file_);
    }

private:
    void read_chunk() {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(cursor_));
        base_ += cursor_;
        cursor_ = 0;
        size_t old_size = buffer_.size();
        buffer_.resize(old_size + kReadChunk);
        errno = 0;
        size_t got = std::fread(buffer_.data() + old_size, 1, kReadChunk, file_);
        buffer_.resize(old_size + got);
        if (got == kReadChunk) return;
        if (std::ferror(file_)) fail_io("read failed", errno);
        eof_ = true;
    }

    std::FILE* file_;
    std::vector<uint8_t> buffer_;
    size_t cursor_ = 0;
    uint64_t base_ = 0;  // file offset of buffer_[0]
    bool eof_ = false;
    tq::Sha256* hash_ = nullptr;
};

}  // namespace

struct Reader::Impl {
    std::FILE* file = nullptr;
    bool owns_file = false;
    bool seekable = false;
    off_t origin = 0;  // stream position of the file's first byte
    std::optional<uint64_t> size;
    Input in;
    FileHeader header;
    uint64_t header_length = 0;
    std::unique_ptr<tq::Sha256> sha = std::make_unique<tq::Sha256>();  // null once it cannot match
    std::optional<uint64_t> expected_sequence = 0;                      // unknown after seek_to
    bool finished = false;
    bool bad_trailer_seen = false;
    std::vector<Damage> damage;
    std::optional<Trailer> trailer;

    explicit Impl(std::FILE* f) : file(f), in(f) {}
    ~Impl() {
        if (owns_file) std::fclose(file);
    }

    void record(uint64_t offset, int64_t sequence, std::string message) {
        damage.push_back({offset, sequence, std::move(message)});
    }

    // ftello/fseeko fail on pipes, sockets and terminals: those are read sequentially.
    void probe_size() {
        origin = ftello(file);
        seekable = origin >= 0 && fseeko(file, 0, SEEK_END) == 0;
        if (!seekable) {
            origin = 0;
            return;
        }
        off_t end = ftello(file);
        if (end < origin || fseeko(file, origin, SEEK_SET) != 0) fail_io("seek failed", errno);
        size = static_cast<uint64_t>(end - origin);
    }

    void read_header();
    std::optional<Packet> next_packet();
    std::optional<Packet> try_here(bool in_sync);
    std::optional<Packet> try_packet(bool in_sync);
    void report_bad_packet(uint64_t at, std::optional<uint32_t> claimed, const std::string& reason);
    void check_sequence(const Packet& packet);
    void skip_to_sync();
    void end_of_file(bool in_sync);
    void try_trailer(bool in_sync);
    std::optional<Trailer> trailer_here(std::string& why);
    void check_end_record(uint64_t trailer_offset);
    std::optional<Trailer> trailer_from_end(uint64_t file_size);
    std::vector<uint8_t> read_at(uint64_t offset, size_t n);
    uint64_t current_size();
};

void Reader::Impl::read_header() {
    using namespace format;
    if (!in.fill(kFileMagic.size()))
        corrupt(in.available() == 0 ? "empty file: not a .tqc file" : "file too short to be a .tqc file");
    if (!starts_with(in.peek(4), kFileMagic)) corrupt("not a .tqc file (bad magic)");
    if (!in.fill(kHeaderPrefixSize)) corrupt("file header truncated");
    auto prefix = in.peek(kHeaderPrefixSize);
    if (prefix[4] != kMajorVersion)
        corrupt(".tqc major version " + std::to_string(prefix[4]) + " is not supported (this reader reads 1)");
    uint32_t length = read_u32(prefix, kHeaderLengthOffset);
    if (length < kMinHeaderSize || length > kMaxHeaderSize)
        corrupt("file header length " + std::to_string(length) + " outside " + std::to_string(kMinHeaderSize) +
                ".." + std::to_string(kMaxHeaderSize));
    if ((size && length > *size) || !in.fill(length))
        corrupt("file header truncated (header length " + std::to_string(length) + " runs past the end of the file)");
    auto bytes = in.peek(length);
    if (!crc_trails(bytes)) corrupt("header CRC mismatch: the file header is damaged");
    header = parse_header(bytes);
    sha->update(canonical_header(bytes));
    in.consume(length);
    header_length = length;
    in.set_hash(sha.get());
}

std::optional<Packet> Reader::Impl::next_packet() {
    bool in_sync = true;  // false while scanning after damage: then failures are not reported again
    while (!finished) {
        if (auto packet = try_here(in_sync)) return packet;
        if (finished) break;
        in_sync = false;
        in.consume(1);
        skip_to_sync();
    }
    return std::nullopt;
}

// Tries what starts at the cursor. Returns a packet, or nullopt with finished set
// (trailer or end of file), or nullopt for damage (the caller resynchronises).
std::optional<Packet> Reader::Impl::try_here(bool in_sync) {
    if (!in.fill(4)) {
        end_of_file(in_sync);
        return std::nullopt;
    }
    auto magic = in.peek(4);
    if (format::starts_with(magic, format::kPacketSync)) return try_packet(in_sync);
    if (format::starts_with(magic, format::kTrailerMagic)) {
        try_trailer(in_sync);
    } else if (in_sync) {
        uint64_t at = in.offset();
        record(at, -1, "byte " + std::to_string(at) + ": no packet sync word, skipped to the next one");
    }
    return std::nullopt;
}

std::optional<Packet> Reader::Impl::try_packet(bool in_sync) {
    uint64_t at = in.offset();
    auto reject = [&](std::optional<uint32_t> claimed, const std::string& reason) -> std::optional<Packet> {
        if (in_sync) report_bad_packet(at, claimed, reason);
        return std::nullopt;
    };
    if (!in.fill(format::kPacketHeadSize)) return reject(std::nullopt, "truncated (the file ends inside it)");
    format::PacketHead head = format::parse_packet_head(in.peek(format::kPacketHeadSize));
    if (head.payload_length > kMaxPayloadSize)
        return reject(head.sequence, "payload length " + std::to_string(head.payload_length) +
                                         " exceeds the limit of " + std::to_string(kMaxPayloadSize));
    size_t total = format::kPacketOverhead + head.payload_length;
    if (size && at + total > *size)
        return reject(head.sequence,
                      "payload length " + std::to_string(head.payload_length) + " runs past the end of the file");
    if (!in.fill(total)) return reject(head.sequence, "truncated (the file ends inside it)");
    auto bytes = in.peek(total);
    if (!format::crc_trails(bytes)) return reject(head.sequence, "CRC mismatch");
    auto payload = bytes.subspan(format::kPacketHeadSize, head.payload_length);
    Packet packet{head.sequence, head.first_sample, head.flags, at, {payload.begin(), payload.end()}};
    in.consume(total);
    check_sequence(packet);
    return packet;
}

// The sequence number is named only when it is the one expected (else it may be the damage).
void Reader::Impl::report_bad_packet(uint64_t at, std::optional<uint32_t> claimed, const std::string& reason) {
    bool known = claimed && expected_sequence && *claimed == *expected_sequence;
    std::string who = known ? "packet " + std::to_string(*claimed) : "damaged packet";
    record(at, known ? int64_t{*claimed} : -1, who + at_byte(at) + ": " + reason + ", skipped");
    if (known) expected_sequence = uint64_t{*claimed} + 1;
}

void Reader::Impl::check_sequence(const Packet& packet) {
    uint64_t sequence = packet.sequence;
    if (expected_sequence && sequence > *expected_sequence) {
        uint64_t first = *expected_sequence;
        std::string which = sequence - first == 1 ? "packet " + std::to_string(first)
                                                  : "packets " + std::to_string(first) + ".." +
                                                        std::to_string(sequence - 1);
        record(packet.offset, static_cast<int64_t>(first),
               which + " missing before byte " + std::to_string(packet.offset));
    } else if (expected_sequence && sequence < *expected_sequence) {
        record(packet.offset, static_cast<int64_t>(sequence),
               "packet " + std::to_string(sequence) + at_byte(packet.offset) + ": out of order (expected " +
                   std::to_string(*expected_sequence) + ")");
    }
    expected_sequence = sequence + 1;
}

// Consumes bytes until the cursor is on a packet sync or trailer magic, or the file ends.
void Reader::Impl::skip_to_sync() {
    while (in.fill(4)) {
        auto window = in.peek(in.available());
        std::optional<size_t> found = find_sync(window);
        in.consume(found ? *found : window.size() - 3);
        if (found) return;
    }
}

void Reader::Impl::end_of_file(bool in_sync) {
    if (in_sync && in.available() > 0)
        record(in.offset(), -1, std::to_string(in.available()) + " stray bytes" + at_byte(in.offset()) + " at the end");
    in.consume(in.available());
    record(in.offset(), -1, bad_trailer_seen ? "file ends without an intact trailer"
                                             : "file ends without a trailer (truncated?)");
    finished = true;
}

void Reader::Impl::try_trailer(bool in_sync) {
    uint64_t at = in.offset();
    std::string why;
    std::optional<Trailer> found = trailer_here(why);
    if (!found) {
        if (in_sync) record(at, -1, "trailer" + at_byte(at) + ": " + why + ", skipped");
        bad_trailer_seen = bad_trailer_seen || in_sync;
        return;
    }
    bool hashed = sha != nullptr;
    found->sha256_matches = hashed && sha->finish() == found->sha256;
    sha.reset();
    in.set_hash(nullptr);
    if (hashed && !found->sha256_matches)
        record(at, -1, "trailer" + at_byte(at) + ": SHA-256 does not match the file's contents");
    if (header.total_samples != kUnknownSamples && header.total_samples != found->final_samples)
        record(at, -1, "header total_samples " + std::to_string(header.total_samples) +
                           " disagrees with the trailer's final_samples " + std::to_string(found->final_samples));
    in.consume(format::trailer_size(found->index.size()));
    check_end_record(at);
    trailer = std::move(found);
    finished = true;
}

std::optional<Trailer> Reader::Impl::trailer_here(std::string& why) {
    uint64_t at = in.offset();
    if (!in.fill(8)) {
        why = "truncated";
        return std::nullopt;
    }
    uint32_t count = format::read_u32(in.peek(8), 4);
    size_t n = format::trailer_size(count);
    if (count > format::kMaxIndexEntries || (size && at + n > *size)) {
        why = "index entry count " + std::to_string(count) + " is absurd";
        return std::nullopt;
    }
    if (!in.fill(n)) {
        why = "truncated";
        return std::nullopt;
    }
    return format::parse_trailer(in.peek(n), at, header_length, why);
}

void Reader::Impl::check_end_record(uint64_t trailer_offset) {
    uint64_t at = in.offset();
    if (!in.fill(format::kEndRecordSize)) {
        record(at, -1, "end record missing" + at_byte(at) + " (truncated?)");
        in.consume(in.available());
        return;
    }
    auto end = in.peek(format::kEndRecordSize);
    if (format::read_u64(end, 0) != trailer_offset || !format::starts_with(end.subspan(8), format::kEndMagic))
        record(at, -1, "end record" + at_byte(at) + " is damaged");
    in.consume(format::kEndRecordSize);
    if (in.fill(1)) record(in.offset(), -1, "unexpected data after the end record" + at_byte(in.offset()));
}

uint64_t Reader::Impl::current_size() {
    if (fseeko(file, 0, SEEK_END) != 0) fail_io("seek failed", errno);
    off_t end = ftello(file);
    if (end < origin) fail_io("tell failed", errno);
    return static_cast<uint64_t>(end - origin);
}

std::vector<uint8_t> Reader::Impl::read_at(uint64_t offset, size_t n) {
    std::vector<uint8_t> bytes(n);
    if (fseeko(file, origin + static_cast<off_t>(offset), SEEK_SET) != 0) fail_io("seek failed", errno);
    errno = 0;
    size_t got = std::fread(bytes.data(), 1, n, file);
    if (got != n && std::ferror(file)) fail_io("read failed", errno);
    bytes.resize(got);
    return bytes;
}

std::optional<Trailer> Reader::Impl::trailer_from_end(uint64_t file_size) {
    using namespace format;
    if (file_size < header_length + trailer_size(0) + kEndRecordSize) return std::nullopt;
    uint64_t trailer_end = file_size - kEndRecordSize;
    std::vector<uint8_t> end = read_at(trailer_end, kEndRecordSize);
    if (end.size() != kEndRecordSize || !starts_with(std::span(end).subspan(8), kEndMagic)) return std::nullopt;
    uint64_t at = read_u64(end, 0);
    if (at < header_length || at > trailer_end - trailer_size(0)) return std::nullopt;
    uint64_t entries_bytes = trailer_end - at - kTrailerFixedSize;
    if (entries_bytes % kIndexEntrySize != 0 || entries_bytes / kIndexEntrySize > kMaxIndexEntries)
        return std::nullopt;
    std::string why;
    return parse_trailer(read_at(at, trailer_size(entries_bytes / kIndexEntrySize)), at, header_length, why);
}

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

std::unique_ptr<Reader> Reader::open_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) fail_io("cannot open " + path, errno);
    auto impl = std::make_unique<Impl>(f);
    impl->owns_file = true;
    impl->probe_size();
    impl->read_header();
    return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

std::unique_ptr<Reader> Reader::open_stream(std::FILE* stream) {
    require_usage(stream != nullptr, "null stream");
    auto impl = std::make_unique<Impl>(stream);
    impl->probe_size();
    impl->read_header();
    return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

const FileHeader& Reader::header() const { return impl_->header; }
std::optional<Packet> Reader::next_packet() { return impl_->next_packet(); }
const std::vector<Damage>& Reader::damage() const { return impl_->damage; }
const std::optional<Trailer>& Reader::trailer() const { return impl_->trailer; }
bool Reader::seekable() const { return impl_->seekable; }

std::optional<Trailer> Reader::read_trailer_from_end() {
    Impl& m = *impl_;
    require_usage(m.seekable, "read_trailer_from_end needs a seekable file");
    off_t saved = ftello(m.file);
    if (saved < 0) fail_io("tell failed", errno);
    std::optional<Trailer> found;
    try {
        found = m.trailer_from_end(m.current_size());
    } catch (...) {
        fseeko(m.file, saved, SEEK_SET);
        throw;
    }
    if (fseeko(m.file, saved, SEEK_SET) != 0) fail_io("seek failed", errno);
    return found;
}

void Reader::seek_to(uint64_t offset) {
    Impl& m = *impl_;
    require_usage(m.seekable, "seek_to needs a seekable file");
    uint64_t file_size = m.current_size();
    require_usage(offset >= m.header_length && offset <= file_size,
                  "seek offset " + std::to_string(offset) + " outside " + std::to_string(m.header_length) + ".." +
                      std::to_string(file_size));
    if (fseeko(m.file, m.origin + static_cast<off_t>(offset), SEEK_SET) != 0) fail_io("seek failed", errno);
    m.in.restart_at(offset);
    m.in.set_hash(nullptr);
    m.sha.reset();
    m.expected_sequence.reset();
    m.size = file_size;
    m.finished = false;
}

}  // namespace tqc
