#include "profiler/priority_probe_kernels.hpp"

namespace sgprs::profiler {

namespace {

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__device__ int sm_index() {
  unsigned id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return static_cast<int>(id);
}

__global__ void stamp_grid(BlockStamp* stamps, long long base_ns, long long spread_ns, int trigger_block,
                           unsigned* trigger_flag) {
  // The dynamic shared memory is never touched: its size alone limits the blocks an SM holds.
  if (threadIdx.x != 0) return;
  const unsigned long long start = global_ns();
  if (static_cast<int>(blockIdx.x) == trigger_block) {
    *reinterpret_cast<volatile unsigned*>(trigger_flag) = 1;
    __threadfence_system();
  }
  // A multiplicative hash spreads neighbouring blocks' durations over the whole range.
  const unsigned spread_step = (blockIdx.x * 2654435761u) >> 22;  // 0..1023
  const unsigned long long duration = base_ns + spread_ns * spread_step / 1024;
  unsigned long long now = start;
  while (now - start < duration) now = global_ns();
  stamps[blockIdx.x] = BlockStamp{static_cast<std::int64_t>(start), static_cast<std::int64_t>(now), sm_index()};
}

}  // namespace

cudaError_t launch_stamp_grid(cudaStream_t stream, BlockStamp* stamps, int blocks, int shared_bytes,
                              std::int64_t base_ns, std::int64_t spread_ns, int trigger_block,
                              unsigned* trigger_flag) {
  stamp_grid<<<blocks, 32, static_cast<size_t>(shared_bytes), stream>>>(stamps, base_ns, spread_ns, trigger_block,
                                                                      trigger_flag);
  return cudaGetLastError();
}

cudaError_t allow_stamp_grid_shared_memory(int shared_bytes) {
  return cudaFuncSetAttribute(stamp_grid, cudaFuncAttributeMaxDynamicSharedMemorySize, shared_bytes);
}

}  // namespace sgprs::profiler
