#pragma once
// Each verb of `sgprs` lives in its own file here and registers itself on the
// top-level app: its flags, its --help text and its callback. Callbacks throw
// sgprs::InputError (exit 2), sgprs::NoGpuError (exit 3), sgprs::NotAvailableError (exit 4)
// or sgprs::GpuError (exit 5); main maps them.
#include "common/errors.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace sgprs::cli {

/// A default input path of the shipped data (`traces/...`), usable from any folder: `value` as it
/// is when the user changed it or it exists from here, else the same path under $SGPRS_DATA_DIR
/// or, failing that, under the source tree this program was built from.
std::string shipped_default(const std::string& value, const std::string& default_value);

/// An error already reported by another process (rank 0 of an MPI job): main exits with
/// `status` without a line of its own.
using QuietExit = ::sgprs::QuietExit;

/// Draws DIR's plots with tools/<script_name> (python3 SCRIPT DIR); a warning, not an error, when
/// that fails.
void draw_plots(const std::string& script_name, const std::string& dir);
/// draw_plots("plot_sweep.py", dir).
void draw_sweep_plots(const std::string& dir);

void add_simulate_subcommand(CLI::App& app);
void add_sweep_subcommand(CLI::App& app);
void add_merge_subcommand(CLI::App& app);
void add_profile_subcommand(CLI::App& app);   // real one only in CUDA builds
void add_live_subcommand(CLI::App& app);
void add_validate_subcommand(CLI::App& app);
void add_tune_subcommand(CLI::App& app);
void add_taskset_subcommand(CLI::App& app);

}  // namespace sgprs::cli
