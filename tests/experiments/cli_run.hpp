#pragma once
// Runs the real `sgprs` binary from the source tree for the CLI tests of this folder: its status,
// stdout and stderr (through files in the test's own folder).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace sgprs::test {

struct CliResult {
  int status;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// `sgprs VERB ARGS` run in the source tree; its outputs pass through `dir`/out.txt and err.txt.
inline CliResult run_sgprs(const std::string& verb_and_args, const std::filesystem::path& dir) {
  const std::string cmd = "cd " + std::string(SGPRS_SOURCE_DIR) + " && " + SGPRS_BINARY + " " + verb_and_args + " > " +
                          (dir / "out.txt").string() + " 2> " + (dir / "err.txt").string();
  const int raw = std::system(cmd.c_str());
  return CliResult{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir / "out.txt"), slurp(dir / "err.txt")};
}

}  // namespace sgprs::test
