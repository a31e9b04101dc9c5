#pragma once
// Running a model's stages, or one standalone operation, on a GPU stream.
//
//   sgprs::Model model = sgprs::Model::load("traces/models/resnet18.json");
//   ModelInstance net(model, Precision::kTf32, /*batch=*/1);   // weights, activations: cudaMalloc now
//   net.enqueue_stage(0, stream, 8);   // eager warm-up on this stream (creates its library handles)
//   cudaStreamBeginCapture(stream, ...); net.enqueue_stage(0, stream, 8); cudaStreamEndCapture(...);
//
// Contract (why: at batch 1 a stage launched kernel by kernel is launch-bound, so a stage runs as one CUDA graph per (stage, partition)):
// - Construction allocates every device buffer (in the current context; memory of the primary
//   context is usable from green-context streams) and fills weights and activations with
//   deterministic random values (never zeros; timing does not depend on values).
// - enqueue_* launches kernels asynchronously and never allocates or synchronises, so it can be
//   captured into a CUDA graph. One exception, opt-in: with SGPRS_CUDNN_AUTOTUNE=1 the first
//   eager (uncaptured) enqueue of a convolution geometry at an SM count times its candidate
//   engines and synchronises the stream; under capture the heuristic's choice is used as is. `sm_count` is passed to cuBLAS (cublasSetSmCountTarget) and
//   cuDNN so their kernel choice fits the partition, not the whole GPU.
// - Library handles and their workspaces are created once per stream, on the first enqueue onto
//   that stream (or by prepare_stream). Do that first enqueue eagerly, outside stream capture.
// - Thread safety: different threads may enqueue onto different streams at the same time; one
//   stream is used by one thread at a time. One instance's activations are shared by its
//   stages, so running the same instance on two streams at once races on data (harmless for
//   timing, wrong for values).
#include "common/model.hpp"
#include "profiler/ops/dtype.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs::profiler {

namespace ops {
class ModelRunner;
}

class ModelInstance {
 public:
  /// Throws sgprs::InputError naming the model and layer field when a layer's op or attributes
  /// are not understood, and sgprs::GpuError on a CUDA/cuBLAS/cuDNN failure.
  ModelInstance(const sgprs::Model& model, Precision precision, int batch);
  /// An instance with its own activations and inputs that uses the weights of `weights_from`, an
  /// instance of the same model and precision (std::logic_error otherwise); the shared weights
  /// live until the last instance using them is destroyed. Why: periodic tasks
  /// of one model need their own activations (jobs of two tasks run at once) but never different
  /// weights; ResNet-18's are 47 MB in fp32.
  ModelInstance(const sgprs::Model& model, Precision precision, int batch, const ModelInstance& weights_from);
  /// Strict precision of that element type (fp32 without TF32).
  ModelInstance(const sgprs::Model& model, DType dtype, int batch);
  ~ModelInstance();
  ModelInstance(ModelInstance&&) noexcept;
  ModelInstance& operator=(ModelInstance&&) noexcept;
  ModelInstance(const ModelInstance&) = delete;
  ModelInstance& operator=(const ModelInstance&) = delete;

  std::size_t stage_count() const;
  const std::string& stage_name(std::size_t stage) const;
  /// Every kernel of the stage's layers, in layer order, onto `stream`. Graph-capturable.
  void enqueue_stage(std::size_t stage, cudaStream_t stream, int sm_count);
  /// Every stage in topological order (one whole inference).
  void enqueue_all(cudaStream_t stream, int sm_count);
  /// Gives this instance its own library workspace (kWorkspaceBytes of device memory), used by
  /// every later enqueue whatever the stream. Why: graphs captured on one stream and replayed on
  /// another keep the capture stream's workspace, and cuDNN and cuBLAS kernels that share a
  /// workspace at the same time corrupt each other's partial sums and split-K counters. An
  /// instance whose stages never run two at a time can replay its graphs on any stream.
  void use_own_workspace();
  /// Device bytes held by weights (its own only), activations and inputs (not library workspaces).
  std::size_t device_bytes() const;

  // Test and debugging access (synchronous; never inside a capture). Tensors are addressed by
  // layer name, "input" being the model input; values are converted to and from float.
  std::vector<std::int64_t> tensor_shape(std::string_view layer) const;  // batch first
  std::vector<float> read_tensor(std::string_view layer) const;
  void write_tensor(std::string_view layer, const std::vector<float>& values);
  std::size_t param_count(std::string_view layer) const;
  std::vector<float> read_param(std::string_view layer, std::size_t index) const;
  void write_param(std::string_view layer, std::size_t index, const std::vector<float>& values);

 private:
  std::unique_ptr<ops::ModelRunner> runner_;
};

/// Names of the standalone operation benchmarks, e.g. "conv3x3_64c_56".
std::vector<std::string> op_case_names();

/// The tiny model behind an op case: an optional "setup" stage making extra inputs, then the
/// stage "op" with the one timed layer "op". Needs no GPU. Unknown names as OpInstance.
sgprs::Model op_case_model(std::string_view case_name);

/// One operation on fixed shapes (batch 1), for the per-op speedup curves.
class OpInstance {
 public:
  /// Throws sgprs::InputError("--ops", "", "unknown op ...; known: ...") for an unknown name.
  OpInstance(std::string_view case_name, Precision precision);
  OpInstance(std::string_view case_name, DType dtype) : OpInstance(case_name, strict_precision(dtype)) {}
  ~OpInstance();
  OpInstance(OpInstance&&) noexcept;
  OpInstance& operator=(OpInstance&&) noexcept;

  /// One line: op kind, shapes and attributes.
  std::string description() const;
  /// The operation's kernels only (its inputs are prepared at construction). Graph-capturable.
  void enqueue(cudaStream_t stream, int sm_count);
  /// The instance underneath (tests read its tensors).
  ModelInstance& model();

 private:
  std::string description_;
  std::unique_ptr<ModelInstance> instance_;
};

/// Creates the per-stream library handles and workspaces now, so that the first enqueue onto
/// `stream` does not (optional: the first enqueue does it otherwise).
void prepare_stream(cudaStream_t stream);

/// One line on which library paths the ops took so far (cuDNN version; convolutions through
/// the backend API with an SM-count target vs the legacy API), for a profile's provenance.
std::string library_notes();

/// Drops the library handles cached for `stream` (they are leaked, not destroyed: their context
/// may be gone). Call before destroying a stream whose address a later stream might reuse.
void forget_stream(cudaStream_t stream);

}  // namespace sgprs::profiler
