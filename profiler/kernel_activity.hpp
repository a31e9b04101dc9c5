#pragma once
// GPU-side kernel times from CUPTI's concurrent-kernel activity records. Every
// kernel that runs while a collector exists leaves one record (start and end on
// the GPU clock, context, stream, and the correlation id of the host call that
// launched it: for a graph replay, the cudaGraphLaunch). Tracing adds about 1 us
// of launch cost per kernel (measured on the H100), which is why it belongs to profiling only.
//
//   KernelActivityCollector collector;       // one per process at a time
//   ... launch, synchronise ...
//   std::vector<KernelRecord> records = collector.drain();
//   Ns host_time = collector.to_host_ns(records.front().start_ns);
#include "common/time.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace sgprs::profiler {

struct KernelRecord {
  std::uint64_t start_ns = 0;  // CUPTI timestamp (GPU clock mapped to ns)
  std::uint64_t end_ns = 0;
  std::uint32_t context_id = 0;
  std::uint32_t stream_id = 0;
  std::uint32_t correlation_id = 0;
  const char* name = nullptr;  // CUPTI-owned, shared by all records of one kernel; lives as long as the process
  // Launch shape: with the duration it says how much of a partition a kernel holds, which
  // decides how well it shares the GPU with other streams (the kernel report shows it).
  std::uint32_t blocks = 0;             // grid x * y * z
  std::uint32_t threads_per_block = 0;  // block x * y * z
  std::uint32_t registers_per_thread = 0;
  std::uint32_t shared_bytes = 0;       // static + dynamic shared memory per block
};

/// The CUPTI stream id of `stream` (which belongs to `context`), to pick a partition's records.
std::uint32_t cupti_stream_id(CUcontext context, cudaStream_t stream);
/// The CUPTI context id of `context` (stream ids are unique only within one context).
std::uint32_t cupti_context_id(CUcontext context);

class KernelActivityCollector {
 public:
  /// Registers the buffer callbacks and enables concurrent-kernel records.
  /// Throws GpuError if CUPTI refuses, std::logic_error if another collector exists.
  KernelActivityCollector();
  ~KernelActivityCollector();
  KernelActivityCollector(const KernelActivityCollector&) = delete;
  KernelActivityCollector& operator=(const KernelActivityCollector&) = delete;

  /// Forces CUPTI to deliver every finished record and returns those gathered
  /// since the last drain. Synchronise the streams of interest first.
  std::vector<KernelRecord> drain();
  /// Records CUPTI could not store (buffer overflow) since the collector started.
  std::uint64_t dropped() const;
  /// A CUPTI timestamp as host steady-clock nanoseconds (offset measured at start).
  Ns to_host_ns(std::uint64_t cupti_ns) const { return static_cast<Ns>(cupti_ns) - cupti_minus_host_ns_; }

 private:
  Ns cupti_minus_host_ns_ = 0;
};

}  // namespace sgprs::profiler
