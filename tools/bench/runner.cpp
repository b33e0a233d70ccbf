// Worker threads pulling jobs from a shared counter.
#include "bench/runner.hpp"

#include <atomic>
#include <thread>

#include "bench/progress.hpp"
#include "tqc/cli.hpp"

namespace tqb {

namespace {

std::string job_name(const Job& j) {
    std::string name = j.clip->name;
    name.append(" ").append(j.codec->label);  // append: g++ 12 -Wrestrict false positive on operator+
    if (j.nominal_bps) name.append(" ").append(rate_label(j.nominal_bps));
    return name;
}

std::string outcome(const Result& r) {
    if (!r.coded.ok) return std::string("skipped: ").append(r.coded.note);  // append: g++ 12 -Wrestrict false positive
    return tqc::cli::format_fixed(r.actual_kbps, 1) + " kbit/s, SNR " + tqc::cli::format_fixed(r.metrics.snr_db, 2) + " dB";
}

}  // namespace

void run_parallel(size_t count, int threads, const std::function<void(size_t)>& job,
                  const std::function<bool()>& should_stop) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
        while (!(should_stop && should_stop())) {
            const size_t i = next++;
            if (i >= count) return;
            job(i);
        }
    };
    std::vector<std::jthread> pool;
    for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(worker);
}

std::vector<Result> run_jobs(const std::vector<Job>& jobs, const RunSettings& settings) {
    std::vector<Result> results(jobs.size());
    Progress progress(jobs.size());
    run_parallel(jobs.size(), settings.threads, [&](size_t i) {
        results[i] = run_job(jobs[i], settings);
        progress.job_done(job_name(jobs[i]), outcome(results[i]));
    });
    progress.finish();
    return results;
}

}  // namespace tqb
