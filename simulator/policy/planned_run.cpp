#include "simulator/policy/planned_run.hpp"

#include "common/errors.hpp"
#include "simulator/policy/registry.hpp"

namespace sgprs::sim {

PlannedRun plan_run(const Profile& profile, const Workload& workload, const Layout& layout,
                    const std::string& scheduler, const SchedulerOptions& options, ProfileTimes predicted) {
  if (workload.tasks.empty()) throw InputError(workload.taskset_source, "tasks", "must list at least one task");
  if (layout.partitions.empty()) throw InputError("--layout", "partitions", "must list at least one partition");
  if (layout.max_parallel <= 0) throw InputError("--layout", "max_parallel", "must be positive");
  PlannedRun run;
  run.scheduler = make_scheduler(scheduler, options);
  run.pool = run.scheduler->make_pool(layout, profile.gpu(), workload.tasks.size());
  run.plan = std::make_unique<PolicyPlan>(profile, workload, run.pool, run.scheduler->runs_whole_jobs(), options,
                                          predicted);
  run.scheduler->reset(*run.plan);
  if (options.chain != Chain::kOff && !run.scheduler->chains_stages())
    throw InputError("--option", "chain",
                     "applies only to moldable blocks (scheduler sgprs or sgprs-best with binding=late and "
                     "slot_sms=moldable); set it to off or use them");
  return run;
}

}  // namespace sgprs::sim
