#pragma once
// What the live mode needs to know of a GPU before it plans a run on it: its name (to match a
// profile), its green-context split (to size a layout) and its compute capability (to tell
// whether this build's kernels run there). No CUDA types: the host side reads it too.
#include "common/profile.hpp"

#include <string>

namespace sgprs::live {

struct DeviceIdentity {
  std::string name;  // as the driver names it: "NVIDIA H200"
  GpuShape split;    // how one split into pieces of >= 8 SMs cuts it (profiler/partition_pool.hpp)
  int compute_major = 0, compute_minor = 0;
};

/// Reads GPU `device`'s identity in this process, initialising CUDA here (the live device's side
/// of live_device.hpp's probe_device, which runs it in a child process). NoGpuError without a GPU.
DeviceIdentity read_device_identity(int device);

}  // namespace sgprs::live
