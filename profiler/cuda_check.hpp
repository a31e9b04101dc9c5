#pragma once
// One checking macro for every GPU library the profiler calls: the CUDA driver
// and runtime, CUPTI, cuBLAS and cuDNN. A failed call throws CudaError whose
// message names the library's error, the call as written and where it was made:
//
//   SGPRS_CUDA_CALL(cuGreenCtxCreate(&ctx, desc, device, CU_GREEN_CTX_DEFAULT_STREAM));
//   -> "CUDA error CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION in 'cuGreenCtxCreate(...)' (partition_pool.cpp:88)"
//
// CudaError is an InputError so that the CLI reports it on one line with exit
// status 2, as issue 3 asks for "a CUDA or CUPTI error".
#include "common/errors.hpp"

#include <cublas_v2.h>
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>
#include <cupti.h>

#include <string>

namespace sgprs::profiler {

class CudaError : public InputError {
 public:
  CudaError(const std::string& library, const std::string& error, const std::string& call, const char* file,
            int line);
};

namespace detail {
// One overload per library status type; each returns normally on success.
void check_call(CUresult status, const char* call, const char* file, int line);
void check_call(cudaError_t status, const char* call, const char* file, int line);
void check_call(CUptiResult status, const char* call, const char* file, int line);
void check_call(cublasStatus_t status, const char* call, const char* file, int line);
void check_call(cudnnStatus_t status, const char* call, const char* file, int line);
}  // namespace detail

}  // namespace sgprs::profiler

#define SGPRS_CUDA_CALL(call) ::sgprs::profiler::detail::check_call((call), #call, __FILE__, __LINE__)

/// After a kernel launch: launch errors surface only through cudaGetLastError.
#define SGPRS_CUDA_CHECK_LAUNCH() SGPRS_CUDA_CALL(cudaGetLastError())
