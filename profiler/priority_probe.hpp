#pragma once
// The priority probe: how CUDA's block scheduler orders a waiting kernel of a more urgent stream
// against the blocks still pending of a kernel launched before it on a less urgent stream. The
// closed loops of docs/validation.md ("The block scheduler, kernel by kernel") fit a handicap of 5-8 us
// of launch time per priority level; this measures it directly.
//
// One trial: grid L (many blocks, on the least urgent stream) starts; the host sees L's first block
// start (a flag in host-mapped memory), waits `delay_us`, and launches kernel H (one block) on a
// stream `gap` levels more urgent. Both stamp every block's start, end and SM on %globaltimer.
// (With low_level > 0, L runs that many levels above the least urgent, H `gap` above L.)
// Under a strict priority H starts at the first slot that frees after it arrives; behind a FIFO it
// starts only after L's last block has started. Three scenarios:
//   free   L holds half the SMs, one block each: H finds a free SM (the launch latency, no queue);
//   queue  L is `waves` waves of one block per SM, H needs a whole SM's shared memory as L's do;
//   drain  L's blocks take a quarter of an SM each, H a whole SM: H can start only where an SM
//          empties, so this asks whether L's blocks keep backfilling while H waits.
//   chains U streams at the most urgent level each run a chain of kernels (B blocks of a whole SM)
//          back to back while L (`chain_waves` waves) waits: a strict priority gives L only the
//          slots that no urgent kernel can take, so with two chains or more L should get none.
//   crowd  N streams at the least urgent level each run a chain of small kernels (one graph each)
//          and one at the most urgent level a chain of one-block kernels, with room for every block
//          at once: how the urgent chain's gap between kernels grows with N, SMs aside.
// tools/priority_probe_report.py reads the trials and prints the table.
#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::profiler {

struct PriorityProbeConfig {
  int waves = 24;                               // queue: L's blocks = waves x SMs
  int repeats = 5;                              // trials per (scenario, gap, delay)
  std::vector<int> delays_us = {0, 10, 20, 40, 80, 160};  // queue
  std::vector<int> drain_delays_us = {0, 40};             // drain: its grids are 4x larger to record
  int drain_repeats = 3;
  std::int64_t block_base_ns = 20'000;          // L's blocks run base + [0, spread)
  std::int64_t block_spread_ns = 20'000;
  std::int64_t urgent_block_ns = 5'000;         // H's one block
  std::uint64_t seed = 1;                       // the order of the trials
  bool green_contexts = false;                  // every stream in its own whole-GPU green context (as live `streams`)
  bool graphs = false;                          // every grid through a captured CUDA graph (as live units)
  int low_level = 0;                            // L's stream: this many levels above the least urgent
  std::vector<std::string> scenarios = {"free", "queue", "drain", "chains", "crowd"};
  std::vector<int> chain_streams = {1, 2, 4};   // chains: urgent streams U
  std::vector<int> chain_sm_shares = {100, 50}; // chains: an urgent kernel's blocks, % of the SMs
  int chain_kernels = 40;                       // kernels per urgent stream
  std::int64_t chain_block_ns = 10'000;         // each urgent block
  int chain_waves = 96;                         // L's waves (outlasts the chains)
  int chain_repeats = 3;
  bool chain_one_graph = false;                 // each urgent chain one graph (the host launches it once)
  std::vector<int> crowd_streams = {0, 1, 4, 8, 16, 31};  // crowd: streams beside the urgent one
  int crowd_kernels = 200;                      // kernels per chain
  int crowd_blocks = 4;                         // blocks of a background kernel (32 threads, no shared memory)
  std::int64_t crowd_block_ns = 5'000;
  std::int64_t crowd_urgent_ns = 2'000;         // the urgent chain's one block
  int crowd_repeats = 3;
};

/// Runs every trial on GPU 0 and writes `sgprs.priority-probe/1` JSON to `out_path` (atomically).
/// Throws NoGpuError without a GPU, GpuError when a CUDA call fails or L's trigger never shows.
void run_priority_probe(const PriorityProbeConfig& config, const std::string& out_path);

}  // namespace sgprs::profiler
