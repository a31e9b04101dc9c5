// `sgprs taskset --experiment E --load X | --bound-fraction F --out FILE`: write the task set
// one load of an experiment's generator draws (a mixed family scaled by X, a random set of total
// utilisation X, N identical tasks) as a task set file, so that `sgprs live` and `sgprs simulate`
// can run exactly what `sgprs sweep` simulates at that load.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/simulated_run.hpp"
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace sgprs::cli {

namespace {

struct TasksetArgs {
  std::string experiment;
  double load = 0;
  double bound_fraction = 0;
  std::int64_t seed = -1;  // -1: the experiment's base_seed
  std::string out;
};

/// An experiment file's path, or the name of a shipped one (`mixed-camera` for
/// traces/experiments/mixed-camera.json).
std::string experiment_path(const std::string& value) {
  if (std::filesystem::exists(value) || value.find('/') != std::string::npos || value.ends_with(".json")) return value;
  const std::string shipped = "traces/experiments/" + value + ".json";
  return shipped_default(shipped, shipped);
}

void run_taskset(const TasksetArgs& args) {
  if ((args.load > 0) == (args.bound_fraction > 0))
    throw InputError("--load", "", "give exactly one of --load and --bound-fraction");
  exp::Experiment experiment = exp::read_experiment(experiment_path(args.experiment));
  const bool scaled = std::holds_alternative<exp::ScaledGenerator>(experiment.generator);
  const bool identical = std::holds_alternative<exp::IdenticalGenerator>(experiment.generator);
  if (args.bound_fraction > 0 && !scaled && !identical)
    throw InputError("--bound-fraction", "", "is only for the scaled and identical generators; the experiment's is " +
                                                 exp::generator_kind(experiment.generator) + " (use --load)");
  // One load, one repetition: the sweep's own checks and drawing, so the set is exactly what
  // a sweep of this load with this base seed draws for its first repetition.
  experiment.loads = exp::LoadSpec{};
  if (args.bound_fraction > 0) {
    experiment.loads.bound_fraction_lo = experiment.loads.bound_fraction_hi = args.bound_fraction;
    experiment.loads.count = 1;
  } else {
    experiment.loads.values = {args.load};
  }
  experiment.repetitions = 1;
  if (args.seed >= 0) experiment.base_seed = static_cast<std::uint64_t>(args.seed);
  const exp::PreparedExperiment prep = exp::prepare_experiment(experiment, exp::simulator_scheduler_names());

  TaskSet set = prep.task_sets.front();
  const std::string load = exp::load_text(prep.loads.front());
  set.name = experiment.name + "@" + load;
  write_file_atomic(args.out, dump_pretty(set.to_json()));

  std::size_t tasks = 0;
  for (const TaskSpec& spec : set.specs) tasks += static_cast<std::size_t>(spec.count);
  std::printf("%s: %s, load %s, %zu tasks, total utilisation %.3f (full-GPU times)\n", args.out.c_str(),
              experiment.name.c_str(), load.c_str(), tasks, exp::total_utilisation(prep.profile, set));
  if (prep.bound_max_scale > 0)
    std::printf("load scale %s = %.3f of the throughput bound's largest scale %.3f\n", load.c_str(),
                prep.loads.front() / prep.bound_max_scale, prep.bound_max_scale);
  if (prep.bound_max_tasks > 0)
    std::printf("%s tasks = %.3f of the throughput bound's largest count %d\n", load.c_str(),
                prep.loads.front() / prep.bound_max_tasks, prep.bound_max_tasks);
}

}  // namespace

void add_taskset_subcommand(CLI::App& app) {
  auto args = std::make_shared<TasksetArgs>();
  CLI::App* cmd = app.add_subcommand(
      "taskset",
      "Write the task set an experiment's generator draws at one load (a mixed family's scale, a random family's "
      "total utilisation, an identical family's task count) as a task set file for `sgprs live` or `sgprs simulate`. "
      "Random offsets stay \"random\": the run's --seed draws them.");
  cmd->add_option("--experiment", args->experiment,
                  "experiment file (sgprs.experiment/1) or the name of a shipped one, e.g. mixed-camera")
      ->required();
  number_flag(cmd, "--load", args->load, 0, 1e9, "the load, in the generator's unit (a scale for mixed families)");
  number_flag(cmd, "--bound-fraction", args->bound_fraction, 0, 1000,
              "the load as a fraction of the throughput bound's largest scale or task count (rounded as the sweep "
              "rounds it)");
  integer_flag(cmd, "--seed", args->seed, std::int64_t{0}, std::int64_t{1} << 62,
               "base seed of the draw (default: the experiment's base_seed); matters for random generators only");
  cmd->add_option("--out", args->out, "task set file to write (sgprs.taskset/1)")->required();
  cmd->callback([args] { run_taskset(*args); });
}

}  // namespace sgprs::cli
