#pragma once
// The two kernels of the priority probe (profiler/priority_probe.hpp), behind plain launch calls so
// that the probe's host code needs no CUDA compiler. Every block of a probe grid has one working
// thread: it stamps its start and SM, spins for its duration on %globaltimer and stamps its end.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace sgprs::profiler {

/// One block's record, in %globaltimer nanoseconds.
struct BlockStamp {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::int32_t sm = -1;
};

/// Block b spins for base_ns + (hash(b) mod 1024) x spread_ns / 1024, so that a multi-wave grid's
/// blocks end, and free their slots, spread evenly in time. The block whose index is
/// `trigger_block` writes 1 to `trigger_flag` (host-mapped memory) as it starts; -1 writes none.
/// `shared_bytes` of dynamic shared memory decide how many blocks an SM holds at once.
cudaError_t launch_stamp_grid(cudaStream_t stream, BlockStamp* stamps, int blocks, int shared_bytes,
                              std::int64_t base_ns, std::int64_t spread_ns, int trigger_block,
                              unsigned* trigger_flag);

/// Lets a stamp grid use `shared_bytes` of dynamic shared memory per block (above 48 KiB needs it).
cudaError_t allow_stamp_grid_shared_memory(int shared_bytes);

}  // namespace sgprs::profiler
