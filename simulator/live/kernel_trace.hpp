#pragma once
// `sgprs live --kernel-trace FILE`: every kernel the run's units ran on the GPU, from CUPTI's
// concurrent-kernel records (profiler/kernel_activity.hpp), so that a live run can be taken apart
// kernel by kernel: how long each kernel ran beside the others, and how long each partition's
// stream had no kernel running. Records start once set-up and warm-up are over. CUPTI adds about
// 1 us of launch cost per kernel, so a traced run is a measurement of its own, not the untraced one.
//
// FILE is JSON lines: a header {"schema": "sgprs.kernel-trace/1", "kernels": N, "dropped": D,
// "partitions": P, "first_launch_ns": F}, then one line per kernel in start order: {"partition",
// "start_ns", "end_ns", "name", "blocks", "threads", "registers", "shared_bytes", "launch" (CUPTI's
// correlation id: one per graph launch)}. Times are on the executor's clock (host steady ns minus
// the set-up epoch); events.jsonl counts from the run's start instead, which comes after set-up. F
// is the run's first launch on the executor's clock, the first `launch_ns` of events.jsonl on the
// run's: their difference puts the two on one clock (tools/kernel_trace_report.py --events).
#include "common/time.hpp"

#include <cuda.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace sgprs::profiler {
class KernelActivityCollector;
}

namespace sgprs::live {

class KernelTrace {
 public:
  /// `partition_contexts[p]`: partition p's context. Starts recording now.
  KernelTrace(std::string path, std::vector<CUcontext> partition_contexts, Ns epoch_steady_ns);
  ~KernelTrace();
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;
  /// A unit launched at `launch_ns` (executor clock); the earliest is the header's first_launch_ns.
  /// Thread-safe (launcher threads).
  void note_launch(Ns launch_ns);
  /// Gathers every record and writes the file atomically; call with nothing left on the GPU.
  void write();

 private:
  std::string path_;
  std::vector<std::uint32_t> context_ids_;  // CUPTI's id of each partition's context
  Ns epoch_steady_ns_ = 0;
  std::atomic<Ns> first_launch_ns_{kNever};
  std::unique_ptr<profiler::KernelActivityCollector> collector_;
};

}  // namespace sgprs::live
