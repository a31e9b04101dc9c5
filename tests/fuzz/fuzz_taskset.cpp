// Fuzz target: task set files (TaskSet::from_json), then what a run does with them first:
// expansion with a seed, the deadline rule, and the run-size limits.
#include "common/limits.hpp"
#include "common/taskset.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sgprs::fuzz::run_loader(data, size, [](std::string_view text) {
    const sgprs::TaskSet set = sgprs::TaskSet::from_json(sgprs::parse_json_text(text, "fuzz.json"), "fuzz.json");
    set.check_deadlines(true);
    const auto tasks = set.expand(7);
    sgprs::limits::check_run_size(tasks, sgprs::limits::kMaxTimeNs, "fuzz.json", "tasks");
    (void)set.to_json().dump();
  });
}
