#pragma once
// What the live platform needs from a device: launch one unit (a stage, or a whole
// model for whole-job schedulers) of one task on one partition, and be told when
// it is done, with GPU timestamps on the host clock. Plain C++ (no CUDA types), so
// the host-side control loop builds and is tested without a GPU against a fake
// executor (simulator/live/fake_executor.hpp); the CUDA implementation is
// simulator/live/cuda_executor.hpp.
//
// Clock: every Ns here is host time, std::chrono::steady_clock nanoseconds minus the
// run's epoch (ExecutorSetup::epoch_steady_ns). GPU timestamps are converted to it
// by a measured offset.
//
// Thread safety: launch() and wait() are called from one control thread only; an
// implementation may use its own threads inside (a completion poller).
#include "common/time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::live {

/// One unit the policy may run: task `task` runs model `model`; `unit` indexes the
/// model's units (its stages in topological order, or 0 for the whole model).
struct UnitLaunch {
  int task = -1;
  int unit = -1;
  std::int64_t job = -1;
  int partition = -1;
};

struct UnitCompletion {
  UnitLaunch launch;
  Ns launch_ns = 0;     // host: when launch() enqueued it
  Ns gpu_start_ns = 0;  // GPU: first work of the unit began (host clock, via the offset)
  Ns gpu_end_ns = 0;    // GPU: last work of the unit ended (host clock, via the offset)
  Ns noticed_ns = 0;    // host: when the executor saw it complete
};

/// What set-up cost, for summary.json.
struct SetupReport {
  double setup_s = 0;                 // pool + buffers + graphs + warm-up, wall time
  std::int64_t gpu_memory_bytes = 0;  // device memory taken by the run (free before - free after)
  std::int64_t graphs = 0;            // CUDA graphs captured (0 for a fake executor)
  std::string device_name;            // as the driver names it ("NVIDIA H200"), "fake" for the fake
  std::string notes;                  // one line: driver, CUDA, precision, connections
};

class StageExecutor {
 public:
  virtual ~StageExecutor() = default;
  /// Enqueues the unit on a free stream of the partition and returns at once. The caller
  /// never has more than the partition's max_parallel units of it in flight, plus, on a
  /// partition of one stream, the units it queues behind them (ExecutorSetup::queued_per_partition):
  /// those run in launch order, each when the one before it has ended.
  virtual void launch(const UnitLaunch& unit, Ns now_ns) = 0;
  /// Blocks until at least one launched unit has completed or the host clock reaches
  /// `until_ns` (kNever: no time limit), then appends every completion seen so far to `out`
  /// in completion order (GPU end, then launch order). Returns at once when completions are
  /// pending. A device fault throws sgprs::GpuError naming the failed call and the unit.
  virtual void wait(Ns until_ns, std::vector<UnitCompletion>& out) = 0;
  /// Units launched and not yet returned by wait().
  virtual int in_flight() const = 0;
  virtual const SetupReport& setup_report() const = 0;
};

}  // namespace sgprs::live
