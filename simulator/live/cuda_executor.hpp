#pragma once
// The live platform's device on CUDA: units run as CUDA graphs on green-context partitions.
//
//   ExecutorSetup setup = ...;                           // simulator/live/executor_setup.hpp
//   CudaStageExecutor gpu(setup);                        // pool, buffers, graphs, warm-up (seconds)
//   gpu.launch({.task = 3, .unit = 0, .job = 17, .partition = 1}, now_ns);
//   std::vector<UnitCompletion> done;
//   gpu.wait(kNever, done);                              // GPU start/end on the host clock
//
// launch() takes a free slot stream of the partition and launches the unit's graph, with a start
// and an end event recorded around it on the stream or, with ExecutorSetup::stamps_in_graphs,
// by event nodes inside the graph (one CUDA call instead of three): no allocation, no
// synchronisation. Completions are
// noticed by the ExecutorSetup::completion mechanism on threads of its own (the polling
// threads, the CUDA callback thread, or one thread per slot: completion_threads.cpp) and handed
// to wait() through a lock-free mailbox (completion_mailbox.hpp). GPU timestamps come from the events, converted to the host clock
// per partition (simulator/live/gpu_clock.hpp).
//
// Thread safety: as StageExecutor (one control thread calls launch() and wait()).
#include "simulator/live/executor_setup.hpp"
#include "simulator/live/stage_executor.hpp"

#include <memory>
#include <vector>

namespace sgprs::live {

/// How the GPU clock conversion behaved (diagnostics for the bench and summary notes).
struct ClockStats {
  Ns offset_uncertainty_ns = 0;  // largest half-bracket of the partitions' clocks
  std::int64_t clamped = 0;      // timestamps moved to keep launch <= gpu_start <= gpu_end <= noticed
  Ns largest_clamp_ns = 0;       // the largest such move (within the uncertainty when all is well)
};

class CudaStageExecutor final : public StageExecutor {
 public:
  /// Throws NoGpuError without a GPU, InputError for a set-up the device cannot run (a layout
  /// its split cannot build), GpuError when a
  /// GPU call fails (naming the step, task, unit and partition).
  explicit CudaStageExecutor(const ExecutorSetup& setup);
  /// Waits up to ExecutorSetup::shutdown_wait_ns for units still on the GPU, then destroys the
  /// graphs, events, streams and contexts.
  ~CudaStageExecutor() override;
  CudaStageExecutor(const CudaStageExecutor&) = delete;
  CudaStageExecutor& operator=(const CudaStageExecutor&) = delete;

  /// UnitCompletion::launch_ns is this call's own reading of the host clock just before it
  /// enqueues (`now_ns` is not used). A unit the set-up did not capture throws
  /// std::invalid_argument; a partition with max_parallel units in flight, std::logic_error.
  void launch(const UnitLaunch& unit, Ns now_ns) override;
  /// As StageExecutor::wait; with nothing in flight and no deadline it returns at once.
  void wait(Ns until_ns, std::vector<UnitCompletion>& out) override;
  int in_flight() const override;
  const SetupReport& setup_report() const override;

  ClockStats clock_stats() const;
  /// Per partition: the GPU clock's drift from the host clock since set-up, measured now by a
  /// fresh bracket (synchronises; call only with nothing in flight).
  std::vector<Ns> measure_clock_drift_ns();

  struct Impl;  // the CUDA state, opaque here (cuda_executor_impl.hpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sgprs::live
