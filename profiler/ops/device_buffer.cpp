#include "profiler/ops/device_buffer.hpp"

#include "profiler/cuda_check.hpp"

namespace sgprs::profiler::ops {

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes_ == 0) return;
  void* data = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(&data, bytes_));
  // No throw from the deleter; a failed cudaFree at teardown is not actionable.
  block_ = std::shared_ptr<void>(data, [](void* p) { cudaFree(p); });
}

DeviceBuffer DeviceBuffer::share() const {
  DeviceBuffer other;
  other.block_ = block_;
  other.bytes_ = bytes_;
  return other;
}

}  // namespace sgprs::profiler::ops
