#include "simulator/experiments/simulation.hpp"

#include "common/errors.hpp"
#include "simulator/core/run_core.hpp"
#include "simulator/core/run_description.hpp"
#include "simulator/outputs/metrics_collector.hpp"
#include "simulator/policy/planned_run.hpp"
#include "simulator/policy/registry.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/sim/priority_sharing.hpp"
#include "simulator/sim/running_limit.hpp"
#include "simulator/sim/sharing_spread.hpp"
#include "simulator/sim/simulated_platform.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sgprs::sim {

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

PlannedRun plan_simulated_run(const Profile& profile, const Workload& workload, const Layout& layout,
                              const RunOptions& options) {
  if (options.duration_ns <= 0) throw InputError("--duration", "", "must be positive");
  return plan_run(profile, workload, layout, options.scheduler, options.scheduler_options, options.predicted_times);
}

}  // namespace

void check_run(const Profile& profile, const Workload& workload, const Layout& layout, const RunOptions& options) {
  plan_simulated_run(profile, workload, layout, options);
}

void use_sharing_calibration(const SharingCalibration& calibration, RunOptions& options) {
  options.sharing_contention = calibration.contention.points();
  options.sharing_spread = calibration.spread.points();
  options.sharing_share_weights = calibration.share_weights;
  options.running_limit = calibration.running_limit.points();
}

Summary simulate(const Profile& profile, const Workload& workload, const Layout& layout, const RunOptions& options,
                 const std::vector<Observer*>& observers) {
  const PlannedRun planned = plan_simulated_run(profile, workload, layout, options);
  const PolicyPlan& plan = *planned.plan;
  const RunInfo info = make_run_info(plan, workload, options);
  const Profile& executed = options.gpu_times_profile ? *options.gpu_times_profile : profile;  // what the GPU runs
  const UnitTimes times(executed, workload, plan, options.gpu_times);

  MetricsCollector metrics(options.summary_details);
  std::vector<Observer*> all{&metrics};
  all.insert(all.end(), observers.begin(), observers.end());
  for (Observer* o : all) o->on_run_start(info);

  std::unique_ptr<UnitTimes> occupied_times;
  std::unique_ptr<Interference> interference;
  if (options.interference == InterferenceRule::kProfile) {
    if (options.gpu_times != ProfileTimes::kIsolated)
      throw InputError("--interference", "", "moves the isolated times toward the occupied ones: use --gpu-times isolated");
    occupied_times = std::make_unique<UnitTimes>(executed, workload, plan, ProfileTimes::kOccupied);
    std::vector<int> partition_sms;
    for (const Partition& p : plan.pool().partitions) partition_sms.push_back(p.sms);
    interference = std::make_unique<Interference>(executed, partition_sms);
  }
  std::unique_ptr<SimulatedPlatform> platform;
  try {
    platform = std::make_unique<SimulatedPlatform>(plan, times, profile.gpu(), occupied_times.get(), interference.get());
  } catch (const std::invalid_argument& e) {
    throw InputError("--layout", "partitions", e.what());
  }
  platform->delay_gpu_starts(options.stage_overhead_ns);
  std::unique_ptr<SharingContention> contention;
  if (options.sharing == SharingRule::kPacked) {
    try {
      contention = std::make_unique<SharingContention>(options.sharing_contention);
    } catch (const std::invalid_argument& e) {
      throw InputError("--sharing-calibration", "contention", e.what());
    }
    platform->use_packed_sharing(contention.get());
    if (!options.sharing_share_weights.empty()) {
      std::vector<double> by_model;
      for (const ModelPlan& model : plan.models()) {
        const auto weight = options.sharing_share_weights.find(model.name);
        by_model.push_back(weight == options.sharing_share_weights.end() ? 1.0 : weight->second);
      }
      platform->use_share_weights(std::move(by_model));
    }
  }
  std::unique_ptr<SharingSpread> spread;
  if (options.sharing == SharingRule::kPacked && !options.sharing_spread.empty()) {
    try {
      spread = std::make_unique<SharingSpread>(options.sharing_spread);
    } catch (const std::invalid_argument& e) {
      throw InputError("--sharing-calibration", "spread", e.what());
    }
    platform->use_sharing_spread(spread.get(), options.seed);
  }
  int running_limit = 0;
  if (options.sharing == SharingRule::kPacked && !options.running_limit.empty()) {
    try {
      running_limit = RunningLimit(options.running_limit).units(options.hardware_queues);
    } catch (const std::invalid_argument& e) {
      throw InputError("--sharing-calibration", "running_limit", e.what());
    }
    platform->limit_running_units(running_limit);
  }
  if (options.priority_rule != PriorityRule::kWeighted)
    platform->use_strict_priorities(plan.pool(), options.priority_rule == PriorityRule::kStrictFloor);
  RunCore core(plan, *planned.scheduler, *platform, all, options.duration_ns);
  core.replay_release_latencies(options.release_latencies.get());
  const auto wall_start = std::chrono::steady_clock::now();
  const Ns end_ns = platform->run(core);
  const auto wall_end = std::chrono::steady_clock::now();
  for (Observer* o : all) o->on_run_end(end_ns);

  Summary summary;
  metrics.fill(summary);
  summary.events_processed = core.events_emitted();
  summary.stage_events = core.stage_events();
  summary.end_ns = end_ns;
  summary.wall_time_s = std::chrono::duration<double>(wall_end - wall_start).count();
  summary.provenance = run_provenance(profile, workload, layout, planned.pool, options);
  Json& provenance = *summary.provenance;
  provenance["gpu_times"] = to_string(options.gpu_times);
  if (options.gpu_times_profile) provenance["gpu_times_profile"] = {{"source", executed.source()}};
  provenance["interference"] = to_string(options.interference);
  if (options.stage_overhead_ns > 0) provenance["stage_overhead_ns"] = options.stage_overhead_ns;
  provenance["sharing_rule"] = "processor-sharing/1";
  provenance["sharing"] = to_string(options.sharing);
  if (options.sharing == SharingRule::kPacked) provenance["sharing_calibration"] = options.sharing_calibration;
  if (spread) provenance["sharing_spread"] = "measured";
  if (options.sharing == SharingRule::kPacked && !options.sharing_share_weights.empty())
    provenance["sharing_share_weights"] = options.sharing_share_weights;
  if (running_limit > 0)
    provenance["running_limit"] = {{"hardware_queues", options.hardware_queues}, {"units", running_limit}};
  // Only where streams have priorities, so that every other run's provenance is as before.
  if (has_priorities(plan.pool())) provenance["priority_rule"] = to_string(options.priority_rule);
  return summary;
}

}  // namespace sgprs::sim
