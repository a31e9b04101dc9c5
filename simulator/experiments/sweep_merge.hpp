#pragma once
// `sgprs merge`: the shards of one sweep (folders written by `sgprs sweep --shard I/N`)
// combined into the sweep's DIR/runs.csv, DIR/summary.csv and DIR/sweep.json, the
// same bytes an unsharded sweep of the experiment writes but for sweep.json's
// execution fields: threads, runs_resumed, runs_executed and runs_simulated are the
// shards' sums, wall_time_s the longest shard's, command the merge's.
//
//   merge_shards({"s0", "s1", "s2"}, "all", "sgprs merge s0 s1 s2 --out all");
//
// Checked before anything is written (else an InputError naming the file and field):
// every folder holds a shard.json of one experiment, cut into the same N shards; each
// shard 0..N-1 is given exactly once; each shard's runs.csv holds exactly its runs,
// complete (an interrupted shard is finished with `sgprs sweep --shard I/N --resume`).
#include "simulator/experiments/sweep_record.hpp"

#include <string>
#include <vector>

namespace sgprs::exp {

SweepResult merge_shards(const std::vector<std::string>& shard_dirs, const std::string& out_dir,
                         const std::string& command_line);

}  // namespace sgprs::exp
