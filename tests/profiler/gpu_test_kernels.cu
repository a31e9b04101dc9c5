#include "gpu_test_kernels.hpp"

#include "profiler/cuda_check.hpp"

#include <vector>

namespace sgprs::profiler::testing {

namespace {

__device__ unsigned sm_id() {
  unsigned id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return id;
}

__device__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Each block stays resident for a few microseconds so the block scheduler has
// to spread the grid over every SM it may use.
__global__ void mark_sms(int* flags) {
  const unsigned long long start = global_ns();
  while (global_ns() - start < 5000) {
  }
  if (threadIdx.x == 0) flags[sm_id() % kSmidSlots] = 1;
}

__global__ void spin(long long ns) {
  const unsigned long long start = global_ns();
  while (global_ns() - start < static_cast<unsigned long long>(ns)) {
  }
}

__global__ void read_all(const float* data, std::size_t count, float* out) {
  float sum = 0;
  for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) sum += data[i];
  if (sum == 12345.0f) out[blockIdx.x] = sum;  // a result the compiler must keep; never true for zeros
}

}  // namespace

void launch_read_all(cudaStream_t stream, const float* data, std::size_t count, float* out, int blocks) {
  read_all<<<blocks, 256, 0, stream>>>(data, count, out);
  SGPRS_CUDA_CHECK_LAUNCH();
}

void launch_mark_sms(cudaStream_t stream, int* flags, int blocks) {
  mark_sms<<<blocks, 128, 0, stream>>>(flags);
  SGPRS_CUDA_CHECK_LAUNCH();
}

std::set<int> marked_sms(const int* flags) {
  std::vector<int> host(kSmidSlots);
  SGPRS_CUDA_CALL(cudaMemcpy(host.data(), flags, sizeof(int) * kSmidSlots, cudaMemcpyDeviceToHost));
  std::set<int> ids;
  for (int i = 0; i < kSmidSlots; ++i)
    if (host[static_cast<std::size_t>(i)] != 0) ids.insert(i);
  return ids;
}

void launch_spin(cudaStream_t stream, std::int64_t ns) {
  spin<<<1, 32, 0, stream>>>(ns);
  SGPRS_CUDA_CHECK_LAUNCH();
}

}  // namespace sgprs::profiler::testing
