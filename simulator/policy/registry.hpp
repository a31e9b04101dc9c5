#pragma once
// Schedulers by name. The table lives in registry.cpp and names
// each policy's factory explicitly (no static-initialisation tricks, which a
// static library would silently drop).
#include "simulator/policy/scheduler.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sgprs::sim {

struct SchedulerEntry {
  std::string name;
  std::string description;
  std::unique_ptr<Scheduler> (*make)(const SchedulerOptions& options);
  // A named option set: these options start from these values (then --option / experiment
  // options apply on top). Empty: the paper's defaults.
  std::vector<std::pair<std::string, std::string>> preset = {};
};

const std::vector<SchedulerEntry>& scheduler_registry();
/// InputError("--scheduler", "", ...) listing the known names when `name` is unknown.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name, const SchedulerOptions& options);
/// The options a run of `name` starts from: the paper's defaults with the entry's preset applied
/// (an unknown name: the paper's defaults; make_scheduler() reports it).
SchedulerOptions scheduler_default_options(const std::string& name);

// The factories, one per policy file.
std::unique_ptr<Scheduler> make_sgprs_scheduler(const SchedulerOptions& options);
std::unique_ptr<Scheduler> make_naive_scheduler(const SchedulerOptions& options);
std::unique_ptr<Scheduler> make_sequential_scheduler(const SchedulerOptions& options);
std::unique_ptr<Scheduler> make_static_scheduler(const SchedulerOptions& options);
std::unique_ptr<Scheduler> make_streams_scheduler(const SchedulerOptions& options);

}  // namespace sgprs::sim
