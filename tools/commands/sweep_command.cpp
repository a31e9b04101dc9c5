// Placeholder until the sweep work lands.
#include "tools/commands/commands.hpp"

#include <stdexcept>

namespace sgprs::cli {
void add_sweep_subcommand(CLI::App& app) {
  app.add_subcommand("sweep", "(not built yet)")->callback([] { throw std::runtime_error("'sweep' is not built yet"); });
}
}  // namespace sgprs::cli
