// Layers that run on the project's own kernels (kernels.hpp), and the dispatch of every op kind
// to its builder.
#include "profiler/ops/kernels.hpp"
#include "profiler/ops/op_builders.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace sgprs::profiler::ops {

Param& LayerOp::add_param(DType dtype, Shape shape, float lo, float hi) {
  Param p;
  p.shape = std::move(shape);
  p.lo = lo;
  p.hi = hi;
  p.buffer = DeviceBuffer(static_cast<std::size_t>(p.count()) * dtype_bytes(dtype));
  params_.push_back(std::move(p));
  return params_.back();
}

namespace {

// Product of shape[begin, end).
std::int64_t span(const Shape& shape, std::size_t begin, std::size_t end) {
  std::int64_t n = 1;
  for (std::size_t i = begin; i < end && i < shape.size(); ++i) n *= shape[i];
  return n;
}

class BatchNormOp final : public LayerOp {
 public:
  BatchNormOp(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y)
      : dtype_(dtype), x_(x), y_(y), eps_(static_cast<float>(spec.eps)) {
    channels_ = x.shape.at(1);
    gamma_ = &add_param(dtype, {channels_}, 0.5f, 1.5f);
    beta_ = &add_param(dtype, {channels_}, -0.1f, 0.1f);
    mean_ = &add_param(dtype, {channels_}, -0.1f, 0.1f);
    var_ = &add_param(dtype, {channels_}, 0.5f, 1.5f);
  }
  void enqueue(const LaunchContext& ctx) override {
    batchnorm_inference(dtype_, x_.data, y_.data, gamma_->buffer.get(), beta_->buffer.get(), mean_->buffer.get(),
                        var_->buffer.get(), x_.shape[0], channels_, span(x_.shape, 2, x_.shape.size()), eps_,
                        ctx.stream);
  }

 private:
  DType dtype_;
  TensorRef x_, y_;
  float eps_;
  std::int64_t channels_ = 0;
  Param *gamma_ = nullptr, *beta_ = nullptr, *mean_ = nullptr, *var_ = nullptr;
};

class LayerNormOp final : public LayerOp {
 public:
  LayerNormOp(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y)
      : dtype_(dtype), x_(x), y_(y), eps_(static_cast<float>(spec.eps)) {
    gamma_ = &add_param(dtype, {x.shape.back()}, 0.5f, 1.5f);
    beta_ = &add_param(dtype, {x.shape.back()}, -0.1f, 0.1f);
  }
  void enqueue(const LaunchContext& ctx) override {
    const std::int64_t cols = x_.shape.back();
    layernorm_rows(dtype_, x_.data, y_.data, gamma_->buffer.get(), beta_->buffer.get(), x_.count() / cols, cols, eps_,
                   ctx.stream);
  }

 private:
  DType dtype_;
  TensorRef x_, y_;
  float eps_;
  Param *gamma_ = nullptr, *beta_ = nullptr;
};

class PatchTokensOp final : public LayerOp {
 public:
  PatchTokensOp(DType dtype, const TensorRef& x, const TensorRef& y) : dtype_(dtype), x_(x), y_(y) {
    cls_ = &add_param(dtype, {x.shape.at(1)}, -0.5f, 0.5f);
    pos_ = &add_param(dtype, {y.shape.at(1), y.shape.at(2)}, -0.1f, 0.1f);
  }
  void enqueue(const LaunchContext& ctx) override {
    patch_tokens(dtype_, x_.data, y_.data, cls_->buffer.get(), pos_->buffer.get(), x_.shape[0], x_.shape[1],
                 x_.shape[2] * x_.shape[3], ctx.stream);
  }

 private:
  DType dtype_;
  TensorRef x_, y_;
  Param *cls_ = nullptr, *pos_ = nullptr;
};

// Ops without parameters: a closure over their tensors.
template <class F>
class SimpleOp final : public LayerOp {
 public:
  explicit SimpleOp(F launch) : launch_(std::move(launch)) {}
  void enqueue(const LaunchContext& ctx) override { launch_(ctx.stream); }

 private:
  F launch_;
};

template <class F>
std::unique_ptr<LayerOp> simple(F launch) {
  return std::make_unique<SimpleOp<F>>(std::move(launch));
}

}  // namespace

std::unique_ptr<LayerOp> make_kernel_op(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& in,
                                        const TensorRef& y) {
  const TensorRef x = in.at(0);
  switch (spec.kind) {
    case OpKind::kBatchNorm:
      return std::make_unique<BatchNormOp>(spec, dtype, x, y);
    case OpKind::kLayerNorm:
      return std::make_unique<LayerNormOp>(spec, dtype, x, y);
    case OpKind::kPatchTokens:
      return std::make_unique<PatchTokensOp>(dtype, x, y);
    // ReLU and ReLU6 ran through cuDNN's activation until 2026-12-04: its generic kernel took
    // twice PyTorch's time on 8 SMs (MobileNet-V2, 35 of them: 228 against 104 us).
    case OpKind::kRelu:
    case OpKind::kRelu6:
    case OpKind::kGelu: {
      const Pointwise op = spec.kind == OpKind::kRelu    ? Pointwise::kRelu
                           : spec.kind == OpKind::kRelu6 ? Pointwise::kRelu6
                                                         : Pointwise::kGelu;
      return simple([=](cudaStream_t s) { pointwise(dtype, op, x.data, y.data, x.count(), s); });
    }
    case OpKind::kAdd: {
      const TensorRef b = in.at(1);
      return simple([=](cudaStream_t s) { add(dtype, x.data, b.data, y.data, x.count(), s); });
    }
    case OpKind::kConcat: {
      const auto axis = static_cast<std::size_t>(spec.axis) + 1;  // + the batch dimension
      return simple([=](cudaStream_t s) {
        const std::int64_t outer = span(y.shape, 0, axis);
        const std::int64_t y_inner = span(y.shape, axis, y.shape.size());
        std::int64_t at = 0;
        for (const TensorRef& part : in) {
          const std::int64_t inner = span(part.shape, axis, part.shape.size());
          copy_into_slice(dtype, part.data, y.data, outer, inner, y_inner, at, s);
          at += inner;
        }
      });
    }
    case OpKind::kUpsample:
      return simple([=, scale = spec.scale](cudaStream_t s) {
        upsample_nearest(dtype, x.data, y.data, x.shape[0] * x.shape[1], x.shape[2], x.shape[3], scale, s);
      });
    case OpKind::kGlobalAvgPool:
      return simple([=](cudaStream_t s) {
        global_avgpool(dtype, x.data, y.data, x.shape[0] * x.shape[1], x.shape[2] * x.shape[3], s);
      });
    case OpKind::kSoftmax:
      return simple([=](cudaStream_t s) {
        softmax_rows(dtype, x.data, y.data, x.count() / x.shape.back(), x.shape.back(), s);
      });
    case OpKind::kTakeToken:
      return simple([=, index = spec.index](cudaStream_t s) {
        take_token(dtype, x.data, y.data, x.shape[0], x.shape[1], x.shape[2], index, s);
      });
    case OpKind::kFlatten:
      return simple([](cudaStream_t) {});
    default:
      break;
  }
  throw std::logic_error("make_kernel_op: op '" + std::string(op_kind_name(spec.kind)) + "' has no kernel");
}

std::unique_ptr<LayerOp> make_layer_op(const LayerSpec& spec, Precision precision, const std::vector<TensorRef>& inputs,
                                       const TensorRef& output) {
  const DType dtype = storage_dtype(precision);
  switch (spec.kind) {
    case OpKind::kConv2d:
      return make_conv2d(spec, precision, inputs.at(0), output);
    case OpKind::kMaxPool2d:
    case OpKind::kAvgPool2d:
      return make_pool2d(spec, dtype, inputs.at(0), output);
    case OpKind::kLinear:
      return make_linear(spec, dtype, inputs.at(0), output);
    case OpKind::kAttentionScores:
    case OpKind::kAttentionContext:
    case OpKind::kAttention:
      return make_attention(spec, dtype, inputs, output);
    default:
      return make_kernel_op(spec, dtype, inputs, output);
  }
}

}  // namespace sgprs::profiler::ops
