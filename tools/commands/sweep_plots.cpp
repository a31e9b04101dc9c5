// The plots of a sweep folder, drawn by tools/plot_sweep.py (shared by `sweep` and `merge`).
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace sgprs::cli {

namespace {

/// tools/plot_sweep.py: $SGPRS_PLOT_SCRIPT, else next to this source file (a
/// build tree), else beside the executable's parent folder.
std::string find_plot_script() {
  if (const char* env = std::getenv("SGPRS_PLOT_SCRIPT")) return env;
  namespace fs = std::filesystem;
  const fs::path from_source = fs::path(__FILE__).parent_path().parent_path() / "plot_sweep.py";
  if (fs::exists(from_source)) return from_source.string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path().parent_path() / "tools" / "plot_sweep.py"))
    return (exe.parent_path().parent_path() / "tools" / "plot_sweep.py").string();
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

void draw_sweep_plots(const std::string& dir) {
  const std::string script = find_plot_script();
  if (script.empty()) {
    std::fprintf(stderr, "sgprs: warning: tools/plot_sweep.py not found (set SGPRS_PLOT_SCRIPT); no plots\n");
    return;
  }
  const std::string command = shell_quote(python_interpreter()) + " " + shell_quote(script) + " " + shell_quote(dir);
  if (std::system(command.c_str()) != 0)
    std::fprintf(stderr, "sgprs: warning: plotting failed (%s); the CSV files are complete\n", command.c_str());
}

}  // namespace sgprs::cli
