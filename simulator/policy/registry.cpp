#include "simulator/policy/registry.hpp"

#include "common/errors.hpp"

namespace sgprs::sim {

const std::vector<SchedulerEntry>& scheduler_registry() {
  static const std::vector<SchedulerEntry> entries = {
      {"sgprs", "SGPRS (paper): stage virtual deadlines; first idle partition in pool order that meets the stage deadline (smallest first on Stepwise; --scan-order ascending-sms for smallest on any layout), else fastest idle, else earliest predicted completion; deferral",
       &make_sgprs_scheduler},
      {"naive", "paper baseline: N whole-GPU partitions, tasks pinned round-robin, whole jobs",
       &make_naive_scheduler},
      {"sequential", "one whole-GPU partition, one stage at a time, earliest job deadline first",
       &make_sequential_scheduler},
      {"static", "each task pinned to one partition of the layout, stages in order", &make_static_scheduler},
      {"streams", "what PyTorch users run: --option streams=S plain streams on the whole GPU (default 16), task i on stream i mod S, whole jobs, FIFO per stream, a job released while its task's previous one runs is skipped",
       &make_streams_scheduler},
  };
  return entries;
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name, const SchedulerOptions& options) {
  std::vector<std::string> known;
  for (const SchedulerEntry& entry : scheduler_registry()) {
    if (entry.name == name) return entry.make(options);
    known.push_back(entry.name);
  }
  throw InputError("--scheduler", "", unknown_name("scheduler", name, known));
}

}  // namespace sgprs::sim
