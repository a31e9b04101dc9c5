#pragma once
// What every loader's fuzz target shares: the bytes become a JSON document through the same
// parse_json_text the programs use (so the depth and size limits apply), and only InputError,
// the one way a bad file may end, is caught. Any other exception escapes to libFuzzer and is
// reported as a crash: in a program it would have been "internal error", exit 1.
#include "common/errors.hpp"
#include "common/json_io.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sgprs::fuzz {

template <class Load>
int run_loader(const std::uint8_t* data, std::size_t size, Load&& load) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    load(text);
  } catch (const InputError&) {
    // Refused with a message naming the file and field: the promised outcome.
  }
  return 0;
}

}  // namespace sgprs::fuzz
