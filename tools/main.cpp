// sgprs: one program, six verbs (profile, simulate, sweep, merge, live, validate).
#include "common/errors.hpp"
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"sgprs: real-time scheduling of periodic DNN inference on a spatially partitioned GPU", "sgprs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sgprs 0.1.0");
  sgprs::cli::add_profile_subcommand(app);
  sgprs::cli::add_simulate_subcommand(app);
  sgprs::cli::add_sweep_subcommand(app);
  sgprs::cli::add_merge_subcommand(app);
  sgprs::cli::add_live_subcommand(app);
  sgprs::cli::add_validate_subcommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : sgprs::kExitInputError;
  } catch (const sgprs::cli::QuietExit& e) {
    return e.status;
  } catch (const sgprs::InputError& e) {
    std::fprintf(stderr, "sgprs: error: %s\n", e.what());
    return sgprs::kExitInputError;
  } catch (const sgprs::NoGpuError& e) {
    std::fprintf(stderr, "sgprs: no GPU: %s\n", e.what());
    return sgprs::kExitNoGpu;
  } catch (const sgprs::GpuError& e) {
    std::fprintf(stderr, "sgprs: GPU fault: %s\n", e.what());
    return sgprs::kExitGpuFault;
  } catch (const sgprs::NotAvailableError& e) {
    std::fprintf(stderr, "sgprs: %s\n", e.what());
    return sgprs::kExitNotAvailable;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sgprs: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
