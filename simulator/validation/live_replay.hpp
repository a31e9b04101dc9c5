#pragma once
// What a re-simulation takes from a live run so that it starts from the same releases: the host's
// release latency of every job, i.e. how long after the instant the job rules gave it (max(r, f),
// f the end of the task's previous job in the live run) the live run released it. The simulated
// run adds the same latency to its own max(r, f) (RunOptions::release_latencies), so wherever the
// two runs agree on f they release at the very same nanosecond.
#include "simulator/validation/run_log.hpp"

#include <vector>

namespace sgprs::validation {

/// Per task (in the log's order), per job index: the release latency (>= 0; 0 for skipped jobs).
std::vector<std::vector<Ns>> release_latencies(const RunLog& live);

}  // namespace sgprs::validation
