#pragma once
// cuBLASLt and cuDNN handles plus one workspace, per stream (no op calls cuBLAS's legacy API, so
// it has no handle). Kernels on one stream run one after another, so the libraries of that stream
// share its workspace; two streams (two partitions) never share one. Created in the stream's own
// context (a green context's stream gets handles made inside that green context), once, and kept
// for the process's life: library handles cannot be destroyed safely during static destruction,
// after CUDA has shut down.
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>

namespace sgprs::profiler::ops {

/// Bytes of the per-stream workspace; convolution algorithms needing more are not chosen.
inline constexpr std::size_t kWorkspaceBytes = std::size_t{64} << 20;

struct StreamHandles {
  cudaStream_t stream = nullptr;
  cublasLtHandle_t cublas_lt = nullptr;
  cudnnHandle_t cudnn = nullptr;
  void* workspace = nullptr;  // kWorkspaceBytes
};

/// The handles of `stream`, created on first use (thread-safe). Creation switches the thread to
/// relaxed stream-capture mode, so it also works, though slowly, inside a capture.
StreamHandles& handles_for(cudaStream_t stream);

/// Forgets `stream`'s handles (leaking them); call before destroying a stream whose address
/// may be reused by a later one.
void forget_stream(cudaStream_t stream);

/// A cuDNN handle for algorithm queries at construction time (current context).
cudnnHandle_t setup_cudnn_handle();
cublasLtHandle_t setup_cublas_lt_handle();

}  // namespace sgprs::profiler::ops
