#pragma once
// The CUDA driver API entry points the profiler and its operation library use (the one
// driver-API loader of the project), fetched at run time
// through the runtime (cudaGetDriverEntryPointByVersion) instead of linking
// libcuda. Why: libcuda ships with the GPU driver, not the toolkit, so a
// machine with nvcc but no GPU (CI) could not even start a binary linked to
// it, and GPU tests could not skip cleanly.
//
//   SGPRS_CUDA_CALL(driver().cuGreenCtxCreate(&ctx, desc, device, CU_GREEN_CTX_DEFAULT_STREAM));
#include <cuda.h>

namespace sgprs::profiler {

// Names as in cuda.h; cuda.h maps some to versioned symbols (cuStreamDestroy
// -> cuStreamDestroy_v2), and the lookup asks for the ABI of the headers used.
#define SGPRS_DRIVER_FUNCTIONS(X)                                                                              \
  X(cuInit)                                                                                                    \
  X(cuGetErrorName)                                                                                            \
  X(cuDriverGetVersion)                                                                                        \
  X(cuDeviceGetCount)                                                                                          \
  X(cuDeviceGet)                                                                                               \
  X(cuDeviceGetName)                                                                                           \
  X(cuDeviceGetAttribute)                                                                                      \
  X(cuDeviceGetPCIBusId)                                                                                       \
  X(cuDevicePrimaryCtxRetain)                                                                                  \
  X(cuDevicePrimaryCtxRelease)                                                                                 \
  X(cuCtxSetCurrent)                                                                                           \
  X(cuDeviceGetDevResource)                                                                                    \
  X(cuDevSmResourceSplitByCount)                                                                               \
  X(cuDevResourceGenerateDesc)                                                                                 \
  X(cuGreenCtxCreate)                                                                                          \
  X(cuGreenCtxDestroy)                                                                                         \
  X(cuCtxFromGreenCtx)                                                                                         \
  X(cuGreenCtxGetDevResource)                                                                                  \
  X(cuGreenCtxStreamCreate)                                                                                    \
  X(cuStreamDestroy)                                                                                            \
  X(cuStreamGetCtx)                                                                                            \
  X(cuCtxPushCurrent)                                                                                          \
  X(cuCtxPopCurrent)                                                                                           \
  X(cuStreamWriteValue32)

struct DriverApi {
#define SGPRS_DRIVER_MEMBER(name) decltype(&::name) name = nullptr;
  SGPRS_DRIVER_FUNCTIONS(SGPRS_DRIVER_MEMBER)
#undef SGPRS_DRIVER_MEMBER
};

/// The loaded entry points (loaded on first use, then shared; thread-safe).
/// Throws NoGpuError when no CUDA driver is installed, GpuError when an entry
/// point is missing (a driver older than the toolkit).
const DriverApi& driver();

}  // namespace sgprs::profiler
