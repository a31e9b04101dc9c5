#pragma once
// What every sgprs program does around CLI11: parse, run the chosen verb, and turn whatever
// escapes into exactly one line on stderr and an exit status (common/errors.hpp lists them).
// Numeric flags go through integer_flag()/number_flag(), so a bad value is an InputError naming
// the flag and the accepted range in words instead of CLI11's own wording.
//
//   CLI::App app{"sgprs: ...", "sgprs"};
//   auto* sub = app.add_subcommand("sweep", "...");
//   integer_flag(sub, "--jobs", jobs, 0, 1024, "worker threads (0 = all hardware threads)");
//   return run_command_line(app, argc, argv);
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace sgprs {

/// Parses and runs `app`; returns the exit status. --help and --version print as CLI11 does and
/// return 0; a usage error (unknown flag, missing value) prints "<program>: error: <what> (see
/// <program> --help)" on one line and returns 2; exceptions from the verb map as in
/// describe_exception().
int run_command_line(CLI::App& app, int argc, char** argv);

/// A whole-number flag in [lo, hi]; anything else (a fraction, text, out of range) is an
/// InputError "<flag>: must be a whole number from lo to hi (got '...')".
CLI::Option* integer_flag(CLI::App* app, const std::string& flag, std::int64_t& target, std::int64_t lo,
                          std::int64_t hi, const std::string& help);
CLI::Option* integer_flag(CLI::App* app, const std::string& flag, int& target, int lo, int hi, const std::string& help);
CLI::Option* integer_flag(CLI::App* app, const std::string& flag, std::uint64_t& target, std::uint64_t lo,
                          std::uint64_t hi, const std::string& help);
/// A finite number flag in (lo_exclusive, hi]: "<flag>: must be a number above lo, at most hi".
CLI::Option* number_flag(CLI::App* app, const std::string& flag, double& target, double lo_exclusive, double hi,
                         const std::string& help);

}  // namespace sgprs
