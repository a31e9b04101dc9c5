#pragma once
// One sweep, as read from an experiment file (schema "sgprs.experiment/1"; the
// full format is in docs/experiments.md):
//   { "schema": "sgprs.experiment/1", "name": "paper-scenario1",
//     "profile": "../profiles/h100-fp32.json",     // paths relative to this file
//     "models_dir": "../models",
//     "generator": {"kind": "identical", "model": "resnet18", "rate_hz": 30},
//     "loads": [10, 20, 30] | {"from": 10, "to": 200, "count": 15}
//              | {"bound_fraction": [0.1, 1.5], "count": 15},   // identical only: x the bound's N
//     "layouts": ["equal:2:1.0x", "stepwise:2:1.5x",
//                 {"layout": "equal:2:1.0x", "max_parallel": 8, "label": "equal:2:1.0x/mp8"}],
//     "schedulers": ["sgprs", {"name": "sgprs", "label": "sgprs-edf", "options": {"waiting_order": "edf"}}],
//     "repetitions": 5, "duration_s": 10, "base_seed": 1 }
// read_experiment() checks the file's own shape; prepare_experiment() then
// loads the profile and checks everything against it, so a bad sweep fails
// with one InputError line before any run starts.
#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/time.hpp"
#include "simulator/core/run_options.hpp"
#include "simulator/experiments/taskset_generator.hpp"
#include "simulator/experiments/throughput_bound.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sgprs::exp {

struct SchedulerEntry {
  std::string label;  // column value in the outputs; defaults to name
  std::string name;   // a registered scheduler
  std::vector<std::pair<std::string, std::string>> options;  // option name -> value text
};

/// How the loads were given, before the profile is known.
struct LoadSpec {
  std::vector<double> values;         // explicit list, or from/to/count already expanded
  double bound_fraction_lo = 0;       // > 0: loads relative to the bound's max N
  double bound_fraction_hi = 0;
  int count = 0;
};

struct Experiment {
  std::string source;  // the file
  std::string name;
  std::string profile_path;  // resolved
  std::string models_dir;    // resolved
  CurveInterpolation interpolation = CurveInterpolation::kStep;
  GeneratorSpec generator;
  LoadSpec loads;
  struct LayoutEntry {
    std::string spec;      // parse_layout shorthand or layout file
    int max_parallel = 0;  // 0 = the experiment's max_parallel
    std::string label;     // the layout column; empty = the layout's own name
  };
  std::vector<LayoutEntry> layouts;
  int max_parallel = 0;  // 0 = each layout's default
  std::vector<SchedulerEntry> schedulers;
  int repetitions = 1;
  Ns duration_ns = 0;
  std::uint64_t base_seed = 1;
  ProfileTimes predicted_times = ProfileTimes::kOccupied;  // scheduler predictions (RunOptions::predicted_times)
  ProfileTimes gpu_times = ProfileTimes::kIsolated;        // what the simulated GPU runs (RunOptions::gpu_times)
  /// The simulated GPU's optional rules ("gpu_model" object; docs/experiments.md): the same
  /// choices as simulate's --sharing, --sharing-calibration, --interference, --stage-overhead-ns,
  /// --priority-rule and --gpu-times-profile, with the same defaults. "auto" sharing is resolved when the file is read.
  struct GpuModel {
    sim::SharingRule sharing = sim::SharingRule::kEvenStep;
    std::string sharing_calibration;  // resolved; set when sharing is packed
    sim::InterferenceRule interference = sim::InterferenceRule::kNone;
    Ns stage_overhead_ns = 0;
    sim::PriorityRule priority_rule = sim::PriorityRule::kStrict;
    std::string gpu_times_profile;  // resolved; empty: the simulated GPU runs `profile`'s times
  } gpu_model;
  JsonValue raw;
};

Experiment read_experiment(const std::string& path);
Experiment experiment_from_json(const Json& doc, const std::string& source);

/// An experiment checked against its profile, with the loads and layouts resolved.
struct PreparedExperiment {
  Experiment experiment;
  Profile profile;
  std::shared_ptr<const Profile> gpu_times_profile;  // gpu_model.gpu_times_profile loaded; null without
  std::vector<double> loads;
  std::vector<Layout> layouts;
  std::vector<TaskSet> task_sets;  // [load index x repetitions + repetition]
  std::vector<std::uint64_t> seeds;  // same index: the set's seed (generation, offsets, run)
  std::vector<ThroughputBound> bounds;  // same index
  int bound_max_tasks = 0;              // identical generator: the bound's largest N (0 otherwise)
  double bound_max_scale = 0;           // scaled generator: the bound's largest load scale (0 otherwise)

  std::size_t runs() const { return layouts.size() * experiment.schedulers.size() * loads.size() * static_cast<std::size_t>(experiment.repetitions); }
  std::size_t set_index(std::size_t load, int repetition) const {
    return load * static_cast<std::size_t>(experiment.repetitions) + static_cast<std::size_t>(repetition);
  }
};

/// Loads the profile, resolves loads and layouts, checks every model, load,
/// layout and scheduler, and draws every task set. `known_schedulers` lists the
/// names the simulator registers (checked here so the error comes first).
PreparedExperiment prepare_experiment(Experiment experiment, const std::vector<std::string>& known_schedulers);

/// Text of a load as written in the outputs and compared on --resume.
std::string load_text(double load);

}  // namespace sgprs::exp
