// Placeholder until the simulate work lands.
#include "tools/commands/commands.hpp"

#include <stdexcept>

namespace sgprs::cli {
void add_simulate_subcommand(CLI::App& app) {
  app.add_subcommand("simulate", "(not built yet)")->callback([] { throw std::runtime_error("'simulate' is not built yet"); });
}
}  // namespace sgprs::cli
