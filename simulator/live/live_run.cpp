#include "simulator/live/live_run.hpp"

#include "common/errors.hpp"
#include "common/stats.hpp"
#include "simulator/core/run_core.hpp"
#include "simulator/core/run_description.hpp"
#include "simulator/outputs/metrics_collector.hpp"
#include "simulator/policy/planned_run.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace sgprs::live {

namespace {

/// p50, p99 and max of `samples` in microseconds (nearest rank), and their count.
Json percentiles_us(const std::vector<Ns>& samples) {
  if (samples.empty()) return Json{{"count", 0}};
  const auto us = [&samples](double q) { return static_cast<double>(quantile_nearest_rank(samples, q)) / 1000.0; };
  return Json{{"count", samples.size()}, {"p50", us(0.50)}, {"p99", us(0.99)}, {"max", us(1.0)}};
}

/// A duration in microseconds, or -1 (unknown) kept as -1.
double microseconds_or_unknown(Ns ns) { return ns < 0 ? -1.0 : static_cast<double>(ns) / 1000.0; }

}  // namespace

Json LiveRunResult::live_json() const {
  return Json{{"device", setup.device_name},
              {"setup_s", setup.setup_s},
              {"gpu_memory_bytes", setup.gpu_memory_bytes},
              {"graphs", setup.graphs},
              {"notes", setup.notes},
              {"launches", stats.launches},
              {"interrupted", stats.interrupted},
              {"drained", stats.drained},
              {"release_jitter_us", percentiles_us(stats.release_jitter)},
              {"decision_us", percentiles_us(stats.decision)},
              {"core_call_us", percentiles_us(stats.core_call)},
              {"launch_us", percentiles_us(stats.launch)},
              {"release_to_launch_us", percentiles_us(stats.release_to_launch)},
              {"gpu_end_to_noticed_us", percentiles_us(stats.end_to_noticed)},
              {"launch_to_gpu_start_us", percentiles_us(stats.launch_to_start)},
              {"wake_lateness_us", percentiles_us(stats.wake_lateness)},
              {"loop_handling_us", percentiles_us(stats.loop_handling)},
              {"control_thread_switches",
               Json{{"involuntary", stats.control_thread.involuntary_switches},
                    {"voluntary", stats.control_thread.voluntary_switches}}},
              {"control_thread_run_queue_wait_us", microseconds_or_unknown(stats.control_thread.run_queue_wait_ns)},
              {"host_steal_us", microseconds_or_unknown(stats.control_thread.host_steal_ns)},
              {"control_thread_policy", stats.control_thread_policy},
              {"usable_cpus", stats.usable_cpus}};
}

LiveRunResult live_run(const Profile& profile, const sim::Workload& workload, const Layout& layout,
                       const sim::RunOptions& options, const ExecutorFactory& make_executor, LiveOptions live_options,
                       const std::vector<sim::Observer*>& observers) {
  if (options.duration_ns <= 0) throw InputError("--duration", "", "must be positive");
  const sim::PlannedRun planned = sim::plan_run(profile, workload, layout, options.scheduler,
                                                options.scheduler_options, options.predicted_times);
  const sim::PolicyPlan& plan = *planned.plan;
  const sim::RunInfo info = sim::make_run_info(plan, workload, options);

  // Set-up before the first release: the device builds partitions, buffers and graphs.
  const Ns setup_epoch = SteadyHostClock::steady_now();
  const sim::Scheduler& scheduler = *planned.scheduler;
  const MayUse may_use = [&scheduler](int task, int, int partition) { return scheduler.may_use(task, partition); };
  // A partition's stream holds at most one unit of each task that may use it (a task runs one job at a time).
  int queued_per_partition = 0;
  if (scheduler.queues_on_streams()) {
    for (int p = 0; p < plan.partition_count(); ++p) {
      int users = 0;
      for (std::size_t t = 0; t < plan.tasks().size(); ++t) users += scheduler.may_use(static_cast<int>(t), p) ? 1 : 0;
      queued_per_partition = std::max(queued_per_partition, users - 1);
    }
  }
  // A chained successor waits on its block's stream behind the stage running there.
  if (scheduler.chains_stages()) queued_per_partition = std::max(queued_per_partition, 1);
  std::unique_ptr<StageExecutor> executor =
      make_executor(DeviceNeeds{plan, workload, may_use, queued_per_partition, setup_epoch});
  LiveRunResult result;
  result.setup = executor->setup_report();

  sim::MetricsCollector metrics;
  std::vector<sim::Observer*> all{&metrics};
  all.insert(all.end(), observers.begin(), observers.end());
  for (sim::Observer* o : all) o->on_run_start(info);

  const SteadyHostClock clock(setup_epoch);
  LivePlatform platform(plan, *executor, clock, std::move(live_options));
  sim::RunCore core(plan, *planned.scheduler, platform, all, options.duration_ns);
  const auto wall_start = std::chrono::steady_clock::now();
  Ns end_ns = 0;
  try {
    end_ns = platform.run(core);
  } catch (const GpuError&) {
    // A device that faulted or stalled may never drain: tearing it down (synchronising streams,
    // freeing memory) could block forever. It is parked, reachable and never destroyed, and left
    // to the driver at process exit.
    static auto* const abandoned = new std::vector<std::unique_ptr<StageExecutor>>();
    abandoned->push_back(std::move(executor));
    throw;
  }
  const auto wall_end = std::chrono::steady_clock::now();
  for (sim::Observer* o : all) o->on_run_end(end_ns);

  metrics.fill(result.summary);
  result.summary.events_processed = core.events_emitted();
  result.summary.stage_events = core.stage_events();
  result.summary.end_ns = end_ns;
  result.summary.wall_time_s = std::chrono::duration<double>(wall_end - wall_start).count();
  result.summary.provenance = sim::run_provenance(profile, workload, layout, planned.pool, options);
  (*result.summary.provenance)["world"] = "live";
  result.stats = platform.stats();
  return result;
}

}  // namespace sgprs::live
