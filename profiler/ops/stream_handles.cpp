#include "profiler/ops/stream_handles.hpp"

#include "profiler/cuda_check.hpp"
#include "profiler/driver_api.hpp"

#include <memory>
#include <mutex>
#include <unordered_map>

namespace sgprs::profiler::ops {

namespace {

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::unordered_map<cudaStream_t, std::unique_ptr<StreamHandles>>& registry() {
  // Deliberately never destroyed (see the header).
  static auto* map = new std::unordered_map<cudaStream_t, std::unique_ptr<StreamHandles>>();
  return *map;
}

// Makes `stream`'s context current for the lifetime of the guard.
class StreamContextGuard {
 public:
  explicit StreamContextGuard(cudaStream_t stream) {
    CUcontext ctx = nullptr;
    SGPRS_CUDA_CALL(driver().cuStreamGetCtx(reinterpret_cast<CUstream>(stream), &ctx));
    SGPRS_CUDA_CALL(driver().cuCtxPushCurrent(ctx));
  }
  ~StreamContextGuard() {
    CUcontext popped = nullptr;
    driver().cuCtxPopCurrent(&popped);
  }
  StreamContextGuard(const StreamContextGuard&) = delete;
  StreamContextGuard& operator=(const StreamContextGuard&) = delete;
};

class RelaxedCaptureGuard {
 public:
  RelaxedCaptureGuard() { cudaThreadExchangeStreamCaptureMode(&previous_); }
  ~RelaxedCaptureGuard() { cudaThreadExchangeStreamCaptureMode(&previous_); }
  RelaxedCaptureGuard(const RelaxedCaptureGuard&) = delete;
  RelaxedCaptureGuard& operator=(const RelaxedCaptureGuard&) = delete;

 private:
  cudaStreamCaptureMode previous_ = cudaStreamCaptureModeRelaxed;
};

std::unique_ptr<StreamHandles> create_handles(cudaStream_t stream) {
  RelaxedCaptureGuard relaxed;
  // The runtime must have initialised the primary context before the driver call below.
  SGPRS_CUDA_CALL(cudaFree(nullptr));
  StreamContextGuard context(stream);
  auto h = std::make_unique<StreamHandles>();
  h->stream = stream;
  SGPRS_CUDA_CALL(cudaMalloc(&h->workspace, kWorkspaceBytes));
  SGPRS_CUDA_CALL(cublasLtCreate(&h->cublas_lt));
  SGPRS_CUDA_CALL(cudnnCreate(&h->cudnn));
  SGPRS_CUDA_CALL(cudnnSetStream(h->cudnn, stream));
  return h;
}

}  // namespace

StreamHandles& handles_for(cudaStream_t stream) {
  std::lock_guard lock(registry_mutex());
  auto& map = registry();
  auto it = map.find(stream);
  if (it == map.end()) it = map.emplace(stream, create_handles(stream)).first;
  return *it->second;
}

void forget_stream(cudaStream_t stream) {
  std::lock_guard lock(registry_mutex());
  auto& map = registry();
  auto it = map.find(stream);
  if (it != map.end()) {
    static_cast<void>(it->second.release());  // leaked on purpose: its context may already be gone
    map.erase(it);
  }
}

cudnnHandle_t setup_cudnn_handle() {
  static cudnnHandle_t handle = [] {
    cudnnHandle_t h = nullptr;
    SGPRS_CUDA_CALL(cudnnCreate(&h));
    return h;
  }();
  return handle;
}

cublasLtHandle_t setup_cublas_lt_handle() {
  static cublasLtHandle_t handle = [] {
    cublasLtHandle_t h = nullptr;
    SGPRS_CUDA_CALL(cublasLtCreate(&h));
    return h;
  }();
  return handle;
}

}  // namespace sgprs::profiler::ops
