// .tqc writer: header, packets, trailer (layout: FORMAT.md, format.hpp).
#include <fcntl.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include "core/checksum.hpp"
#include "core/error.hpp"
#include "format.hpp"
#include "tqc_container.hpp"

namespace tqc {
namespace {

[[noreturn]] void fail_io(const std::string& what, int error) {
    tq::fail(TQ_ERR_INVALID_ARGUMENT, "tqc writer: " + what + ": " + std::strerror(error));
}

void require_usage(bool condition, const std::string& message) {
    tq::require(condition, TQ_ERR_INVALID_ARGUMENT, "tqc writer: " + message);
}

// ftello/fseeko fail on pipes, sockets and terminals: those get an unpatched file.
// So does a stream in append mode, where a patch would land at the end.
bool is_seekable(std::FILE* f, off_t& position) {
    int fd = fileno(f);
    int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (flags < 0 || (flags & O_APPEND)) return false;
    position = ftello(f);
    return position >= 0 && fseeko(f, position, SEEK_SET) == 0;
}

}  // namespace

struct Writer::Impl {
    enum class State { kNeedHeader, kPackets, kFinished, kFailed };

    std::FILE* file = nullptr;
    bool owns_file = false;
    bool seekable = false;
    off_t origin = 0;  // stream position of the file's first byte
    State state = State::kNeedHeader;
    uint64_t written = 0;
    std::vector<uint8_t> header;
    uint32_t next_sequence = 0;
    bool sequence_exhausted = false;
    std::vector<IndexEntry> index;
    uint64_t keyframes = 0;
    uint64_t index_stride = 1;  // every index_stride-th keyframe is indexed
    tq::Sha256 sha;

    ~Impl() {
        if (owns_file) std::fclose(file);
    }

    void put(std::span<const uint8_t> bytes) {
        errno = 0;
        if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) fail_io("write failed", errno);
    }

    void emit(std::span<const uint8_t> bytes) {
        put(bytes);
        written += bytes.size();
    }

    void flush() {
        errno = 0;
        if (std::fflush(file) != 0) fail_io("flush failed", errno);
    }

    void seek(off_t position) {
        if (fseeko(file, position, SEEK_SET) != 0) fail_io("seek failed", errno);
    }

    void require_state(State expected, const char* call) {
        require_usage(state == expected, std::string(call) + " called out of order (write_header, write_packet..., "
                                                             "finish; or after an earlier error)");
    }

    // Keeps at most kMaxIndexEntries, evenly spread: when full, every other one goes.
    void add_to_index(uint64_t offset, uint64_t first_sample) {
        uint64_t keyframe = keyframes++;
        if (keyframe % index_stride != 0) return;
        if (index.size() == format::kMaxIndexEntries) {
            for (size_t i = 0; i < index.size() / 2; ++i) index[i] = index[2 * i];
            index.resize(index.size() / 2);
            index_stride *= 2;
            if (keyframe % index_stride != 0) return;
        }
        index.push_back({offset, first_sample});
    }

    void patch_header(uint64_t total_samples) {
        format::set_total_samples(header, total_samples);
        flush();
        seek(origin);
        put(header);
        seek(origin + static_cast<off_t>(written));
    }

    template <class F>
    void guarded(F&& body) {
        try {
            body();
        } catch (...) {
            state = State::kFailed;
            throw;
        }
    }
};

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Writer::~Writer() = default;

std::unique_ptr<Writer> Writer::open_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) fail_io("cannot create " + path, errno);
    std::unique_ptr<Writer> writer = open_stream(f);
    writer->impl_->owns_file = true;
    return writer;
}

std::unique_ptr<Writer> Writer::open_stream(std::FILE* stream) {
    require_usage(stream != nullptr, "null stream");
    auto impl = std::make_unique<Impl>();
    impl->file = stream;
    impl->seekable = is_seekable(stream, impl->origin);
    if (!impl->seekable) impl->origin = 0;
    return std::unique_ptr<Writer>(new Writer(std::move(impl)));
}

void Writer::write_header(const FileHeader& header) {
    Impl& m = *impl_;
    m.require_state(Impl::State::kNeedHeader, "write_header");
    m.guarded([&] {
        m.header = format::serialize_header(header);
        m.sha.update(format::canonical_header(m.header));
        m.emit(m.header);
        m.state = Impl::State::kPackets;
    });
}

void Writer::write_packet(uint64_t first_sample, std::span<const uint8_t> payload, uint8_t flags) {
    Impl& m = *impl_;
    m.require_state(Impl::State::kPackets, "write_packet");
    require_usage(payload.size() <= kMaxPayloadSize, "payload of " + std::to_string(payload.size()) +
                                                         " bytes exceeds the limit of " +
                                                         std::to_string(kMaxPayloadSize));
    require_usage((flags & ~kPacketKeyframe) == 0, "reserved packet flag bits set");
    require_usage(!m.sequence_exhausted, "more than 2^32 packets");
    m.guarded([&] {
        format::PacketHead head{m.next_sequence, first_sample, static_cast<uint32_t>(payload.size()), flags};
        std::vector<uint8_t> packet = format::serialize_packet(head, payload);
        uint64_t offset = m.written;
        m.emit(packet);
        m.sha.update(packet);
        if (flags & kPacketKeyframe) m.add_to_index(offset, first_sample);
        m.sequence_exhausted = m.next_sequence == UINT32_MAX;
        ++m.next_sequence;
    });
}

void Writer::finish(uint64_t final_samples) {
    Impl& m = *impl_;
    m.require_state(Impl::State::kPackets, "finish");
    m.guarded([&] {
        Trailer trailer;
        trailer.offset = m.written;
        trailer.index = std::move(m.index);
        trailer.final_samples = final_samples;
        trailer.sha256 = m.sha.finish();
        m.emit(format::serialize_trailer(trailer));
        m.emit(format::serialize_end_record(trailer.offset));
        if (m.seekable && format::read_u64(m.header, format::kTotalSamplesOffset) == kUnknownSamples)
            m.patch_header(final_samples);
        m.flush();
        m.state = Impl::State::kFinished;
    });
}

}  // namespace tqc
