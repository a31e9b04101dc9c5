#pragma once
// The `profile` subcommand of `sgprs` (and of the standalone `sgprs-profile`).
#include <CLI/CLI.hpp>

namespace sgprs::profiler {

/// Adds "profile" to `app`; its callback measures and writes the profile.
/// Errors reach the caller as exceptions: InputError (exit 2: bad flag, unknown op, model or
/// precision, impossible SM count), NoGpuError (exit 3) or GpuError (exit 5: a CUDA, CUPTI or
/// library call failed).
void add_profile_subcommand(CLI::App& app);

}  // namespace sgprs::profiler
