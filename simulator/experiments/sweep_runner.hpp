#pragma once
// Runs every (layout, scheduler, load, repetition) of a prepared experiment on
// a pool of threads and writes DIR/runs.csv, DIR/summary.csv and DIR/sweep.json.
//
//   auto prep = prepare_experiment(read_experiment("x.json"), sim::scheduler_names());
//   run_sweep(prep, {.out_dir = "out", .jobs = 2}, make_simulated_run(prep));
//
// Determinism: a run's inputs are fixed by its key alone (its task set and
// seed come from the load and repetition: derive_seed(base_seed, load x
// repetitions + repetition), so every scheduler and layout meets the same task
// sets), and runs.csv is re-sorted into the canonical order at the end; so the
// file is byte-identical whatever `jobs` is. Rows are appended and flushed as
// runs finish (runs.csv is the journal --resume reads); with `resume`, complete
// rows already in DIR/runs.csv (same experiment, checked against DIR/sweep.json)
// are kept and their runs skipped. A new sweep first removes the summary.csv and
// plots of an earlier one, so the folder never mixes two sweeps.
// Runs whose signatures are equal are simulated once and their metrics shared
// (the baselines that ignore the layout's sizes, e.g. naive and sequential, give
// the same run for every layout with the same partition count); a signature must
// be equal only when the runs' results are. Without a signature every run is simulated.
// The run function is called from several threads at once: it must be thread-safe.
// An exception in a run stops the pool and is rethrown to the caller.
// A shard (options.shard) writes DIR/runs.csv with its own runs only, in the
// canonical order, and DIR/shard.json instead of sweep.json and summary.csv;
// `sgprs merge` (sweep_merge.hpp) combines the shards.
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/run_table.hpp"
#include "simulator/experiments/sweep_record.hpp"
#include "simulator/experiments/sweep_shard.hpp"
#include "simulator/experiments/work_queue.hpp"

#include <functional>
#include <string>

namespace sgprs::exp {

using RunSignature = std::function<std::string(const RunKey&)>;
/// Computes every item of the queue (each the representative of runs with one
/// signature) and returns the number of compute threads used in all; rethrows
/// the first failure. The default runs them on `jobs` local threads; an MPI sweep
/// hands them to other processes too (tools/mpi/mpi_sweep.hpp).
using QueueExecutor = std::function<int(WorkQueue& queue)>;

struct SweepOptions {
  std::string out_dir;
  int jobs = 0;  // 0 = all hardware threads
  bool resume = false;
  bool progress = true;  // the bar on stderr
  std::string command_line;  // recorded in sweep.json
  ShardSpec shard;  // not whole: run only this shard's runs (sweep_shard.hpp) and write DIR/shard.json, no summary
  QueueExecutor executor;  // empty: local threads
};

/// Checks the output folder before anything is printed or written: --out and the files a sweep
/// writes there must be a folder and plain files; with `resume`, DIR/sweep.json must record this
/// experiment (it is refused when missing while runs.csv holds rows) and every complete row of
/// DIR/runs.csv must name it. InputError otherwise.
void check_sweep_folder(const PreparedExperiment& prep, const SweepOptions& options);

/// Every run's key, in the canonical order.
std::vector<RunKey> enumerate_runs(const PreparedExperiment& prep);

/// The runs of one shard, in the canonical order.
std::vector<RunKey> shard_runs(const PreparedExperiment& prep, const ShardSpec& shard);

SweepResult run_sweep(const PreparedExperiment& prep, const SweepOptions& options, const RunFunction& run,
                      const RunSignature& signature = {});

}  // namespace sgprs::exp
