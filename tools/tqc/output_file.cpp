#include "output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <vector>

#include "cli.hpp"

namespace tqc::cli {
namespace {

// The temporary files not yet committed, for a signal that ends the process
// (Ctrl-C, kill, a closed pipe, a closed terminal) to remove before it does:
// destructors do not run then. Slots are claimed and released without locks,
// so the handler only reads atomics and calls unlink(), which is async-signal-safe.
constexpr std::size_t kMaxPending = 64;
std::array<std::atomic<const char*>, kMaxPending> g_pending{};
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

void remove_pending_and_die(int sig) {
    for (auto& slot : g_pending)
        if (const char* path = slot.exchange(nullptr)) ::unlink(path);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Installs the handler for the signals still at their default (an ignored
// SIGPIPE stays ignored; a command's own handlers, as tqc batch's, stay).
void install_cleanup_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : kCleanupSignals) {
            struct sigaction old {};
            if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
            struct sigaction sa {};
            sa.sa_handler = remove_pending_and_die;
            sigemptyset(&sa.sa_mask);
            sigaction(sig, &sa, nullptr);
        }
    });
}

void add_pending(const char* path) {
    install_cleanup_once();
    for (auto& slot : g_pending) {
        const char* empty = nullptr;
        if (slot.compare_exchange_strong(empty, path)) return;
    }
    // More than kMaxPending at once: this one is removed by its destructor only.
}

void drop_pending(const char* path) {
    for (auto& slot : g_pending) {
        const char* mine = path;
        if (slot.compare_exchange_strong(mine, nullptr)) return;
    }
}

}  // namespace

TempOutput::TempOutput(const std::string& final_path) : final_(final_path) {
    std::string pattern = final_path + ".tmp-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const int fd = mkstemp(buf.data());
    if (fd < 0) throw Failure(final_path, std::string("cannot create output: ") + std::strerror(errno));
    const mode_t mask = umask(0);  // mkstemp makes 0600: give the file the usual 0666 & ~umask
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    ::close(fd);
    temp_ = buf.data();
    add_pending(temp_.c_str());
}

TempOutput::~TempOutput() {
    if (committed_) return;
    drop_pending(temp_.c_str());
    std::remove(temp_.c_str());
}

void TempOutput::commit() {
    drop_pending(temp_.c_str());
    if (std::rename(temp_.c_str(), final_.c_str()) != 0) {
        add_pending(temp_.c_str());
        throw Failure(final_, std::string("cannot rename the finished output into place: ") + std::strerror(errno));
    }
    committed_ = true;
}

CountingStdout::CountingStdout() {
    cookie_io_functions_t io{};
    io.write = &CountingStdout::write;
    stream_ = fopencookie(this, "w", io);
    if (!stream_) throw Failure("<stdout>", std::strerror(errno));
}

CountingStdout::~CountingStdout() {
    if (stream_) std::fclose(stream_);
}

ssize_t CountingStdout::write(void* cookie, const char* data, size_t size) {
    auto* self = static_cast<CountingStdout*>(cookie);
    const size_t done = std::fwrite(data, 1, size, stdout);
    self->bytes_ += done;
    return done == size ? static_cast<ssize_t>(done) : -1;
}

void CountingStdout::close() {
    std::FILE* s = stream_;
    stream_ = nullptr;
    if ((s && std::fclose(s) != 0) || std::fflush(stdout) != 0)
        throw Failure("<stdout>", std::string("write error: ") + std::strerror(errno));
}

}  // namespace tqc::cli
