// Output files that appear only when complete: written to "<final>.tmp-XXXXXX" beside the
// final path and renamed over it by commit(); removed if the command fails first, or is
// ended by SIGINT, SIGTERM, SIGHUP or SIGPIPE.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace tqc::cli {

class TempOutput {
public:
    explicit TempOutput(const std::string& final_path);
    ~TempOutput();  // removes the temporary file unless committed
    TempOutput(const TempOutput&) = delete;
    TempOutput& operator=(const TempOutput&) = delete;

    const std::string& temp_path() const { return temp_; }
    void commit();

private:
    std::string final_;
    std::string temp_;
    bool committed_ = false;
};

// Standard output behind a FILE* that counts the bytes written through it.
class CountingStdout {
public:
    CountingStdout();
    ~CountingStdout();
    CountingStdout(const CountingStdout&) = delete;
    CountingStdout& operator=(const CountingStdout&) = delete;

    std::FILE* stream() { return stream_; }
    uint64_t bytes() const { return bytes_; }
    void close();  // flushes everything to stdout; throws on error

private:
    static ssize_t write(void* cookie, const char* data, size_t size);
    std::FILE* stream_ = nullptr;
    uint64_t bytes_ = 0;
};

}  // namespace tqc::cli
