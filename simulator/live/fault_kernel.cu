#include "simulator/live/fault_kernel.hpp"

namespace sgprs::live {

namespace {
__global__ void trap_kernel() { __trap(); }

__global__ void spin_kernel(long long spin_ns) {
  unsigned long long start = 0;
  unsigned long long now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (static_cast<long long>(now - start) < spin_ns);
}
}  // namespace

cudaError_t launch_faulting_kernel(cudaStream_t stream) {
  trap_kernel<<<1, 1, 0, stream>>>();
  return cudaGetLastError();
}

cudaError_t launch_stalling_kernel(cudaStream_t stream, long long spin_ns) {
  spin_kernel<<<1, 1, 0, stream>>>(spin_ns);
  return cudaGetLastError();
}

}  // namespace sgprs::live
