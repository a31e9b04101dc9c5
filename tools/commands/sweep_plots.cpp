// Plots drawn by the Python scripts in tools/: a sweep folder's (tools/plot_sweep.py, shared by
// `sweep` and `merge`) and a validation's (tools/plot_validation.py).
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sgprs::cli {

namespace {

/// tools/<name>: $SGPRS_PLOT_SCRIPT (sweeps only), else next to this source file (a build
/// tree), else beside the executable's parent folder.
std::string find_plot_script(const std::string& name) {
  if (const char* env = std::getenv("SGPRS_PLOT_SCRIPT"); env != nullptr && name == "plot_sweep.py") return env;
  namespace fs = std::filesystem;
  const fs::path from_source = fs::path(__FILE__).parent_path().parent_path() / name;
  if (fs::exists(from_source)) return from_source.string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path().parent_path() / "tools" / name))
    return (exe.parent_path().parent_path() / "tools" / name).string();
  return "";
}

/// $SGPRS_PYTHON, else Debian's /usr/bin/python3 (where the README's set-up
/// installs python3-matplotlib, even when a pyenv python3 comes first on PATH).
std::string python_interpreter() {
  if (const char* env = std::getenv("SGPRS_PYTHON")) return env;
  if (std::filesystem::exists("/usr/bin/python3")) return "/usr/bin/python3";
  return "python3";
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void draw_plots(const std::string& script_name, const std::string& dir) {
  const std::string script = find_plot_script(script_name);
  if (script.empty()) {
    std::fprintf(stderr, "sgprs: warning: tools/%s not found; no plots\n", script_name.c_str());
    return;
  }
  const std::string command = shell_quote(python_interpreter()) + " " + shell_quote(script) + " " + shell_quote(dir);
  if (std::system(command.c_str()) != 0)
    std::fprintf(stderr, "sgprs: warning: plotting failed (%s); the other files are complete\n", command.c_str());
}

void draw_sweep_plots(const std::string& dir) { draw_plots("plot_sweep.py", dir); }

}  // namespace sgprs::cli
