#pragma once
// One checking macro per GPU library. A failed call throws GpuCallError whose text names the
// call, the library's error string and the source line, so the CLI prints one useful line.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <stdexcept>
#include <string>

namespace sgprs::profiler::ops {

class GpuCallError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void throw_gpu_error(const char* library, const char* call, const std::string& detail, const char* file,
                                  int line);

void check_cuda(cudaError_t status, const char* call, const char* file, int line);
void check_driver(CUresult status, const char* call, const char* file, int line);

/// A driver API function fetched through the runtime (cudaGetDriverEntryPointByVersion), so
/// that nothing links libcuda: binaries then load on machines without a driver (CI), where the
/// tests skip, and gtest's test discovery can run them at build time.
void* driver_entry_point(const char* symbol, unsigned cuda_version);
void check_cublas(cublasStatus_t status, const char* call, const char* file, int line);
void check_cudnn(cudnnStatus_t status, const char* call, const char* file, int line);

}  // namespace sgprs::profiler::ops

#define SGPRS_OPS_CUDA(call) ::sgprs::profiler::ops::check_cuda((call), #call, __FILE__, __LINE__)
#define SGPRS_OPS_DRIVER(call) ::sgprs::profiler::ops::check_driver((call), #call, __FILE__, __LINE__)
#define SGPRS_OPS_CUBLAS(call) ::sgprs::profiler::ops::check_cublas((call), #call, __FILE__, __LINE__)
#define SGPRS_OPS_CUDNN(call) ::sgprs::profiler::ops::check_cudnn((call), #call, __FILE__, __LINE__)
