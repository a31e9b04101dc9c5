// sgprs: one program, eight verbs (profile, simulate, sweep, tune, taskset, merge, live, validate).
#include "common/command_line.hpp"
#include "common/temp_files.hpp"
#include "tools/commands/commands.hpp"

int main(int argc, char** argv) {
  sgprs::remove_temp_files_on_signals();
  CLI::App app{"sgprs: real-time scheduling of periodic DNN inference on a spatially partitioned GPU", "sgprs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sgprs 0.1.0");
  sgprs::cli::add_profile_subcommand(app);
  sgprs::cli::add_simulate_subcommand(app);
  sgprs::cli::add_sweep_subcommand(app);
  sgprs::cli::add_tune_subcommand(app);
  sgprs::cli::add_taskset_subcommand(app);
  sgprs::cli::add_merge_subcommand(app);
  sgprs::cli::add_live_subcommand(app);
  sgprs::cli::add_validate_subcommand(app);
  return sgprs::run_command_line(app, argc, argv);
}
