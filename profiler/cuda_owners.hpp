#pragma once
// Move-only owners of CUDA handles. Each owner destroys its handle exactly once;
// a failed destruction is reported on stderr (a destructor must not throw) so
// leaks and broken teardown are visible rather than silent.
//
//   Stream stream = Stream::in_green_context(ctx);   // see partition_pool.hpp
//   GraphExec exec = capture_graph(stream.get(), [&](cudaStream_t s) { ... });
#include "profiler/driver_api.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <utility>

namespace sgprs::profiler {

namespace detail {
void report_destroy_failure(const char* what, int status);
}

/// After a GPU fault (a kernel that trapped or accessed memory it must not) the context is
/// poisoned and every later destruction fails with the same error: once this is called, such
/// failures are no longer reported, so the fault's own one-line report stays the only one.
void silence_destroy_failures();
bool destroy_failures_silenced();

/// Owns one handle of type H; `Destroy` is a stateless functor returning the
/// library status (0 = success).
template <class H, class Destroy>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(H handle) : handle_(handle) {}
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, H{})) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, H{});
    }
    return *this;
  }
  ~UniqueHandle() { reset(); }

  H get() const { return handle_; }
  explicit operator bool() const { return handle_ != H{}; }
  void reset() {
    if (handle_ != H{}) {
      const int status = static_cast<int>(Destroy{}(handle_));
      if (status != 0) detail::report_destroy_failure(Destroy::kName, status);
      handle_ = H{};
    }
  }

 private:
  H handle_{};
};

struct DestroyGreenContext {
  static constexpr const char* kName = "cuGreenCtxDestroy";
  CUresult operator()(CUgreenCtx h) const { return driver().cuGreenCtxDestroy(h); }
};
struct DestroyDriverStream {
  static constexpr const char* kName = "cuStreamDestroy";
  CUresult operator()(CUstream h) const { return driver().cuStreamDestroy(h); }
};
struct DestroyEvent {
  static constexpr const char* kName = "cudaEventDestroy";
  cudaError_t operator()(cudaEvent_t h) const { return cudaEventDestroy(h); }
};
struct DestroyGraph {
  static constexpr const char* kName = "cudaGraphDestroy";
  cudaError_t operator()(cudaGraph_t h) const { return cudaGraphDestroy(h); }
};
struct DestroyGraphExec {
  static constexpr const char* kName = "cudaGraphExecDestroy";
  cudaError_t operator()(cudaGraphExec_t h) const { return cudaGraphExecDestroy(h); }
};
struct FreeDevice {
  static constexpr const char* kName = "cudaFree";
  cudaError_t operator()(void* p) const { return cudaFree(p); }
};
struct FreeHost {
  static constexpr const char* kName = "cudaFreeHost";
  cudaError_t operator()(void* p) const { return cudaFreeHost(p); }
};

using GreenContext = UniqueHandle<CUgreenCtx, DestroyGreenContext>;
using DriverStream = UniqueHandle<CUstream, DestroyDriverStream>;
using Event = UniqueHandle<cudaEvent_t, DestroyEvent>;
using Graph = UniqueHandle<cudaGraph_t, DestroyGraph>;
using GraphExec = UniqueHandle<cudaGraphExec_t, DestroyGraphExec>;
using DeviceBuffer = UniqueHandle<void*, FreeDevice>;
using PinnedHostBuffer = UniqueHandle<void*, FreeHost>;

}  // namespace sgprs::profiler
