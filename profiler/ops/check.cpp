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
  cuGetErrorName(status, &name);
  throw_gpu_error("CUDA driver", call, name ? name : ("error " + std::to_string(static_cast<int>(status))), file, line);
}

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_gpu_error("cuBLAS", call, cublasGetStatusString(status), file, line);
}

void check_cudnn(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS) throw_gpu_error("cuDNN", call, cudnnGetErrorString(status), file, line);
}

}  // namespace sgprs::profiler::ops
