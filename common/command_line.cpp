#include "common/command_line.hpp"

#include "common/errors.hpp"
#include "common/temp_files.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace sgprs {

namespace {

template <class T>
CLI::Option* add_integer(CLI::App* app, const std::string& flag, T& target, T lo, T hi, const std::string& help) {
  const std::string range = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  auto* option = app->add_option_function<std::string>(
      flag,
      [&target, flag, lo, hi, range](const std::string& text) {
        T value{};
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
          throw InputError(flag, "", "must be " + range + " (got '" + text + "')");
        target = value;
      },
      help + " [" + range + "]");
  return option->type_name("INT")->default_str(std::to_string(target));
}

}  // namespace

CLI::Option* integer_flag(CLI::App* app, const std::string& flag, std::int64_t& target, std::int64_t lo,
                          std::int64_t hi, const std::string& help) {
  return add_integer(app, flag, target, lo, hi, help);
}

CLI::Option* integer_flag(CLI::App* app, const std::string& flag, int& target, int lo, int hi, const std::string& help) {
  return add_integer(app, flag, target, lo, hi, help);
}

CLI::Option* integer_flag(CLI::App* app, const std::string& flag, std::uint64_t& target, std::uint64_t lo,
                          std::uint64_t hi, const std::string& help) {
  return add_integer(app, flag, target, lo, hi, help);
}

CLI::Option* number_flag(CLI::App* app, const std::string& flag, double& target, double lo_exclusive, double hi,
                         const std::string& help) {
  char bounds[96];
  std::snprintf(bounds, sizeof bounds, "a number above %g, at most %g", lo_exclusive, hi);
  const std::string range = bounds;
  char shown[32];
  std::snprintf(shown, sizeof shown, "%g", target);
  auto* option = app->add_option_function<std::string>(
      flag,
      [&target, flag, lo_exclusive, hi, range](const std::string& text) {
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || !(value > lo_exclusive) ||
            value > hi)
          throw InputError(flag, "", "must be " + range + " (got '" + text + "')");
        target = value;
      },
      help + " [" + range + "]");
  return option->type_name("NUMBER")->default_str(shown);
}

int run_command_line(CLI::App& app, int argc, char** argv) {
  const std::string program = app.get_name().empty() ? "sgprs" : app.get_name();
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::string line = escape_control(program + ": error: " + e.what() + " (see " + program + " --help)");
    std::fprintf(stderr, "%s\n", line.c_str());
    return kExitInputError;
  } catch (const QuietExit& e) {  // already reported (an MPI rank's sweep)
    return e.status;
  } catch (...) {
    const ErrorReport report = describe_exception(std::current_exception(), program);
    std::fprintf(stderr, "%s\n", report.line.c_str());
    if (report.exit_status == kExitGpuFault) {
      // Outputs are already published or removed by the command's own fault path. A kernel that
      // never finished makes the CUDA runtime's teardown at exit wait for it: an Inception stage
      // stuck on an 8-SM partition held `sgprs live` there until it was killed
      // (traces/live/h200-tf32-2026-12-03-pieces/README.md). So the process ends here, at once.
      std::fflush(nullptr);
      remove_temp_files_now();
      std::_Exit(report.exit_status);
    }
    return report.exit_status;
  }
}

}  // namespace sgprs
