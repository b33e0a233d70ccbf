// Child processes of the benchmark: each coding step runs in its own process so that its peak
// memory (ru_maxrss) and CPU time are its own, and a crash stays contained.
#pragma once

#include <string>
#include <vector>

namespace tqb {

struct ChildResult {
    int exit_code = -1;      // -1 when killed by a signal
    std::string out;         // standard output
    std::string err;         // standard error
    double cpu_seconds = 0;  // user + system
    double peak_mib = 0;     // ru_maxrss
};

// Runs argv[0] (a path) with standard output and error captured through files named
// `capture_prefix`.out/.err (removed afterwards). Throws cli::Failure if it cannot start.
// peak_mib is the kernel's ru_maxrss, which for a child of a large process includes the
// parent's footprint (exec records the replaced address space's high-water mark): use
// run_measured() when the child's own peak matters.
ChildResult run_child(const std::vector<std::string>& argv, const std::string& capture_prefix);

// As run_child(), but through "tqc bench --measure-exec" (a small fresh process that starts
// argv and reports its rusage), so that peak_mib and cpu_seconds are argv's own.
ChildResult run_measured(const std::vector<std::string>& argv, const std::string& capture_prefix);

// Child side of run_measured(): args = RUSAGE_FILE PROGRAM ARGS...; returns PROGRAM's exit code.
int run_measure_exec(const std::vector<std::string>& args);

// This process's own peak resident memory (VmHWM of /proc/self/status), MiB.
double own_peak_mib();

// A private temporary directory "<tmp>/<prefix>-XXXXXX", removed with everything in it.
class WorkDir {
public:
    explicit WorkDir(const std::string& prefix);
    ~WorkDir();
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The last non-empty line of `text` (a child's error message).
std::string last_line(const std::string& text);

}  // namespace tqb
