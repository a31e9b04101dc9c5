#pragma once
// One live run: the same planning, run core, observers and Summary as simulate()
// (experiments/simulation.hpp), on a device behind StageExecutor instead of the
// simulated GPU. The executor is built by the caller's factory from the plan (the
// CUDA one in CUDA builds, the fake one for `--fake-device` and tests) before the
// first release; the run's time zero is the moment set-up ends.
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/core/run_event.hpp"
#include "simulator/core/run_options.hpp"
#include "simulator/live/live_platform.hpp"
#include "simulator/live/stage_executor.hpp"
#include "simulator/outputs/summary.hpp"
#include "simulator/policy/policy_plan.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace sgprs::live {

/// Whether the scheduler may send unit `unit` of `task` to `partition` (what to prepare).
using MayUse = std::function<bool(int task, int unit, int partition)>;
/// What a device is built for: the plan (its pool, units and tasks), which units may go where,
/// how many units a partition may hold queued on its stream (Platform::queue_unit), and the
/// instant host times count from.
struct DeviceNeeds {
  const sim::PolicyPlan& plan;
  const sim::Workload& workload;
  MayUse may_use;
  int queued_per_partition = 0;
  Ns epoch_steady_ns = 0;
};
using ExecutorFactory = std::function<std::unique_ptr<StageExecutor>(const DeviceNeeds& needs)>;

struct LiveRunResult {
  sim::Summary summary;  // as simulate()'s, provenance included; summary.live_json() adds the rest
  LiveStats stats;
  SetupReport setup;
  /// The live-only part of summary.json: set-up, device, and the latency figures in us.
  Json live_json() const;
};

/// InputError for bad input (as simulate()), GpuError for a device fault, NoGpuError without a GPU.
LiveRunResult live_run(const Profile& profile, const sim::Workload& workload, const Layout& layout,
                       const sim::RunOptions& options, const ExecutorFactory& make_executor, LiveOptions live_options,
                       const std::vector<sim::Observer*>& observers = {});

}  // namespace sgprs::live
