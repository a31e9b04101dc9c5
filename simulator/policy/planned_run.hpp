#pragma once
// What a run is planned from, in either world: the scheduler, the pool it makes of
// the requested layout, and the plan it reads (reference partition, stage
// deadlines, predictions). Every input problem short of a platform's own shows
// here, so a sweep can check all its runs before the first one.
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/policy/policy_plan.hpp"
#include "simulator/policy/scheduler.hpp"

#include <memory>
#include <string>

namespace sgprs::sim {

struct PlannedRun {
  std::unique_ptr<Scheduler> scheduler;  // reset() on `plan` already
  Layout pool;
  std::unique_ptr<PolicyPlan> plan;      // the scheduler keeps a pointer to it: it must not move
};

/// InputError("--scheduler") for an unknown scheduler, InputError("--layout") for a layout
/// the scheduler cannot use, InputError naming the task set or option otherwise.
PlannedRun plan_run(const Profile& profile, const Workload& workload, const Layout& layout,
                    const std::string& scheduler, const SchedulerOptions& options, ProfileTimes predicted);

}  // namespace sgprs::sim
