#pragma once
// One entry per loader, as a fuzz target and the regression test drive it: the bytes become a
// JSON document through the same parse_json_text the programs use (so the depth and size limits
// apply), then the loader and the first things a run does with its result. Each throws
// InputError for a bad file, the one promised way to refuse it; any other exception is a bug (in
// a program it would be "internal error", exit 1).
#include <string_view>

namespace sgprs::fuzz {

void load_taskset(std::string_view text);
void load_model(std::string_view text);
void load_profile(std::string_view text);
void load_layout(std::string_view text);  // a layout file, or a shorthand (full, pieces, equal:N:B, stepwise:N:B)
void load_experiment(std::string_view text);
void load_event_log(std::string_view text);  // events.jsonl, then what validate computes from it

}  // namespace sgprs::fuzz
