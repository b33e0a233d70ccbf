// The tqc subcommands. Each takes the arguments after its name and returns the exit code;
// errors are thrown (cli.hpp) and turned into one line plus exit code by main().
#pragma once

#include <span>

namespace tqc::cli {

int cmd_encode(std::span<char* const> args);
int cmd_decode(std::span<char* const> args);
int cmd_info(std::span<char* const> args);
int cmd_compare(std::span<char* const> args);
int cmd_families(std::span<char* const> args);
int cmd_bench(std::span<char* const> args);
int cmd_reduce(std::span<char* const> args);
int cmd_batch(std::span<char* const> args);

}  // namespace tqc::cli
