#include "simulator/live/device_identity.hpp"

#include "profiler/cuda_check.hpp"
#include "profiler/partition_pool.hpp"

#include <cuda_runtime_api.h>

namespace sgprs::live {

DeviceIdentity read_device_identity(int device) {
  profiler::init_cuda_for_partitions(1);  // NoGpuError without a GPU
  // The same split the live set-up makes (UnitGraphs), so that a layout sized from it builds there.
  const profiler::PartitionPool pool(device);
  const profiler::GpuSplit& split = pool.split();
  cudaDeviceProp props{};
  SGPRS_CUDA_CALL(cudaGetDeviceProperties(&props, device));
  DeviceIdentity identity;
  identity.name = props.name;
  identity.split = GpuShape{split.sm_count, split.piece_sms, split.pieces, split.remainder_sms};
  identity.compute_major = props.major;
  identity.compute_minor = props.minor;
  return identity;
}

}  // namespace sgprs::live
