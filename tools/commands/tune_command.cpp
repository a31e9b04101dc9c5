// `sgprs tune --taskset F --profile F`: search partition layouts and policy options in simulation
// for the configuration that keeps the task set miss-free at the largest load scale
// (simulator/experiments/tune.hpp), and print it with that margin.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/layout.hpp"
#include "common/progress_bar.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/experiments/tune.hpp"
#include "simulator/policy/workload.hpp"
#include "tools/commands/commands.hpp"
#include "tools/commands/run_inputs.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sgprs::cli {

namespace {

struct TuneArgs {
  std::string taskset;
  std::string profile = "traces/profiles/h200-tf32.json";
  std::string models = "traces/models";
  std::string scheduler = "sgprs-best";
  std::string layouts;  // comma-separated; empty: the default space's
  double duration_s = 3;
  int repetitions = 2;
  int steps = 7;
  int jobs = 0;
  std::int64_t seed = 1;
  int top = 10;
  bool quiet = false;
  std::shared_ptr<RunArgs> gpu = std::make_shared<RunArgs>();  // only the simulated GPU's rules
};

std::string options_text(const exp::OptionSet& options) {
  std::string out;
  for (const auto& [name, value] : options) out += (out.empty() ? "" : " ") + name + "=" + value;
  return out;
}

/// The GPU-model flags that differ from simulate's defaults, for the printed command.
std::string gpu_rules_flags(const RunArgs& gpu) {
  const RunArgs defaults;
  std::string out;
  if (gpu.interference != defaults.interference) out += " --interference " + gpu.interference;
  if (gpu.stage_overhead_ns != defaults.stage_overhead_ns) out += " --stage-overhead-ns " + std::to_string(gpu.stage_overhead_ns);
  if (gpu.sharing != defaults.sharing) out += " --sharing " + gpu.sharing;
  if (!gpu.sharing_calibration.empty()) out += " --sharing-calibration " + gpu.sharing_calibration;
  if (gpu.priority_rule != defaults.priority_rule) out += " --priority-rule " + gpu.priority_rule;
  if (gpu.hardware_queues != defaults.hardware_queues) out += " --hardware-queues " + std::to_string(gpu.hardware_queues);
  if (!gpu.gpu_times_profile.empty()) out += " --gpu-times-profile " + gpu.gpu_times_profile;
  return out;
}

void run_tune(TuneArgs args) {
  args.profile = shipped_default(args.profile, "traces/profiles/h200-tf32.json");
  args.models = shipped_default(args.models, "traces/models");
  const std::vector<std::string> known = sim::scheduler_names();
  if (std::find(known.begin(), known.end(), args.scheduler) == known.end())
    throw InputError("--scheduler", "", unknown_name("scheduler", args.scheduler, known));
  check_gpu_model_args(*args.gpu);
  const Profile profile = Profile::load(args.profile);
  TaskSet base = TaskSet::load(args.taskset);
  base.check_deadlines(false);

  exp::TuneSpace space = exp::default_tune_space();
  if (!args.layouts.empty()) {
    space.layouts.clear();
    std::stringstream list(args.layouts);
    for (std::string spec; std::getline(list, spec, ',');)
      if (!spec.empty()) space.layouts.push_back(spec);
    if (space.layouts.empty()) throw InputError("--layouts", "", "lists no layout");
  }
  for (const std::string& spec : space.layouts) parse_layout(spec, profile.gpu(), 0, "--layouts");  // before the plan line
  exp::TuneSettings settings;
  settings.scheduler = args.scheduler;
  settings.duration_ns = seconds_to_ns(args.duration_s);
  if (settings.duration_ns < 1) throw InputError("--duration", "", "must be at least 1 ns");
  settings.repetitions = args.repetitions;
  settings.steps = args.steps;
  settings.seed = static_cast<std::uint64_t>(args.seed);
  settings.threads = args.jobs > 0 ? args.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  args.gpu->profile = args.profile;
  apply_gpu_model_args(*args.gpu, profile, settings.gpu_rules);

  // The models too, before the plan line, and the profile the simulated GPU runs against them.
  const sim::Workload workload = sim::make_workload(base, profile, args.models, settings.seed);
  settings.gpu_rules.gpu_times_profile =
      load_gpu_times_profile(args.gpu->gpu_times_profile, profile, workload, CurveInterpolation::kStep);
  const std::size_t candidates = space.layouts.size() * space.option_sets.size();
  std::fprintf(stderr, "sgprs tune: %s (%s), %zu candidates (%zu layouts x %zu option sets) of %s, %d x %g s per step, "
               "%d bisection steps, %d threads%s\n",
               base.name.c_str(), args.taskset.c_str(), candidates, space.layouts.size(), space.option_sets.size(),
               args.scheduler.c_str(), args.repetitions, args.duration_s, args.steps, settings.threads,
               gpu_rules_flags(*args.gpu).empty() ? "" : (", simulated GPU:" + gpu_rules_flags(*args.gpu)).c_str());
  ProgressBar bar(candidates * static_cast<std::size_t>(args.steps), 0, stderr, !args.quiet, "steps");
  const exp::TuneReport report =
      exp::tune(profile, base, args.models, space, settings, [&bar] { bar.advance(); });
  bar.finish();

  std::vector<std::size_t> order(report.results.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return report.results[a].miss_free_scale > report.results[b].miss_free_scale;
  });
  std::printf("throughput bound: load scale %.3f (no scheduler is miss-free past it)\n", report.bound_scale);
  std::printf("%-18s %-50s %10s %8s\n", "layout", "options", "miss-free", "/bound");
  for (std::size_t i = 0; i < order.size() && static_cast<int>(i) < args.top; ++i) {
    const exp::TuneResult& r = report.results[order[i]];
    std::printf("%-18s %-50s %10.3f %8.2f\n", r.layout.c_str(), options_text(r.options).c_str(), r.miss_free_scale,
                report.bound_scale > 0 ? r.miss_free_scale / report.bound_scale : 0.0);
  }
  const exp::TuneResult& best = report.results[report.best];
  std::string command = "sgprs simulate --taskset " + args.taskset + " --profile " + args.profile + " --scheduler " +
                        args.scheduler + " --layout " + best.layout + gpu_rules_flags(*args.gpu);
  for (const auto& [name, value] : best.options) command += " --option " + name + "=" + value;
  std::printf("best: %s, layout %s, %s: miss-free up to load scale %.3f (%.2f of the bound) in %zu simulations\n",
              args.scheduler.c_str(), best.layout.c_str(), options_text(best.options).c_str(), best.miss_free_scale,
              report.bound_scale > 0 ? best.miss_free_scale / report.bound_scale : 0.0, report.simulations);
  std::printf("run it: %s\n", command.c_str());
}

}  // namespace

void add_tune_subcommand(CLI::App& app) {
  auto args = std::make_shared<TuneArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tune",
      "Search partition layouts and policy options in simulation for the configuration that keeps a task set "
      "miss-free at the largest load scale (every count of the set multiplied by it), and print it with that margin. "
      "Parallel and deterministic: the answer does not depend on --jobs.");
  cmd->add_option("--taskset", args->taskset, "task set file (sgprs.taskset/1); its counts are load scale 1")->required();
  cmd->add_option("--profile", args->profile, "GPU profile (sgprs.profile/1)")->capture_default_str();
  cmd->add_option("--models", args->models, "folder of model files <model>.json")->capture_default_str();
  cmd->add_option("--scheduler", args->scheduler, "scheduler whose options are searched")->capture_default_str();
  cmd->add_option("--layouts", args->layouts,
                  "comma-separated layouts to search (default: full, equal:2-4:1.0x, stepwise:2-3:1.0x)");
  number_flag(cmd, "--duration", args->duration_s, 0, 3600, "simulated seconds per run (default 3)");
  integer_flag(cmd, "--repetitions", args->repetitions, 1, 100, "runs (different offsets) per step; all must be miss-free");
  integer_flag(cmd, "--steps", args->steps, 1, 30, "bisection steps per candidate");
  integer_flag(cmd, "--jobs", args->jobs, 0, 1024, "worker threads (0: all hardware threads)");
  integer_flag(cmd, "--top", args->top, 1, 1000, "candidates listed");
  integer_flag(cmd, "--seed", args->seed, std::int64_t{0}, std::int64_t{1} << 62, "seed of the offsets (default 1)");
  cmd->add_flag("--quiet", args->quiet, "no progress bar");
  add_gpu_model_flags(cmd, args->gpu);
  add_gpu_times_profile_flag(cmd, args->gpu->gpu_times_profile);
  cmd->callback([args] { run_tune(*args); });
}

}  // namespace sgprs::cli
