// libFuzzer target: the event-log reader of `sgprs validate` (tests/fuzz/loaders.cpp). Only
// InputError is caught: any other exception, crash or sanitizer report is a finding.
#include "common/errors.hpp"
#include "loaders.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    sgprs::fuzz::load_event_log({reinterpret_cast<const char*>(data), size});
  } catch (const sgprs::InputError&) {
  }
  return 0;
}
