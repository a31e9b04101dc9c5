#include "profiler/cuda_check.hpp"

#include "profiler/driver_api.hpp"

#include <filesystem>

namespace sgprs::profiler {

std::string describe_failed_call(const std::string& library, const std::string& error, const std::string& call,
                                 const char* file, int line) {
  return library + " error " + error + " in '" + call + "' (" + std::filesystem::path(file).filename().string() +
         ":" + std::to_string(line) + ")";
}

namespace detail {

void check_call(CUresult status, const char* call, const char* file, int line) {
  if (status == CUDA_SUCCESS) return;
  const char* name = nullptr;
  try {
    if (driver().cuGetErrorName(status, &name) != CUDA_SUCCESS) name = nullptr;
  } catch (const std::exception&) {
    name = nullptr;  // no driver to name the error: the number still identifies it
  }
  if (name == nullptr) name = "CUresult";
  const std::string text = std::string(name) + " (" + std::to_string(static_cast<int>(status)) + ")";
  throw GpuError(describe_failed_call("CUDA driver", text, call, file, line));
}

void check_call(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  throw GpuError(describe_failed_call(
      "CUDA runtime", std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status), call, file, line));
}

void check_call(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw GpuError(describe_failed_call("cuBLAS", cublasGetStatusName(status), call, file, line));
}

void check_call(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  throw GpuError(describe_failed_call("cuDNN", cudnnGetErrorString(status), call, file, line));
}

}  // namespace detail
}  // namespace sgprs::profiler
