#include "simulator/validation/live_replay.hpp"

#include <algorithm>

namespace sgprs::validation {

std::vector<std::vector<Ns>> release_latencies(const RunLog& live) {
  std::vector<std::vector<const JobRun*>> by_task(live.tasks.size());
  for (const JobRun& j : live.jobs) by_task[static_cast<std::size_t>(j.task)].push_back(&j);
  std::vector<std::vector<Ns>> out(live.tasks.size());
  for (std::size_t t = 0; t < by_task.size(); ++t) {
    std::vector<const JobRun*>& jobs = by_task[t];
    std::sort(jobs.begin(), jobs.end(), [](const JobRun* a, const JobRun* b) { return a->job < b->job; });
    if (jobs.empty()) continue;
    out[t].assign(static_cast<std::size_t>(jobs.back()->job) + 1, 0);
    Ns previous_end = 0;  // the run's start arms the first releases
    for (const JobRun* j : jobs) {
      if (j->released_at_ns < 0) continue;  // skipped: released never
      out[t][static_cast<std::size_t>(j->job)] = std::max<Ns>(0, j->released_at_ns - std::max(j->release_ns, previous_end));
      if (j->ended_at_ns >= 0) previous_end = j->ended_at_ns;
    }
  }
  return out;
}

}  // namespace sgprs::validation
