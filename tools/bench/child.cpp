#include "bench/child.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tqc/cli.hpp"

extern char** environ;

namespace tqb {
namespace {

std::string slurp_and_remove(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    ::unlink(path.c_str());
    return s.str();
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

struct Exit {
    int status = 0;
    rusage usage{};
};

// Starts argv (stdio redirected when `actions` is given) and waits for it.
Exit spawn_and_wait(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* actions) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], actions, nullptr, args.data(), environ);
    if (rc != 0) throw tqc::cli::Failure(argv[0], std::strerror(rc));
    Exit e;
    while (::wait4(pid, &e.status, 0, &e.usage) < 0 && errno == EINTR) {}
    return e;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv, const std::string& capture_prefix) {
    const std::string out_path = capture_prefix + ".out", err_path = capture_prefix + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    Exit e;
    try {
        e = spawn_and_wait(argv, &actions);
    } catch (...) {
        posix_spawn_file_actions_destroy(&actions);
        throw;
    }
    posix_spawn_file_actions_destroy(&actions);
    ChildResult r;
    r.exit_code = exit_code(e.status);
    r.out = slurp_and_remove(out_path);
    r.err = slurp_and_remove(err_path);
    r.cpu_seconds = seconds(e.usage.ru_utime) + seconds(e.usage.ru_stime);
    r.peak_mib = static_cast<double>(e.usage.ru_maxrss) / 1024.0;
    if (WIFSIGNALED(e.status)) r.err += std::string("\nkilled by signal ") + strsignal(WTERMSIG(e.status));
    return r;
}

ChildResult run_measured(const std::vector<std::string>& argv, const std::string& capture_prefix) {
    const std::string usage_path = capture_prefix + ".rusage";
    std::vector<std::string> wrapped = {"/proc/self/exe", "bench", "--measure-exec", usage_path};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    ChildResult r = run_child(wrapped, capture_prefix);
    std::istringstream usage(slurp_and_remove(usage_path));
    if (!(usage >> r.cpu_seconds >> r.peak_mib) && r.exit_code == 0) r.exit_code = -1, r.err += "\nno rusage from --measure-exec";
    return r;
}

int run_measure_exec(const std::vector<std::string>& args) {
    if (args.size() < 2) throw tqc::cli::UsageError("bench --measure-exec: expected RUSAGE_FILE PROGRAM ARGS...");
    const Exit e = spawn_and_wait({args.begin() + 1, args.end()}, nullptr);
    std::ofstream out(args[0]);
    out << seconds(e.usage.ru_utime) + seconds(e.usage.ru_stime) << " " << static_cast<double>(e.usage.ru_maxrss) / 1024.0 << "\n";
    return exit_code(e.status);
}

double own_peak_mib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

WorkDir::WorkDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw tqc::cli::Failure(prefix, "cannot create a temporary directory");
    path_ = pattern;
}

WorkDir::~WorkDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of("\n\r ");
    if (end == std::string::npos) return "";
    const size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace tqb
