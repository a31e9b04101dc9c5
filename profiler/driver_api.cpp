#include "profiler/driver_api.hpp"

#include "common/errors.hpp"
#include "profiler/cuda_check.hpp"

#include <cuda_runtime_api.h>

#include <mutex>
#include <string>

namespace sgprs::profiler {

namespace {

template <class F>
void load(F& slot, const char* name) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
  const cudaError_t status = cudaGetDriverEntryPointByVersion(name, &fn, CUDA_VERSION, cudaEnableDefault, &found);
  if (status == cudaErrorInsufficientDriver || status == cudaErrorNoDevice || status == cudaErrorStubLibrary ||
      status == cudaErrorCallRequiresNewerDriver)
    throw NoGpuError(std::string("no usable CUDA driver: ") + cudaGetErrorString(status));
  SGPRS_CUDA_CALL(status);
  if (found != cudaDriverEntryPointSuccess || fn == nullptr)
    throw GpuError(describe_failed_call(
        "CUDA driver", "entry point not found (driver older than CUDA " + std::to_string(CUDA_VERSION) + "?)", name,
        __FILE__, __LINE__));
  slot = reinterpret_cast<F>(fn);
}

DriverApi load_all() {
  DriverApi api;
#define SGPRS_DRIVER_LOAD(name) load(api.name, #name);
  SGPRS_DRIVER_FUNCTIONS(SGPRS_DRIVER_LOAD)
#undef SGPRS_DRIVER_LOAD
  return api;
}

}  // namespace

const DriverApi& driver() {
  // Not a function-local static initialised by load_all(): a failed load must
  // be retried and reported on every call, not only the first.
  static std::mutex mutex;
  static DriverApi api;
  static bool loaded = false;
  std::lock_guard lock(mutex);
  if (!loaded) {
    api = load_all();
    loaded = true;
  }
  return api;
}

}  // namespace sgprs::profiler
