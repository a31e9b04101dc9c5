#include "profiler/ops/model_runner.hpp"

#include "common/errors.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/ops/kernels.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgprs::profiler::ops {

namespace {

// FNV-1a: the seed of a buffer depends on its model, layer and slot names only, so the values
// do not change when layers are added elsewhere.
std::uint64_t seed_of(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Shape batched(int batch, const Shape& shape) {
  Shape out{batch};
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

}  // namespace

ModelRunner::ModelRunner(const sgprs::Model& model, Precision precision, int batch, const ModelRunner* weights_from)
    : dtype_(storage_dtype(precision)), batch_(batch), graph_(build_layer_graph(model, "model '" + model.name() + "'")) {
  if (batch < 1) throw InputError("--batch", "", "batch size must be at least 1, got " + std::to_string(batch));
  for (const Stage& stage : model.stages()) stage_names_.push_back(stage.name);
  lane_of_stage_ = model.concurrency_lanes();
  // Construction work goes to the legacy default stream of the current context, then one sync.
  const cudaStream_t setup = nullptr;
  const DType dtype = dtype_;
  const std::string base = model.name() + "/";

  input_.shape = batched(batch, graph_.input_shape);
  input_buffer_ = DeviceBuffer(static_cast<std::size_t>(input_.count()) * dtype_bytes(dtype));
  input_.data = input_buffer_.get();
  device_bytes_ += input_buffer_.bytes();
  fill_uniform(dtype, input_.data, input_.count(), seed_of(base + "input"), -1.0f, 1.0f, setup);

  buffers_.resize(graph_.layers.size());
  outputs_.resize(graph_.layers.size());
  ops_.reserve(graph_.layers.size());
  for (std::size_t i = 0; i < graph_.layers.size(); ++i) {
    const LayerSpec& spec = graph_.layers[i];
    std::vector<TensorRef> inputs;
    for (int from : spec.inputs)
      inputs.push_back(from == LayerSpec::kModelInput ? input_ : outputs_[static_cast<std::size_t>(from)]);
    TensorRef& out = outputs_[i];
    out.shape = batched(batch, spec.out_shape);
    if (spec.kind == OpKind::kFlatten) {
      out.data = inputs.at(0).data;
    } else {
      buffers_[i] = DeviceBuffer(static_cast<std::size_t>(out.count()) * dtype_bytes(dtype));
      out.data = buffers_[i].get();
      device_bytes_ += buffers_[i].bytes();
      // Activations start random too, so a stage run alone (or an op case) never reads zeros.
      fill_uniform(dtype, out.data, out.count(), seed_of(base + spec.name), -1.0f, 1.0f, setup);
    }
    ops_.push_back(make_layer_op(spec, precision, inputs, out));
    device_bytes_ += ops_.back()->scratch_bytes();
    if (weights_from != nullptr) {
      share_params(*weights_from, i);
      continue;
    }
    std::size_t slot = 0;
    for (Param& p : ops_.back()->params()) {
      fill_uniform(dtype, p.buffer.get(), p.count(), seed_of(base + spec.name + "/" + std::to_string(slot++)), p.lo,
                   p.hi, setup);
      device_bytes_ += p.buffer.bytes();
    }
  }
  SGPRS_CUDA_CALL(cudaStreamSynchronize(setup));
}

void ModelRunner::enqueue_stage(std::size_t stage, cudaStream_t stream, int sm_count) {
  if (stage >= graph_.stage_layers.size())
    throw std::out_of_range("stage " + std::to_string(stage) + " of " + std::to_string(graph_.stage_layers.size()));
  StreamHandles* handles = &handles_for(stream);
  void* workspace = own_workspaces_.empty()
                        ? handles->workspace
                        : own_workspaces_[static_cast<std::size_t>(lane_of_stage_[stage])].get();
  LaunchContext ctx{stream, sm_count, handles, workspace};
  for (int layer : graph_.stage_layers[stage]) ops_[static_cast<std::size_t>(layer)]->enqueue(ctx);
}

void ModelRunner::share_params(const ModelRunner& from, std::size_t layer) {
  std::deque<Param>& mine = ops_[layer]->params();
  if (from.dtype_ != dtype_ || layer >= from.ops_.size() || from.ops_[layer]->params().size() != mine.size())
    throw std::logic_error("model instances share weights only with an instance of the same model and precision");
  const std::deque<Param>& theirs = from.ops_[layer]->params();
  for (std::size_t k = 0; k < mine.size(); ++k) {
    if (theirs[k].buffer.bytes() != mine[k].buffer.bytes())
      throw std::logic_error("model instances share weights only with an instance of the same model and precision");
    mine[k].buffer = theirs[k].buffer.share();  // the block allocated for this one is freed here
  }
}

std::size_t ModelRunner::device_bytes() const {
  std::size_t bytes = device_bytes_;
  for (const DeviceBuffer& w : own_workspaces_) bytes += w.bytes();
  return bytes;
}

void ModelRunner::use_own_workspace() {
  if (!own_workspaces_.empty()) return;
  const int lanes = lane_of_stage_.empty() ? 1 : *std::max_element(lane_of_stage_.begin(), lane_of_stage_.end()) + 1;
  for (int lane = 0; lane < lanes; ++lane) own_workspaces_.emplace_back(kWorkspaceBytes);
}

int ModelRunner::layer_index(std::string_view name) const {
  const int index = graph_.find_layer(name);
  if (index < 0) throw std::out_of_range("no layer '" + std::string(name) + "'");
  return index;
}

const TensorRef& ModelRunner::tensor(std::string_view name) const {
  if (name == "input") return input_;
  return outputs_[static_cast<std::size_t>(layer_index(name))];
}

Param& ModelRunner::param(std::string_view layer, std::size_t index) {
  auto& params = ops_[static_cast<std::size_t>(layer_index(layer))]->params();
  if (index >= params.size())
    throw std::out_of_range("layer '" + std::string(layer) + "' has " + std::to_string(params.size()) + " params");
  return params[index];
}

std::size_t ModelRunner::param_count(std::string_view layer) const {
  return ops_[static_cast<std::size_t>(layer_index(layer))]->params().size();
}

}  // namespace sgprs::profiler::ops
