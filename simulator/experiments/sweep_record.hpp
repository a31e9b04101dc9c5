#pragma once
// DIR/sweep.json, the record of a sweep, and DIR/shard.json, the record of one
// shard of it (`sgprs sweep --shard I/N`), which `sgprs merge` turns back into the
// sweep's record.
//
// sweep.json holds what the sweep is (schema, experiment identity, profile, device,
// throughput bound, layouts, run count), identical however the sweep was executed,
// and then the execution fields (command, threads, runs_resumed, runs_executed,
// runs_simulated, wall_time_s), which say how this one was.
#include "common/json_io.hpp"
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/sweep_shard.hpp"

#include <string>

namespace sgprs::exp {

struct SweepResult {
  std::size_t runs_total = 0;
  std::size_t runs_resumed = 0;    // found done in runs.csv
  std::size_t runs_executed = 0;   // rows produced now (simulated or shared)
  std::size_t runs_simulated = 0;  // run-function calls
  int threads = 0;
  double wall_time_s = 0;
};

/// The execution fields, in the order sweep.json lists them.
inline constexpr const char* kExecutionFields[] = {"command",        "threads",        "runs_resumed",
                                                   "runs_executed",  "runs_simulated", "wall_time_s"};

/// What identifies the experiment (the file's content, the loads, the profile's
/// fingerprint): compared on --resume and by merge.
Json experiment_identity(const PreparedExperiment& prep);

/// sweep.json without its execution fields.
Json sweep_record(const PreparedExperiment& prep);

/// Appends the execution fields.
void add_execution(Json& record, const SweepResult& result, const std::string& command);

/// The canonical order's axes as the rows of runs.csv name them:
/// {"layouts": [...], "schedulers": [...], "loads": [...], "repetitions": R}.
Json run_grid_json(const PreparedExperiment& prep);
RunGrid run_grid(const PreparedExperiment& prep);

/// DIR/shard.json: {"schema": "sgprs.sweep-shard/1", "shard": {"index", "count"}, "runs": runs in
/// the shard, "grid": run_grid_json, "sweep": sweep_record} and the execution fields.
Json shard_record(const PreparedExperiment& prep, const ShardSpec& shard, std::size_t runs);

inline constexpr const char* kShardSchema = "sgprs.sweep-shard";

}  // namespace sgprs::exp
