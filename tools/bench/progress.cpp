#include "bench/progress.hpp"

#include <cstdio>
#include <unistd.h>
#include <utility>

namespace tqb {

std::string format_duration(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

Progress::Progress(size_t total, std::string label)
    : total_(total), label_(std::move(label)), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

std::string Progress::eta_text() const {
    if (done_ == 0) return "ETA --:--";
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double left = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
    return "ETA " + format_duration(left);
}

void Progress::draw_bar(const std::string& what) {
    constexpr size_t kWidth = 30;
    const size_t filled = total_ ? kWidth * done_ / total_ : kWidth;
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %3zu%% %s  %.40s", bar.c_str(), done_, total_, total_ ? 100 * done_ / total_ : 100,
                 eta_text().c_str(), what.c_str());
    std::fflush(stderr);
}

void Progress::job_done(const std::string& what, const std::string& outcome) {
    std::lock_guard lock(mutex_);
    ++done_;
    if (tty_) draw_bar(what);
    else std::fprintf(stderr, "%s: [%zu/%zu] %s: %s\n", label_.c_str(), done_, total_, what.c_str(), outcome.c_str());
}

void Progress::finish() {
    std::lock_guard lock(mutex_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (tty_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s: %zu jobs in %s\n", label_.c_str(), total_, format_duration(elapsed).c_str());
}

}  // namespace tqb
