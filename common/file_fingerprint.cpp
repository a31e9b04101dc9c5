#include "common/file_fingerprint.hpp"

#include "common/errors.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <fstream>

namespace sgprs {

std::string file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot be read");
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis and prime
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash ^= static_cast<unsigned char>(buffer[i]);
      hash *= 0x100000001b3ULL;
    }
    if (!in) break;
  }
  return fmt::format("fnv1a64:{:016x}", hash);
}

}  // namespace sgprs
