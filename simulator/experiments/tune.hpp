#pragma once
// `sgprs tune`: which partition layout and which options carry a task set furthest.
//
// For every candidate (a layout x an option set of one scheduler, sgprs-best by default) it finds
// the largest miss-free load scale: the task set's counts multiplied by a scale and rounded
// (scaled_task_set), simulated `repetitions` times with different offsets, miss-free when every
// job of every repetition met its deadline. The scale is found by bisection between 0 and the
// throughput bound's largest scale (the bound is a ceiling: no scheduler is miss-free past it;
// lower if the set would pass the task limit of one run, limits::kMaxTasks),
// in a fixed number of steps, assuming that a set miss-free at a scale is miss-free below it.
// If the set is miss-free at the bound itself, the answer is the bound.
//
//   TuneSettings settings;  settings.threads = 8;
//   const TuneReport report = tune(profile, base_set, "traces/models", default_tune_space(), settings, on_step);
//   report.results[report.best]  // the candidate with the largest miss-free scale
//
// Deterministic: each candidate's answer depends only on the inputs and the seed, whatever the
// thread count; ties go to the earlier candidate of the space.
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <functional>
#include "simulator/core/run_options.hpp"

#include <string>
#include <utility>
#include <vector>

namespace sgprs::exp {

using OptionSet = std::vector<std::pair<std::string, std::string>>;

struct TuneSpace {
  std::vector<std::string> layouts;      // parse_layout shorthands
  std::vector<OptionSet> option_sets;    // applied on top of the scheduler's preset
};

/// Six layouts (full, equal:2-4, stepwise:2-3 at 1.0x) x (slot sizes (profile, 16, 32 SMs) x
/// waiting order (job-edf, edf) x reserved slots (0, 2), plus moldable blocks x waiting order x
/// drop_hopeless (on, slot)): 6 x 16 = 96 candidates.
TuneSpace default_tune_space();

struct TuneSettings {
  std::string scheduler = "sgprs-best";
  Ns duration_ns = 3 * kNsPerSecond;
  int repetitions = 2;
  int steps = 7;  // bisection steps: the answer is within bound / 2^steps of the true edge
  std::uint64_t seed = 1;
  int threads = 1;
  ProfileTimes predicted_times = ProfileTimes::kOccupied;
  ProfileTimes gpu_times = ProfileTimes::kIsolated;
  /// The simulated GPU's rules for every run (only these RunOptions fields are read: sharing,
  /// sharing_contention, sharing_calibration, interference, stage_overhead_ns, priority_rule,
  /// gpu_times_profile), so
  /// that a search can run under the rules `validate` checks against live runs.
  sim::RunOptions gpu_rules;
};

struct TuneResult {
  std::string layout;
  OptionSet options;
  double miss_free_scale = 0;  // 0: not miss-free even at the smallest scale tried
};

struct TuneReport {
  double bound_scale = 0;  // the throughput bound's largest load scale of the set
  std::vector<TuneResult> results;  // one per candidate, in the space's order
  std::size_t best = 0;
  std::size_t simulations = 0;
};

/// Checks every candidate (InputError for a bad layout or option) before the first simulation.
/// `on_step` is called after each bisection step (from any thread): candidates x steps calls.
TuneReport tune(const Profile& profile, const TaskSet& base, const std::string& models_dir, const TuneSpace& space,
                const TuneSettings& settings, const std::function<void()>& on_step = {});

}  // namespace sgprs::exp
