// Runs the jobs (coding in child processes, measuring in this one) on -j worker threads.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/coding.hpp"
#include "bench/plan.hpp"
#include "metrics/metrics.hpp"

namespace tqb {

struct Result {
    Job job;
    Coded coded;
    int sample_rate = 0;
    int channels = 0;
    double seconds = 0;       // clip duration
    double actual_kbps = 0;   // encoded file size * 8 / duration
    tqm::Report metrics;      // compare(): SNR, segmental SNR, SI-SDR, LSD, mel distance, delay
    double stoi = 0;          // speech clips only; NaN otherwise or when undefined
    double encode_xrt = 0;    // clip duration / encode CPU seconds
    double decode_xrt = 0;
};

struct RunSettings {
    std::string ffmpeg;
    std::string work_dir;  // temporary files (removed by the caller)
    int threads = 1;
};

// Calls job(i) for i in [0, count) on `threads` worker threads; each takes the next index
// until none is left or should_stop() (checked before each) says so.
void run_parallel(size_t count, int threads, const std::function<void(size_t)>& job,
                  const std::function<bool()>& should_stop = {});

// Fills r's measurements (duration, actual bitrate, x real time, compare() metrics, STOI for
// speech clips) from r.coded (bytes, CPU seconds, decoded_path) and the clip r.job.clip.
void measure(Result& r);

// One job: code the clip, measure the decoded audio against it (measure.cpp).
Result run_job(const Job& job, const RunSettings& settings);

// Results in job order. Jobs that fail are kept with coded.ok == false and a note.
std::vector<Result> run_jobs(const std::vector<Job>& jobs, const RunSettings& settings);

}  // namespace tqb
