#include "simulator/simulation.hpp"

#include "common/errors.hpp"
#include "simulator/engine/simulated_platform.hpp"
#include "simulator/outputs/metrics_collector.hpp"
#include "simulator/policy/registry.hpp"
#include "simulator/run_plan.hpp"

#include <chrono>
#include <stdexcept>

namespace sgprs::sim {

namespace {

RunInfo make_run_info(const RunPlan& plan, const Workload& workload, const RunOptions& options) {
  RunInfo info;
  info.scheduler = options.scheduler;
  info.seed = options.seed;
  info.duration_ns = options.duration_ns;
  for (const Task& t : workload.tasks) info.task_names.push_back(t.name);
  info.task_model = workload.task_model;
  for (const ModelPlan& m : plan.models()) {
    std::vector<std::string> names;
    for (const Unit& u : m.units) names.push_back(u.name);
    info.unit_names.push_back(std::move(names));
  }
  for (const Partition& p : plan.pool().partitions) {
    info.partition_names.push_back(p.name);
    info.partition_sms.push_back(p.sms);
  }
  info.max_parallel = plan.pool().max_parallel;
  return info;
}

Json provenance(const Profile& profile, const Workload& workload, const Layout& requested, const Layout& pool,
                const RunOptions& options) {
  return Json{{"scheduler", options.scheduler},
              {"scheduler_options", options.scheduler_options.to_json()},
              {"layout", requested.to_json()},
              {"pool", pool.to_json()},
              {"seed", options.seed},
              {"taskset_seed", workload.seed},
              {"duration_ns", options.duration_ns},
              {"use_occupied_times", options.use_occupied_times},
              {"gpu_uses_occupied_times", options.gpu_uses_occupied_times},
              {"sharing_rule", "processor-sharing/1"},
              {"profile", {{"source", profile.source()}, {"device", profile.device_name()},
                           {"sm_count", profile.gpu().sm_count}}},
              {"taskset", {{"name", workload.taskset_name}, {"source", workload.taskset_source},
                           {"tasks", workload.tasks.size()}}}};
}

}  // namespace

std::vector<std::string> scheduler_names() {
  std::vector<std::string> names;
  for (const SchedulerEntry& e : scheduler_registry()) names.push_back(e.name);
  return names;
}

std::string scheduler_description(const std::string& name) {
  for (const SchedulerEntry& e : scheduler_registry())
    if (e.name == name) return e.description;
  return "";
}

namespace {

// What a run is planned from: the scheduler, the pool it makes of the layout, and the plan
// (reference partition, stage deadlines, predictions). Every input problem short of the
// simulated platform's own shows here, which check_run relies on.
struct PlannedRun {
  std::unique_ptr<Scheduler> scheduler;
  Layout pool;
  std::unique_ptr<RunPlan> plan;  // the scheduler keeps a pointer to it: it must not move
};

PlannedRun plan_run(const Profile& profile, const Workload& workload, const Layout& layout, const RunOptions& options) {
  if (options.duration_ns <= 0) throw InputError("--duration", "", "must be positive");
  if (workload.tasks.empty()) throw InputError(workload.taskset_source, "tasks", "must list at least one task");
  if (layout.partitions.empty()) throw InputError("--layout", "partitions", "must list at least one partition");
  if (layout.max_parallel <= 0) throw InputError("--layout", "max_parallel", "must be positive");
  PlannedRun run;
  run.scheduler = make_scheduler(options.scheduler, options.scheduler_options);
  run.pool = run.scheduler->make_pool(layout, profile.gpu(), workload.tasks.size());
  run.plan = std::make_unique<RunPlan>(profile, workload, run.pool, run.scheduler->runs_whole_jobs(), options);
  run.scheduler->reset(*run.plan);
  return run;
}

}  // namespace

void check_run(const Profile& profile, const Workload& workload, const Layout& layout, const RunOptions& options) {
  plan_run(profile, workload, layout, options);
}

Summary simulate(const Profile& profile, const Workload& workload, const Layout& layout, const RunOptions& options,
                 const std::vector<Observer*>& observers) {
  const PlannedRun planned = plan_run(profile, workload, layout, options);
  Scheduler* scheduler = planned.scheduler.get();
  const Layout& pool = planned.pool;
  const RunPlan& plan = *planned.plan;
  const RunInfo info = make_run_info(plan, workload, options);

  MetricsCollector metrics;
  std::vector<Observer*> all{&metrics};
  all.insert(all.end(), observers.begin(), observers.end());
  for (Observer* o : all) o->on_run_start(info);

  std::unique_ptr<SimulatedPlatform> platform;
  try {
    platform = std::make_unique<SimulatedPlatform>(plan, *scheduler, profile.gpu(), &metrics, observers,
                                                   options.duration_ns);
  } catch (const std::invalid_argument& e) {
    throw InputError("--layout", "partitions", e.what());
  }
  const auto wall_start = std::chrono::steady_clock::now();
  const Ns end_ns = platform->run();
  const auto wall_end = std::chrono::steady_clock::now();
  for (Observer* o : all) o->on_run_end(end_ns);

  Summary summary;
  metrics.fill(summary);
  summary.events_processed = platform->events_emitted();
  summary.stage_events = platform->stage_events();
  summary.end_ns = end_ns;
  summary.wall_time_s = std::chrono::duration<double>(wall_end - wall_start).count();
  summary.provenance = provenance(profile, workload, layout, pool, options);
  return summary;
}

}  // namespace sgprs::sim
