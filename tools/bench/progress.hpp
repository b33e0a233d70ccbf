// Progress on stderr: a bar with ETA when stderr is a terminal, else one line per finished job.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace tqb {

class Progress {
public:
    // `label` starts each line ("tqc bench").
    explicit Progress(size_t total, std::string label = "tqc bench");
    // Thread-safe. `what` names the job, `outcome` says how it went ("63.2 kbit/s", "skipped: ...").
    void job_done(const std::string& what, const std::string& outcome);
    void finish();

private:
    std::string eta_text() const;
    void draw_bar(const std::string& what);

    size_t total_;
    std::string label_;
    size_t done_ = 0;
    bool tty_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
};

std::string format_duration(double seconds);

}  // namespace tqb
