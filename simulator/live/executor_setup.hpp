#pragma once
// Everything the CUDA executor (simulator/live/cuda_executor.hpp) needs to set itself up,
// as plain values (no CUDA types), so the live command fills it in without a CUDA build.
//
//   ExecutorSetup setup;
//   setup.gpu = profile.gpu();                        // the split the layout was made for
//   setup.layout = parse_layout("equal:3:1.0x", setup.gpu);
//   setup.precision = Precision::kTf32;
//   setup.models.push_back({Model::load("traces/models/resnet18.json"), false});   // per-stage units
//   setup.task_models.assign(240, 0);                 // 240 tasks of model 0
//   setup.epoch_steady_ns = steady_clock_ns_now();
#include "common/layout.hpp"
#include "common/model.hpp"
#include "common/profile.hpp"
#include "common/time.hpp"
#include "simulator/live/launch_lanes.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs::live {

/// Arithmetic the GPU runs in. kFp32Strict and kTf32 store fp32; kTf32 lets fp32 convolutions
/// use TF32 tensor cores (PyTorch's default for convolutions; matrix products stay strict, as
/// in PyTorch). kFp16 stores half and uses tensor cores with float accumulation.
enum class Precision { kFp32Strict, kTf32, kFp16 };

/// "fp32", "tf32" or "fp16"; anything else is an InputError naming `source`.
Precision parse_precision(std::string_view text, const std::string& source = "--precision");
std::string_view precision_name(Precision precision);

/// How the executor notices that a unit's GPU work has ended (chosen by measurement:
/// bench/live_completion_bench.cpp prints each mechanism's latency and launch cost).
enum class CompletionNotice {
  kPollingThread,  // one host thread queries the end events of the units in flight, yielding between sweeps
  kHostCallback,   // a host function enqueued after each unit (cudaLaunchHostFunc) reports it
  kBlockingSync,   // one host thread per stream sleeps in cudaEventSynchronize on a blocking-sync event
  kHostFlags,      // each unit is followed on its stream by a GPU write of its number into pinned host
                   // memory (cuStreamWriteValue32); one host thread watches those words, no CUDA call a
                   // sweep. Slower than polling on the H200 (cuda_executor.cpp says why)
};

/// "polling", "callback", "blocking" or "flags"; anything else is an InputError naming `source`.
CompletionNotice parse_completion_notice(std::string_view text, const std::string& source = "--completion");
std::string_view completion_notice_name(CompletionNotice notice);

struct ExecutorModel {
  Model model;
  /// One unit per job: every stage in topological order as one graph (whole-job schedulers).
  /// Otherwise one unit per stage, in the model's topological stage order (Model::stages()).
  bool whole_model = false;
  int unit_count() const { return whole_model ? 1 : static_cast<int>(model.stages().size()); }
};

struct ExecutorSetup {
  int device = 0;
  /// The green-context split `layout` was made for (a profile's GpuShape); set-up refuses a
  /// device whose split differs. sm_count == 0: take the layout's pieces as the device's own.
  GpuShape gpu;
  /// The partitions, as piece indices into the one split (index gpu.pieces is the remainder),
  /// and how many units each runs at once (max_parallel streams per partition).
  Layout layout;
  Precision precision = Precision::kFp32Strict;
  int batch = 1;
  std::vector<ExecutorModel> models;
  /// Per task, the index of its model in `models`. Each task gets its own activations and
  /// inputs; the tasks of one model share its weights.
  std::vector<int> task_models;
  /// Which (task, unit, partition) combinations may be launched; a CUDA graph is captured for
  /// each. Empty: all of them.
  std::function<bool(int task, int unit, int partition)> may_launch;
  /// Host clock epoch: every Ns in and out of the executor is steady_clock ns minus this.
  Ns epoch_steady_ns = 0;
  CompletionNotice completion = CompletionNotice::kPollingThread;
  /// How long destruction waits for units still on the GPU before it tears down anyway.
  Ns shutdown_wait_ns = 10 * kNsPerSecond;
  /// Longest one set-up step (allocating a task, capturing a unit, one task's warm-up) may take
  /// before the process stops with a GPU fault naming it (StepWatchdog, gpu_call.hpp); 0: no limit.
  Ns setup_step_limit_ns = 0;
  /// Where each unit's start and end events are recorded: inside its CUDA graph (event-record
  /// nodes captured with it, one CUDA call per launch) or on the slot stream around the graph
  /// launch (three calls per launch). `sgprs live` records them in graphs (--stamps graph): on
  /// the H200, streams-32 with ResNet-18 at N = 210 missed 9.5-10.0% of jobs at 5942-5958/s
  /// against 15.2-15.4% at 5773-5780/s (two runs each, docs/live.md).
  bool stamps_in_graphs = false;
  /// Units a partition may hold queued on its stream beyond the max_parallel running ones
  /// (Platform::queue_unit; only with max_parallel 1): the executor keeps that many more sets of
  /// events per partition, all on the one stream, which runs them in launch order.
  int queued_per_partition = 0;
  /// Threads that issue the graph launches (LaunchLanes, launch_lanes.hpp; a stream's launches
  /// always from one of them, in order); 0: launch() issues them on the control thread.
  int launch_threads = 0;
  /// kPollingThread: threads that poll, the streams dealt out among them (stream l to thread
  /// l % polling_threads). One thread querying the oldest unit of each of 32 busy streams noticed
  /// ends at p99 59-101 us at ResNet-18 N = 220; four at 28-38 us (docs/live.md, fourteenth session).
  int polling_threads = kDefaultPollingThreads;
  /// Testing the fault path on hardware: the Nth launch (1-based) runs a kernel that traps instead
  /// of its unit (fault_kernel.hpp), a real GPU fault; 0: none.
  std::int64_t fault_after_launches = 0;
  /// Testing the stall path on hardware: the Nth launch (1-based) runs a kernel that spins for
  /// stall_spin_ns instead of its unit (fault_kernel.hpp); 0: none.
  std::int64_t stall_after_launches = 0;
  Ns stall_spin_ns = 30'000'000'000;
  /// Non-empty: record every kernel the units run, from the end of set-up, and write them here when
  /// the executor is destroyed (simulator/live/kernel_trace.hpp).
  std::string kernel_trace_path;
};

/// Checks what can be checked without a GPU (model and task indices, partition pieces against
/// `gpu`, max_parallel, batch); one InputError naming the field.
void validate(const ExecutorSetup& setup);

/// Units of task `task` (its model's unit_count()).
int unit_count(const ExecutorSetup& setup, int task);

/// steady_clock now, in ns (the clock every epoch is taken from).
Ns steady_clock_ns_now();

}  // namespace sgprs::live
