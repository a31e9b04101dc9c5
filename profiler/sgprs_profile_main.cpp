// sgprs-profile: the `profile` subcommand alone, so a GPU machine can build and
// run the profiler without the rest of the project. `sgprs-profile profile ...`
// behaves exactly like `sgprs profile ...`, errors and exit statuses included.
#include "common/command_line.hpp"
#include "common/temp_files.hpp"
#include "profiler/profile_command.hpp"

int main(int argc, char** argv) {
  sgprs::remove_temp_files_on_signals();
  CLI::App app{"sgprs-profile: measure a GPU for sgprs", "sgprs-profile"};
  app.require_subcommand(1);
  sgprs::profiler::add_profile_subcommand(app);
  return sgprs::run_command_line(app, argc, argv);
}
