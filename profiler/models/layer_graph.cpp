#include "profiler/models/layer_graph.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <tuple>
#include <utility>

namespace sgprs::profiler {

namespace {

constexpr std::array<std::pair<OpKind, std::string_view>, 20> kOpNames{{
    {OpKind::kConv2d, "conv2d"},
    {OpKind::kBatchNorm, "batchnorm"},
    {OpKind::kRelu, "relu"},
    {OpKind::kRelu6, "relu6"},
    {OpKind::kGelu, "gelu"},
    {OpKind::kMaxPool2d, "maxpool2d"},
    {OpKind::kAvgPool2d, "avgpool2d"},
    {OpKind::kGlobalAvgPool, "global_avgpool"},
    {OpKind::kFlatten, "flatten"},
    {OpKind::kLinear, "linear"},
    {OpKind::kAdd, "add"},
    {OpKind::kConcat, "concat"},
    {OpKind::kUpsample, "upsample"},
    {OpKind::kSoftmax, "softmax"},
    {OpKind::kLayerNorm, "layernorm"},
    {OpKind::kPatchTokens, "patch_tokens"},
    {OpKind::kTakeToken, "take_token"},
    {OpKind::kAttentionScores, "attention_scores"},
    {OpKind::kAttentionContext, "attention_context"},
    {OpKind::kAttention, "attention"},
}};

// An attribute that is either one integer or a pair [h, w].
std::pair<std::int64_t, std::int64_t> read_pair(const JsonView& layer, std::string_view key, std::int64_t fallback_h,
                                                std::int64_t fallback_w) {
  if (!layer.has(key)) return {fallback_h, fallback_w};
  if (layer.raw().at(std::string(key)).is_array()) {
    const auto values = layer.get<std::vector<std::int64_t>>(key);
    if (values.size() != 2) layer.fail(key, "must be one integer or a pair [h, w]");
    return {values[0], values[1]};
  }
  const auto value = layer.get<std::int64_t>(key);
  return {value, value};
}

Window2d read_window(const JsonView& layer, bool stride_defaults_to_kernel) {
  Window2d w;
  if (!layer.has("kernel")) layer.fail("kernel", "missing");
  std::tie(w.kernel_h, w.kernel_w) = read_pair(layer, "kernel", 1, 1);
  const std::int64_t sh = stride_defaults_to_kernel ? w.kernel_h : 1;
  const std::int64_t sw = stride_defaults_to_kernel ? w.kernel_w : 1;
  std::tie(w.stride_h, w.stride_w) = read_pair(layer, "stride", sh, sw);
  std::tie(w.pad_h, w.pad_w) = read_pair(layer, "padding", 0, 0);
  if (w.kernel_h < 1 || w.kernel_w < 1) layer.fail("kernel", "must be at least 1");
  if (w.stride_h < 1 || w.stride_w < 1) layer.fail("stride", "must be at least 1");
  if (w.pad_h < 0 || w.pad_w < 0) layer.fail("padding", "must not be negative");
  return w;
}

std::int64_t window_out(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t pad) {
  return (in + 2 * pad - kernel) / stride + 1;
}

const Shape& require_rank(const JsonView& layer, const Shape& shape, std::size_t rank, const char* what) {
  if (shape.size() != rank)
    layer.fail("inputs", std::string("expects ") + what + ", got shape " + shape_text(shape));
  return shape;
}

void require_inputs(const JsonView& layer, const LayerSpec& spec, std::size_t min, std::size_t max) {
  const std::size_t n = spec.inputs.size();
  if (n < min || n > max) {
    const std::string expected = min == max ? std::to_string(min) : std::to_string(min) + " or more";
    layer.fail("inputs", std::string(op_kind_name(spec.kind)) + " takes " + expected + " input(s), got " +
                             std::to_string(n));
  }
}

// attention_scores and attention: one packed [T, 3D] q|k|v input and `heads`, which must divide D.
const Shape& packed_qkv_input(const JsonView& layer, LayerSpec& spec, const std::vector<Shape>& in) {
  require_inputs(layer, spec, 1, 1);
  spec.heads = layer.get<std::int64_t>("heads");
  const Shape& x = require_rank(layer, in[0], 2, "packed q|k|v tokens [T,3D]");
  if (spec.heads < 1 || x[1] % (3 * spec.heads) != 0)
    layer.fail("heads", "must be at least 1 and divide D (the input's last dim / 3)");
  return x;
}

Shape infer_image_window(const JsonView& layer, const LayerSpec& spec, std::int64_t out_channels) {
  const Shape& in = require_rank(layer, spec.input_shapes[0], 3, "an image [C,H,W]");
  const Window2d& w = spec.window;
  // Checked before dividing: C++ division truncates towards zero, so a window one pixel too
  // large would still give an output of 1.
  if (in[1] + 2 * w.pad_h < w.kernel_h || in[2] + 2 * w.pad_w < w.kernel_w)
    layer.fail("kernel", "window does not fit the input " + shape_text(in) + " (with its padding)");
  return {out_channels, window_out(in[1], w.kernel_h, w.stride_h, w.pad_h),
          window_out(in[2], w.kernel_w, w.stride_w, w.pad_w)};
}

Shape infer_shape(const JsonView& layer, LayerSpec& spec) {
  const std::vector<Shape>& in = spec.input_shapes;
  switch (spec.kind) {
    case OpKind::kConv2d: {
      require_inputs(layer, spec, 1, 1);
      spec.window = read_window(layer, false);
      spec.out_channels = layer.get<std::int64_t>("out_channels");
      spec.groups = layer.get_or<std::int64_t>("groups", 1);
      spec.bias = layer.get_or<bool>("bias", false);
      if (spec.out_channels < 1) layer.fail("out_channels", "must be at least 1");
      if (spec.groups < 1) layer.fail("groups", "must be at least 1");
      const Shape& x = require_rank(layer, in[0], 3, "an image [C,H,W]");
      if (x[0] % spec.groups != 0 || spec.out_channels % spec.groups != 0)
        layer.fail("groups", "must divide the input channels (" + std::to_string(x[0]) + ") and out_channels");
      return infer_image_window(layer, spec, spec.out_channels);
    }
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      require_inputs(layer, spec, 1, 1);
      spec.window = read_window(layer, true);
      if (spec.window.pad_h * 2 > spec.window.kernel_h || spec.window.pad_w * 2 > spec.window.kernel_w)
        layer.fail("padding", "must be at most half the kernel");
      return infer_image_window(layer, spec, require_rank(layer, in[0], 3, "an image [C,H,W]")[0]);
    case OpKind::kBatchNorm:
      require_inputs(layer, spec, 1, 1);
      spec.eps = layer.get_or<double>("eps", 1e-5);
      if (in[0].empty()) layer.fail("inputs", "expects a tensor with a channel dimension");
      return in[0];
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kGelu:
    case OpKind::kSoftmax:
      require_inputs(layer, spec, 1, 1);
      return in[0];
    case OpKind::kLayerNorm:
      require_inputs(layer, spec, 1, 1);
      spec.eps = layer.get_or<double>("eps", 1e-5);
      return in[0];
    case OpKind::kGlobalAvgPool:
      require_inputs(layer, spec, 1, 1);
      return {require_rank(layer, in[0], 3, "an image [C,H,W]")[0], 1, 1};
    case OpKind::kFlatten:
      require_inputs(layer, spec, 1, 1);
      return {element_count(in[0])};
    case OpKind::kLinear: {
      require_inputs(layer, spec, 1, 1);
      spec.out_features = layer.get<std::int64_t>("out_features");
      spec.bias = layer.get_or<bool>("bias", true);
      if (spec.out_features < 1) layer.fail("out_features", "must be at least 1");
      if (in[0].empty()) layer.fail("inputs", "expects at least one dimension");
      Shape out = in[0];
      out.back() = spec.out_features;
      return out;
    }
    case OpKind::kAdd:
      require_inputs(layer, spec, 2, 2);
      if (in[0] != in[1])
        layer.fail("inputs", "add needs equal shapes, got " + shape_text(in[0]) + " and " + shape_text(in[1]));
      return in[0];
    case OpKind::kConcat: {
      require_inputs(layer, spec, 2, 64);
      spec.axis = layer.get_or<std::int64_t>("axis", 0);
      if (spec.axis < 0 || spec.axis >= static_cast<std::int64_t>(in[0].size()))
        layer.fail("axis", "out of range for shape " + shape_text(in[0]));
      Shape out = in[0];
      const auto axis = static_cast<std::size_t>(spec.axis);
      for (std::size_t k = 1; k < in.size(); ++k) {
        Shape a = in[0], b = in[k];
        if (a.size() == b.size()) a[axis] = b[axis] = 0;
        if (a != b)
          layer.fail("inputs", "concat needs shapes equal but for the axis, got " + shape_text(in[0]) + " and " +
                                   shape_text(in[k]));
        out[axis] += in[k][axis];
      }
      return out;
    }
    case OpKind::kUpsample: {
      require_inputs(layer, spec, 1, 1);
      spec.scale = layer.get_or<std::int64_t>("scale", 2);
      if (spec.scale < 1) layer.fail("scale", "must be at least 1");
      const Shape& x = require_rank(layer, in[0], 3, "an image [C,H,W]");
      return {x[0], x[1] * spec.scale, x[2] * spec.scale};
    }
    case OpKind::kPatchTokens: {
      require_inputs(layer, spec, 1, 1);
      const Shape& x = require_rank(layer, in[0], 3, "patch embeddings [D,h,w]");
      return {x[1] * x[2] + 1, x[0]};
    }
    case OpKind::kTakeToken: {
      require_inputs(layer, spec, 1, 1);
      spec.index = layer.get_or<std::int64_t>("index", 0);
      const Shape& x = require_rank(layer, in[0], 2, "tokens [T,D]");
      if (spec.index < 0 || spec.index >= x[0]) layer.fail("index", "out of range for shape " + shape_text(x));
      return {x[1]};
    }
    case OpKind::kAttentionScores: {
      const Shape& x = packed_qkv_input(layer, spec, in);
      return {spec.heads, x[0], x[0]};
    }
    case OpKind::kAttention: {
      const Shape& x = packed_qkv_input(layer, spec, in);
      return {x[0], x[1] / 3};
    }
    case OpKind::kAttentionContext: {
      require_inputs(layer, spec, 2, 2);
      spec.heads = layer.get<std::int64_t>("heads");
      const Shape& p = require_rank(layer, in[0], 3, "probabilities [heads,T,T] first");
      const Shape& x = require_rank(layer, in[1], 2, "packed q|k|v tokens [T,3D] second");
      if (spec.heads < 1 || x[1] % (3 * spec.heads) != 0)
        layer.fail("heads", "must be at least 1 and divide D (the qkv input's last dim / 3)");
      if (p != Shape{spec.heads, x[0], x[0]})
        layer.fail("inputs", "probabilities " + shape_text(p) + " do not match heads and tokens of " + shape_text(x));
      return {x[0], x[1] / 3};
    }
  }
  layer.fail("op", "unhandled op");
}

// Stage index of every layer, and the set of stages each stage follows transitively.
void check_stage_inputs(const sgprs::Model& model, const LayerGraph& graph, const std::string& source) {
  const std::size_t n = model.stages().size();
  std::vector<int> stage_of(graph.layers.size(), -1);
  for (std::size_t s = 0; s < n; ++s)
    for (int layer : graph.stage_layers[s]) stage_of[static_cast<std::size_t>(layer)] = static_cast<int>(s);
  // Stages are in topological order, so one forward pass closes the ancestor sets.
  std::vector<std::vector<bool>> ancestor(n, std::vector<bool>(n, false));
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t p : model.stages()[s].predecessors) {
      ancestor[s][p] = true;
      for (std::size_t q = 0; q < n; ++q)
        if (ancestor[p][q]) ancestor[s][q] = true;
    }
  for (std::size_t i = 0; i < graph.layers.size(); ++i) {
    const int own = stage_of[i];
    if (own < 0) continue;  // Model::load already rejects layers in no stage
    for (int input : graph.layers[i].inputs) {
      if (input == LayerSpec::kModelInput) continue;
      const int from = stage_of[static_cast<std::size_t>(input)];
      if (from == own || (from >= 0 && ancestor[static_cast<std::size_t>(own)][static_cast<std::size_t>(from)]))
        continue;
      throw InputError(source, "layers[" + std::to_string(i) + "].inputs",
                       "layer '" + graph.layers[i].name + "' (stage '" + model.stages()[static_cast<std::size_t>(own)].name +
                           "') reads '" + graph.layers[static_cast<std::size_t>(input)].name + "' of stage '" +
                           model.stages()[static_cast<std::size_t>(from)].name +
                           "', which its stage does not follow: add it to the stage's \"after\" list");
    }
  }
}

}  // namespace

std::string_view op_kind_name(OpKind kind) {
  for (const auto& [k, name] : kOpNames)
    if (k == kind) return name;
  return "?";
}

std::vector<std::string> known_op_names() {
  std::vector<std::string> names;
  for (const auto& [kind, name] : kOpNames) names.emplace_back(name);
  return names;
}

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::string shape_text(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

int LayerGraph::find_layer(std::string_view name) const {
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == name) return static_cast<int>(i);
  return -1;
}

LayerGraph build_layer_graph(const sgprs::Model& model, const std::string& source) {
  LayerGraph graph;
  if (model.layers().empty()) throw InputError(source, "layers", "the model has no layer graph to run");
  if (model.input().is_null()) throw InputError(source, "input", "missing (needs \"shape\")");
  const JsonView input(model.input(), source, "input");
  graph.input_shape = input.get<std::vector<std::int64_t>>("shape");
  if (graph.input_shape.empty()) input.fail("shape", "must not be empty");
  for (std::int64_t d : graph.input_shape)
    if (d < 1) input.fail("shape", "every dimension must be at least 1");

  std::unordered_map<std::string, int> index;
  for (std::size_t i = 0; i < model.layers().size(); ++i) {
    const Layer& layer = model.layers()[i];
    const JsonView view(*layer.attrs, source, "layers[" + std::to_string(i) + "]");
    LayerSpec spec;
    spec.name = layer.name;
    bool known = false;
    for (const auto& [kind, name] : kOpNames)
      if (name == layer.op) {
        spec.kind = kind;
        known = true;
      }
    if (!known) view.fail("op", unknown_name("op", layer.op, known_op_names()));
    for (const std::string& in : layer.inputs) {
      const int from = in == "input" ? LayerSpec::kModelInput : index.at(in);
      spec.inputs.push_back(from);
      spec.input_shapes.push_back(from == LayerSpec::kModelInput ? graph.input_shape
                                                                 : graph.layers[static_cast<std::size_t>(from)].out_shape);
    }
    if (spec.inputs.empty()) view.fail("inputs", "must name at least one input");
    spec.out_shape = infer_shape(view, spec);
    index.emplace(spec.name, static_cast<int>(i));
    graph.layers.push_back(std::move(spec));
  }
  for (const Stage& stage : model.stages()) {
    std::vector<int> members;
    for (const std::string& name : stage.layers) members.push_back(index.at(name));
    std::sort(members.begin(), members.end());
    graph.stage_layers.push_back(std::move(members));
  }
  check_stage_inputs(model, graph, source);
  return graph;
}

}  // namespace sgprs::profiler
