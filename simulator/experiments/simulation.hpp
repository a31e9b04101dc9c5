#pragma once
// The simulator's public face: resolve a task set into a Workload once, then
// replay it under a scheduler and a partition layout as often as needed.
//
//   const Profile profile = Profile::load("traces/profiles/h200-fp32.json");
//   const Workload work = make_workload(TaskSet::load("ts.json"), profile, "traces/models", /*seed=*/1);
//   RunOptions run;  run.scheduler = "sgprs";  run.duration_ns = 10 * kNsPerSecond;
//   Summary s = simulate(profile, work, parse_layout("equal:2:1.0x", profile.gpu()), run);
//
// One run is the run core (core/run_core.hpp) on the simulated platform
// (sim/simulated_platform.hpp), with a MetricsCollector always attached.
//
// Thread safety: simulate() may run concurrently on many threads with the same
// Profile and Workload (both read-only); each call owns its engine, GPU model,
// scheduler and random generator. Observers belong to one call.
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/core/run_event.hpp"
#include "simulator/core/run_options.hpp"
#include "simulator/outputs/summary.hpp"
#include "simulator/policy/workload.hpp"
#include "simulator/sim/packed_sharing.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {

/// Replays `workload` on the profile's GPU. Each observer sees every event of
/// the run; a MetricsCollector is always attached internally to build the Summary.
/// Throws InputError("--scheduler", ...) for an unknown scheduler and
/// InputError("--layout", ...) for a layout the scheduler cannot use.
Summary simulate(const sgprs::Profile& profile, const Workload& workload, const sgprs::Layout& layout,
                 const RunOptions& options, const std::vector<Observer*>& observers = {});

/// Everything simulate() checks before its first event (scheduler, pool, plan: a reference
/// partition the pool lacks, a model the profile lacks, ...), without running; throws the same
/// InputError simulate() would. Sweeps call it for every scheduler x layout before any run.
void check_run(const sgprs::Profile& profile, const Workload& workload, const sgprs::Layout& layout,
               const RunOptions& options);

/// Registered scheduler names, in a stable order: sgprs, sgprs-best, naive, sequential, static, streams.
/// Puts an sgprs.sharing/1 file's g(k), spread and share weights (read by SharingCalibration::load,
/// sim/packed_sharing.hpp) into the options' packed-rule fields.
void use_sharing_calibration(const SharingCalibration& calibration, RunOptions& options);

std::vector<std::string> scheduler_names();
/// One line describing a registered scheduler (for --help); empty if unknown.
std::string scheduler_description(const std::string& name);

}  // namespace sgprs::sim
