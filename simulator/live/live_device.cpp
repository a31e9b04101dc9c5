#include "simulator/live/live_device.hpp"

#include "common/errors.hpp"

namespace sgprs::live {

std::string profile_precision(const Profile& profile) { return profile.precision(); }

#ifndef SGPRS_LIVE_HAS_CUDA
ExecutorFactory cuda_executor_factory(const Profile&, const DeviceRequest&) {
  throw NoGpuError("this build of sgprs has no CUDA live device (built without a CUDA toolkit); --fake-device runs the "
                   "control loop without a GPU");
}
#endif

}  // namespace sgprs::live
