#include "simulator/policy/registry.hpp"

#include "common/errors.hpp"

namespace sgprs::sim {

const std::vector<SchedulerEntry>& scheduler_registry() {
  static const std::vector<SchedulerEntry> entries = {
      {"sgprs", "SGPRS (paper): stage virtual deadlines; first idle partition in pool order that meets the stage deadline (smallest first on Stepwise; --scan-order ascending-sms for smallest on any layout), else fastest idle, else earliest predicted completion; deferral",
       &make_sgprs_scheduler},
      {"sgprs-best", "sgprs with the rules of docs/policy.md: one pool-wide queue, earliest job deadline first with high priority before low, late binding to the smallest partition whose per-slot time meets the stage deadline, slots from the profile's most SM-efficient size, hopeless jobs never started and dropped at their deadline",
       &make_sgprs_scheduler,
       {{"binding", "late"}, {"slot_sms", "profile"}, {"waiting_order", "job-edf"}, {"priority_first", "on"},
        {"drop_hopeless", "on"}, {"miss_policy", "abort"}}},
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

SchedulerOptions scheduler_default_options(const std::string& name) {
  SchedulerOptions options;
  for (const SchedulerEntry& entry : scheduler_registry())
    if (entry.name == name)
      for (const auto& [option, value] : entry.preset) set_scheduler_option(options, option, value, "preset " + name);
  return options;
}

}  // namespace sgprs::sim
