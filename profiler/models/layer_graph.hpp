#pragma once
// The typed reading of a model's layer graph: each layer's op kind, attributes and per-sample
// output shape, checked on the CPU. The GPU op library builds its kernels from these specs, and
// the CPU-only model tests use them to prove that every shipped model's shapes propagate.
//
// Layer attributes (traces/models/README.md is the user-facing copy of this table). Shapes are
// per sample (the batch is added at run time), images channels-first [C, H, W]:
//   conv2d          out_channels, kernel (int or [kh, kw]), stride (1), padding (0), groups (1),
//                   bias (false)                                         [C,H,W] -> [O,H',W']
//   batchnorm       eps (1e-5); inference form with running mean/var      same shape
//   relu, relu6, gelu                                                     same shape
//   maxpool2d, avgpool2d  kernel, stride (= kernel), padding (0); floor rounding; the average
//                   counts padding (as PyTorch's default)                 [C,H,W] -> [C,H',W']
//   global_avgpool                                                        [C,H,W] -> [C,1,1]
//   flatten         a view: no kernel                                     [...] -> [product]
//   linear          out_features, bias (true); acts on the last dim      [..., I] -> [..., O]
//   add             exactly two inputs of equal shape                     same shape
//   concat          two or more inputs, axis (0 = first per-sample dim)   sum along axis
//   upsample        scale (2), nearest neighbour                          [C,H,W] -> [C,sH,sW]
//   softmax, layernorm (eps 1e-5)  over the last dim                      same shape
//   patch_tokens    [D,h,w] -> [h*w+1, D]: tokens, class token first, plus position embedding
//   take_token      index (0)                                             [T,D] -> [D]
//   attention_scores   heads; input packed [T, 3D] (q|k|v per token)      -> [heads, T, T]
//                      = Q K^T / sqrt(D/heads), one batched matmul
//   attention_context  heads; inputs [probs [heads,T,T], qkv [T,3D]]      -> [T, D]
//                      = P V, heads concatenated, one batched matmul
//   attention       heads; input packed [T, 3D] (q|k|v per token)         -> [T, D]
//                      = softmax(Q K^T / sqrt(D/heads)) V, heads concatenated: the three layers
//                      above as one (fused in one kernel for fp16, profiler/ops/fused_attention.hpp)
#include "common/model.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sgprs::profiler {

enum class OpKind {
  kConv2d,
  kBatchNorm,
  kRelu,
  kRelu6,
  kGelu,
  kMaxPool2d,
  kAvgPool2d,
  kGlobalAvgPool,
  kFlatten,
  kLinear,
  kAdd,
  kConcat,
  kUpsample,
  kSoftmax,
  kLayerNorm,
  kPatchTokens,
  kTakeToken,
  kAttentionScores,
  kAttentionContext,
  kAttention,
};

std::string_view op_kind_name(OpKind kind);
/// All op names a model file may use (for error messages).
std::vector<std::string> known_op_names();

using Shape = std::vector<std::int64_t>;  // per sample, no batch
std::int64_t element_count(const Shape& shape);
std::string shape_text(const Shape& shape);  // "[64,56,56]"

struct Window2d {  // kernel, stride, padding of a convolution or pooling window
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
};

struct LayerSpec {
  static constexpr int kModelInput = -1;

  std::string name;
  OpKind kind{};
  std::vector<int> inputs;  // indices of earlier layers, or kModelInput
  std::vector<Shape> input_shapes;
  Shape out_shape;

  // Attributes; only those of `kind` are meaningful (see the table above).
  Window2d window;
  std::int64_t out_channels = 0;
  std::int64_t groups = 1;
  std::int64_t out_features = 0;
  bool bias = false;
  std::int64_t axis = 0;
  std::int64_t scale = 2;
  std::int64_t index = 0;
  std::int64_t heads = 0;
  double eps = 1e-5;
};

struct LayerGraph {
  Shape input_shape;
  std::vector<LayerSpec> layers;                // file order (topological)
  std::vector<std::vector<int>> stage_layers;   // per Model::stages() index, layer indices in file order
  int find_layer(std::string_view name) const;  // -1 when absent
};

/// Reads and shape-checks every layer. `source` names the file in errors, which are
/// sgprs::InputError with the JSON path of the offending layer field. Also checks that each
/// layer's inputs come from its own stage or from a stage it (transitively) follows.
LayerGraph build_layer_graph(const sgprs::Model& model, const std::string& source);

}  // namespace sgprs::profiler
