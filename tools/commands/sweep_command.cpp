// `sgprs sweep`: run one experiment file (many task sets x layouts x schedulers)
// in parallel and write DIR/runs.csv, DIR/summary.csv, DIR/sweep.json and plots.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/simulated_run.hpp"
#include "simulator/experiments/sweep_runner.hpp"
#include "simulator/experiments/sweep_shard.hpp"
#include "tools/commands/commands.hpp"
#include "tools/mpi/mpi_launch.hpp"
#include "tools/mpi/mpi_sweep.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace sgprs::cli {

namespace {

struct SweepArgs {
  std::string config;
  std::string out;
  int jobs = 0;
  bool resume = false;
  bool no_plots = false;
  bool quiet = false;
  std::string shard;
};

void run(const SweepArgs& args, const std::optional<MpiLaunch>& mpi) {
  const exp::ShardSpec shard = args.shard.empty() ? exp::ShardSpec{} : exp::parse_shard(args.shard, "--shard");
  exp::PreparedExperiment prep =
      exp::prepare_experiment(exp::read_experiment(args.config), exp::simulator_scheduler_names());
  const exp::RunFunction run_one = exp::make_simulated_run(prep);
  exp::SweepOptions options;
  options.out_dir = args.out;
  options.jobs = args.jobs;
  options.resume = args.resume;
  options.progress = !args.quiet;
  options.shard = shard;
  options.command_line = std::string(mpi ? "mpirun -n " + std::to_string(mpi->size) + " " : "") +
                         "sgprs sweep --config " + args.config + " --out " + args.out +
                         (args.jobs > 0 ? " --jobs " + std::to_string(args.jobs) : "") + (args.resume ? " --resume" : "") +
                         (shard.whole() ? "" : " --shard " + shard.text());
  exp::check_sweep_folder(prep, options);  // every input is known good before the plan is printed

  const bool report = !mpi || mpi->rank == 0;  // one rank speaks for an MPI job
  std::string loads;
  for (double l : prep.loads) loads += (loads.empty() ? "" : " ") + exp::load_text(l);
  if (report)
    std::fprintf(stderr, "sweep %s: %zu runs (%zu layouts x %zu schedulers x %zu loads x %d repetitions), loads: %s\n",
               prep.experiment.name.c_str(), prep.runs(), prep.layouts.size(), prep.experiment.schedulers.size(),
               prep.loads.size(), prep.experiment.repetitions, loads.c_str());
  if (report && prep.bound_max_tasks > 0)
    std::fprintf(stderr, "throughput bound: at most %d tasks (%.1f jobs/s) on %s\n", prep.bound_max_tasks,
                 prep.bounds.front().max_jobs_per_s, prep.profile.device_name().c_str());
  if (report && prep.bound_max_scale > 0)
    std::fprintf(stderr, "throughput bound: at most load scale %.3f on %s\n", prep.bound_max_scale,
                 prep.profile.device_name().c_str());

  const std::optional<exp::SweepResult> result =
      mpi ? run_mpi_sweep(prep, options, run_one, exp::make_simulated_signature(prep))
          : exp::run_sweep(prep, options, run_one, exp::make_simulated_signature(prep));
  if (!result) return;  // an MPI rank other than 0: rank 0 writes and reports
  const char* tables = shard.whole() ? "runs.csv, %s/summary.csv" : "runs.csv, %s/shard.json";
  std::fprintf(stderr, "%zu runs (%zu resumed, %zu simulated, the rest shared by identical runs) on %d %s in %.2f s -> %s/",
               result->runs_total, result->runs_resumed, result->runs_simulated, result->threads,
               mpi ? "compute threads across MPI ranks" : "threads", result->wall_time_s, args.out.c_str());
  std::fprintf(stderr, tables, args.out.c_str());
  std::fprintf(stderr, "\n");
  if (!args.no_plots && shard.whole()) draw_sweep_plots(args.out);
}

/// Under mpirun, a rank other than 0 leaves the error line to rank 0 (which met the same error).
/// It waits before exiting: mpirun tears the job down when the first rank exits non-zero, and a
/// rank that exited at once could take rank 0 down before its line was written (seen on a loaded
/// 2-core machine: exit status 2 with no message). Rank 0's exit ends the wait.
void run_as_launched(const SweepArgs& args) {
  std::optional<MpiLaunch> mpi = mpi_launch_from_environment();
  if (mpi && mpi->size == 1 && !mpi_built()) mpi.reset();  // `mpirun -n 1` of an MPI-less build: a plain sweep
  if (!mpi || mpi->rank == 0) return run(args, mpi);
  constexpr auto kLeaveTheLineToRankZero = std::chrono::seconds(10);
  try {
    run(args, mpi);
  } catch (const InputError&) {
    std::this_thread::sleep_for(kLeaveTheLineToRankZero);
    throw QuietExit{kExitInputError};
  } catch (const NotAvailableError&) {
    std::this_thread::sleep_for(kLeaveTheLineToRankZero);
    throw QuietExit{kExitNotAvailable};
  }
}

}  // namespace

void add_sweep_subcommand(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sub = app.add_subcommand(
      "sweep",
      "Run an experiment file (sgprs.experiment/1: task-set generator, loads, layouts, schedulers, repetitions) in "
      "parallel; write DIR/runs.csv (one row per run), DIR/summary.csv (mean, 95% CI, schedulability ratio, share of "
      "the throughput bound per layout x scheduler x load), DIR/sweep.json and plots. Results do not depend on --jobs. "
      "Started by mpirun (mpirun -n K sgprs sweep ...), the K processes share the runs and rank 0 writes the same "
      "files. With --shard I/N, only shard I's runs, into DIR/runs.csv and DIR/shard.json, for `sgprs merge`.");
  sub->add_option("--config", args->config, "experiment file (schema sgprs.experiment/1)")->required();
  sub->add_option("--out", args->out, "output folder")->required();
  integer_flag(sub, "--jobs", args->jobs, 0, 1024, "worker threads (0: all hardware threads; under mpirun: rank 0's, default 1)");
  sub->add_flag("--resume", args->resume, "keep the runs already in DIR/runs.csv and run only the rest");
  sub->add_flag("--no-plots", args->no_plots, "skip tools/plot_sweep.py (redraw later: python3 tools/plot_sweep.py DIR)");
  sub->add_flag("--quiet", args->quiet, "no progress bar");
  sub->add_option("--shard", args->shard,
                  "I/N: run shard I (from 0) of N: the runs whose group (scheduler x loads + load) x repetitions + "
                  "repetition is I mod N; combine the N folders with `sgprs merge`");
  sub->callback([args] { run_as_launched(*args); });
}

}  // namespace sgprs::cli
