#pragma once
// One checking macro for every GPU library the profiler and its operation library call: the
// CUDA driver and runtime, cuBLAS/cuBLASLt and cuDNN (CUPTI: profiler/cupti_check.hpp adds its
// overload). A failed call throws sgprs::GpuError (exit status 5) whose message names the
// library's error, the call as written and where it was made:
//
//   SGPRS_CUDA_CALL(driver().cuGreenCtxCreate(&ctx, desc, device, CU_GREEN_CTX_DEFAULT_STREAM));
//   -> "CUDA driver error CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION (914) in
//       'driver().cuGreenCtxCreate(...)' (partition_pool.cpp:88)"
#include "common/errors.hpp"

#include <cublas_v2.h>
#include <cuda.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <string>

namespace sgprs::profiler {

/// The one-line text of a failed call: "<library> error <error> in '<call>' (<file>:<line>)".
std::string describe_failed_call(const std::string& library, const std::string& error, const std::string& call,
                                 const char* file, int line);

namespace detail {
// One overload per library status type; each returns normally on success.
void check_call(CUresult status, const char* call, const char* file, int line);
void check_call(cudaError_t status, const char* call, const char* file, int line);
void check_call(cublasStatus_t status, const char* call, const char* file, int line);
void check_call(cudnnStatus_t status, const char* call, const char* file, int line);
}  // namespace detail

}  // namespace sgprs::profiler

#define SGPRS_CUDA_CALL(call) ::sgprs::profiler::detail::check_call((call), #call, __FILE__, __LINE__)

/// After a kernel launch: launch errors surface only through cudaGetLastError.
#define SGPRS_CUDA_CHECK_LAUNCH() SGPRS_CUDA_CALL(cudaGetLastError())
