#include "simulator/live/gpu_call.hpp"

#include "profiler/cuda_check.hpp"

#include <functional>

namespace sgprs::live {

namespace detail {
void throw_gpu_error(cudaError_t status, const char* call, const std::string& what) {
  throw GpuError("CUDA error " + std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) +
                 ") in '" + call + "' " + what);
}
}  // namespace detail

void as_gpu_step(const std::string& what, const std::function<void()>& body) {
  try {
    body();
  } catch (const InputError&) {
    throw;
  } catch (const NoGpuError&) {
    throw;
  } catch (const GpuError& e) {  // the profiler's GPU-call check: name the step as well
    throw GpuError(what + ": " + e.what());
  } catch (const std::exception& e) {
    throw GpuError(what + ": " + e.what());
  }
}

}  // namespace sgprs::live
