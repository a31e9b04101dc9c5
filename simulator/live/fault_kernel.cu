#include "simulator/live/fault_kernel.hpp"

namespace sgprs::live {

namespace {
__global__ void trap_kernel() { __trap(); }
}  // namespace

cudaError_t launch_faulting_kernel(cudaStream_t stream) {
  trap_kernel<<<1, 1, 0, stream>>>();
  return cudaGetLastError();
}

}  // namespace sgprs::live
