#pragma once
// The `profile` subcommand of `sgprs` (and of the standalone `sgprs-profile`).
#include <CLI/CLI.hpp>

namespace sgprs::profiler {

/// Adds "profile" to `app`; its callback measures and writes the profile.
/// Errors reach the caller as exceptions: InputError (exit 2: bad flag, unknown
/// op or model, impossible SM count, CUDA/CUPTI/library failure) or NoGpuError (exit 3).
void add_profile_subcommand(CLI::App& app);

}  // namespace sgprs::profiler
