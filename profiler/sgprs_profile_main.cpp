// sgprs-profile: the `profile` subcommand alone, so a GPU machine can build and
// run the profiler without the rest of the project. `sgprs-profile profile ...`
// behaves exactly like `sgprs profile ...`.
#include "common/errors.hpp"
#include "profiler/profile_command.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  CLI::App app{"sgprs-profile: measure a GPU for sgprs", "sgprs-profile"};
  app.require_subcommand(1);
  sgprs::profiler::add_profile_subcommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : sgprs::kExitInputError;
  } catch (const sgprs::InputError& e) {
    std::fprintf(stderr, "sgprs-profile: error: %s\n", e.what());
    return sgprs::kExitInputError;
  } catch (const sgprs::NoGpuError& e) {
    std::fprintf(stderr, "sgprs-profile: no GPU: %s\n", e.what());
    return sgprs::kExitNoGpu;
  } catch (const sgprs::GpuError& e) {
    std::fprintf(stderr, "sgprs-profile: GPU error: %s\n", e.what());
    return sgprs::kExitGpuFault;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sgprs-profile: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
