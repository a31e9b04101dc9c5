#pragma once
// One executable operation per model layer: built once from its LayerSpec (descriptors, algorithm
// choice, parameters allocated), then enqueued any number of times without allocating.
#include "profiler/models/layer_graph.hpp"
#include "profiler/ops/device_buffer.hpp"
#include "profiler/ops/dtype.hpp"
#include "profiler/ops/stream_handles.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace sgprs::profiler::ops {

/// A dense tensor in device memory; `shape` includes the batch dimension first.
struct TensorRef {
  void* data = nullptr;
  Shape shape;
  std::int64_t count() const { return element_count(shape); }
};

/// A parameter tensor of a layer, with the range its random values are drawn from.
struct Param {
  DeviceBuffer buffer;
  Shape shape;
  float lo = -1.0f;
  float hi = 1.0f;
  std::int64_t count() const { return element_count(shape); }
};

struct LaunchContext {
  cudaStream_t stream = nullptr;
  int sm_count = 0;  // the partition's SMs; 0 or less: let the libraries assume the whole GPU
  StreamHandles* handles = nullptr;
  // Scratch memory of cuDNN and cuBLAS for this launch (kWorkspaceBytes). A captured graph keeps
  // the address, so two graphs that may run at once must not have been captured with the same one.
  void* workspace = nullptr;
};

class LayerOp {
 public:
  virtual ~LayerOp() = default;
  virtual void enqueue(const LaunchContext& ctx) = 0;
  /// Device memory the op holds besides its parameters (a buffer between its own kernels).
  virtual std::size_t scratch_bytes() const { return 0; }
  // A deque, so that the references add_param returns stay valid.
  std::deque<Param>& params() { return params_; }
  const std::deque<Param>& params() const { return params_; }

 protected:
  Param& add_param(DType dtype, Shape shape, float lo, float hi);

 private:
  std::deque<Param> params_;
};

/// Builds the op of `spec`. `inputs` and `output` are the device tensors it reads and writes
/// (batch included); for flatten the output aliases the input and the op does nothing. Only
/// convolutions distinguish tf32 from fp32 (see dtype.hpp); every other op takes the storage type.
std::unique_ptr<LayerOp> make_layer_op(const LayerSpec& spec, Precision precision, const std::vector<TensorRef>& inputs,
                                       const TensorRef& output);

}  // namespace sgprs::profiler::ops
