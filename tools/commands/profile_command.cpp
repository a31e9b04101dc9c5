// In CUDA builds `sgprs profile` is the profiler's own subcommand.
#ifdef SGPRS_HAVE_CUDA
#include "profiler/profile_command.hpp"
#include "tools/commands/commands.hpp"

namespace sgprs::cli {
void add_profile_subcommand(CLI::App& app) { sgprs::profiler::add_profile_subcommand(app); }
}  // namespace sgprs::cli
#endif
