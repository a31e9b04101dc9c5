#pragma once
// The implementation behind ModelInstance: the typed layer graph, one device tensor per layer
// output (flatten aliases its input), and one LayerOp per layer.
#include "common/model.hpp"
#include "profiler/models/layer_graph.hpp"
#include "profiler/ops/layer_ops.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sgprs::profiler::ops {

class ModelRunner {
 public:
  /// `weights_from`: a runner of the same model and precision whose parameters this one uses
  /// instead of its own (nullptr: its own, filled with its own values).
  ModelRunner(const sgprs::Model& model, Precision precision, int batch, const ModelRunner* weights_from = nullptr);

  std::size_t stage_count() const { return stage_names_.size(); }
  const std::string& stage_name(std::size_t stage) const { return stage_names_.at(stage); }
  void enqueue_stage(std::size_t stage, cudaStream_t stream, int sm_count);
  std::size_t device_bytes() const;
  /// From now on this model's kernels use workspaces of its own instead of the stream's: one per
  /// workspace lane (below), so that two stages of one job that may run at once on two streams
  /// (parallel branches of the stage DAG, Inception-V3's mixed6e_a and mixed6e_b) never share one.
  void use_own_workspace();
  /// The workspace lane of each stage (sgprs::Model::concurrency_lanes).
  const std::vector<int>& workspace_lanes() const { return lane_of_stage_; }
  DType dtype() const { return dtype_; }

  /// "input" or a layer name; throws std::out_of_range for an unknown name.
  const TensorRef& tensor(std::string_view name) const;
  Param& param(std::string_view layer, std::size_t index);
  std::size_t param_count(std::string_view layer) const;

 private:
  int layer_index(std::string_view name) const;
  void share_params(const ModelRunner& from, std::size_t layer);

  DType dtype_;
  int batch_;
  LayerGraph graph_;
  std::vector<std::string> stage_names_;
  DeviceBuffer input_buffer_;
  TensorRef input_;
  std::vector<DeviceBuffer> buffers_;
  std::vector<TensorRef> outputs_;
  std::vector<std::unique_ptr<LayerOp>> ops_;
  std::vector<int> lane_of_stage_;
  std::vector<DeviceBuffer> own_workspaces_;  // one per lane; empty: the stream's workspace
  std::size_t device_bytes_ = 0;
};

}  // namespace sgprs::profiler::ops
