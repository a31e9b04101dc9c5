#include "simulator/live/live_device.hpp"

#include "common/errors.hpp"

namespace sgprs::live {

std::string profile_precision(const Profile& profile) {
  const Json& raw = profile.raw();
  if (raw.contains("precision") && raw["precision"].is_string()) return raw["precision"].get<std::string>();
  if (raw.value("dtype", std::string()) == "fp16") return "fp16";
  const Json env = raw.contains("provenance") ? raw["provenance"].value("environment", Json::object()) : Json::object();
  if (env.value("SGPRS_CUDNN_FP32", std::string()) == "tf32") return "tf32";
  return "fp32";
}

#ifndef SGPRS_LIVE_HAS_CUDA
ExecutorFactory cuda_executor_factory(const Profile&, const DeviceRequest&) {
  throw NoGpuError("this build of sgprs has no CUDA live device (built without a CUDA toolkit); --fake-device runs the "
                   "control loop without a GPU");
}
#endif

}  // namespace sgprs::live
