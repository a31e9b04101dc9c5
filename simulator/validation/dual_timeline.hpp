#pragma once
// Both runs of a validation in one trace (Chrome trace-event JSON, opened by Perfetto and
// chrome://tracing): process "live" and process "simulated", one track per partition slot, one
// slice per stage run on the GPU's own clock, named "<task>/<stage>".
#include "simulator/validation/run_log.hpp"

#include <string>

namespace sgprs::validation {

/// Writes the trace to `path` atomically; InputError naming the path on a write error.
void write_dual_timeline(const RunLog& live, const RunLog& sim, const std::string& path);

}  // namespace sgprs::validation
