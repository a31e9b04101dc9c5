#include "profiler/ops/check.hpp"

#include <filesystem>

namespace sgprs::profiler::ops {

void throw_gpu_error(const char* library, const char* call, const std::string& detail, const char* file, int line) {
  throw GpuCallError(std::string(library) + " call failed: " + call + ": " + detail + " (" +
                     std::filesystem::path(file).filename().string() + ":" + std::to_string(line) + ")");
}

void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    throw_gpu_error("CUDA", call, std::string(cudaGetErrorName(status)) + " " + cudaGetErrorString(status), file, line);
}

void check_driver(CUresult status, const char* call, const char* file, int line) {
  if (status == CUDA_SUCCESS) return;
  const char* name = nullptr;
  using GetErrorName = CUresult (*)(CUresult, const char**);
  if (auto* get_name = reinterpret_cast<GetErrorName>(driver_entry_point("cuGetErrorName", 12000)))
    get_name(status, &name);
  throw_gpu_error("CUDA driver", call, name ? name : ("error " + std::to_string(static_cast<int>(status))), file, line);
}

void* driver_entry_point(const char* symbol, unsigned cuda_version) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
  const cudaError_t status = cudaGetDriverEntryPointByVersion(symbol, &fn, cuda_version, cudaEnableDefault, &found);
  if (status != cudaSuccess || found != cudaDriverEntryPointSuccess || fn == nullptr)
    throw GpuCallError(std::string("CUDA driver entry point ") + symbol + " is not available: " +
                       cudaGetErrorString(status));
  return fn;
}

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_gpu_error("cuBLAS", call, cublasGetStatusString(status), file, line);
}

void check_cudnn(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS) throw_gpu_error("cuDNN", call, cudnnGetErrorString(status), file, line);
}

}  // namespace sgprs::profiler::ops
