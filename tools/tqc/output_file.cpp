#include "output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "cli.hpp"

namespace tqc::cli {

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
}

TempOutput::~TempOutput() {
    if (!committed_) std::remove(temp_.c_str());
}

void TempOutput::commit() {
    if (std::rename(temp_.c_str(), final_.c_str()) != 0)
        throw Failure(final_, std::string("cannot rename the finished output into place: ") + std::strerror(errno));
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
