#pragma once
// Which runs of an experiment shard I of N runs (`sgprs sweep --shard I/N`, I counted from 0, as
// Slurm's $SLURM_ARRAY_TASK_ID of an array 0..N-1).
//
// The rule: the runs that differ only in their layout form one group (they share the task set,
// the scheduler and, for the layout-blind baselines, the whole simulation); group
// g = (scheduler x loads + load) x repetitions + repetition goes to shard g mod N. So a shard holds
// whole groups (no run is simulated twice across shards), shard sizes differ by at most one group
// (the number of layouts), and when N divides the repetitions every shard gets the same number of
// task sets at every load and scheduler (balanced in time, not only in count).
#include "simulator/experiments/run_table.hpp"

#include <cstddef>
#include <string>

namespace sgprs::exp {

struct ShardSpec {
  int index = 0;  // 0 <= index < count
  int count = 1;

  bool whole() const { return count == 1; }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

/// The sizes of an experiment's run grid (the canonical order's axes).
struct RunGrid {
  std::size_t layouts = 0;
  std::size_t schedulers = 0;
  std::size_t loads = 0;
  int repetitions = 0;
};

/// Parses "I/N" (0 <= I < N); an InputError naming `flag` otherwise.
ShardSpec parse_shard(const std::string& text, const std::string& flag);

/// The shard (0..count-1) that runs `key` under the rule above.
int shard_of(const RunGrid& grid, const RunKey& key, int count);

}  // namespace sgprs::exp
