#include "tools/commands/commands.hpp"

#include <cstdlib>
#include <filesystem>

namespace sgprs::cli {

std::string shipped_default(const std::string& value, const std::string& default_value) {
  namespace fs = std::filesystem;
  if (value != default_value || fs::exists(value)) return value;
  const char* roots[] = {std::getenv("SGPRS_DATA_DIR"), SGPRS_SOURCE_DIR};
  for (const char* root : roots) {
    if (root == nullptr || *root == '\0') continue;
    const fs::path candidate = fs::path(root) / value;
    if (fs::exists(candidate)) return candidate.string();
  }
  return value;  // the reader reports it as missing, under the name the user knows
}

}  // namespace sgprs::cli
