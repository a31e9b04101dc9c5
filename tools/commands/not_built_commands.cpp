// Verbs whose work is not in this build yet: they exist, list their purpose in
// --help, and say plainly why they cannot run.
#include "common/errors.hpp"
#include "tools/commands/commands.hpp"

#include <cstdio>

namespace sgprs::cli {

#ifndef SGPRS_HAVE_CUDA  // with CUDA every verb is built, and nothing here is used
namespace {
void add_unavailable(CLI::App& app, const char* name, const char* description, const char* why) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->allow_extras();
  sub->callback([name, why] { throw NotAvailableError(std::string("'") + name + "' " + why); });
}
}  // namespace

void add_profile_subcommand(CLI::App& app) {
  add_unavailable(app, "profile", "Measure per-stage speedup curves on a GPU (needs a CUDA build)",
                  "needs a build with the CUDA toolkit, cuDNN and CUPTI (configure with a CUDA toolkit installed)");
}
#endif

}  // namespace sgprs::cli
