// Linear layers through cuBLASLt (bias fused as an epilogue; lt_matmul.hpp) or, on a few rows, the
// project's kernel; plain 1x1 convolutions and attention's two batched matmuls as cuBLASLt
// matmuls too, each told the partition's SM count (one algorithm per SM count); a whole
// attention layer in one kernel for fp16 (fused_attention.hpp).
//
// Row-major tensors meet column-major BLAS by computing the transpose: Y = X W^T (row-major) is
// Y^T = W X^T (column-major), with W [out, in] read as an in x out column-major matrix.
#include "profiler/cuda_check.hpp"
#include "profiler/ops/conv_layer_op.hpp"
#include "profiler/ops/fused_attention.hpp"
#include "profiler/ops/kernels.hpp"
#include "profiler/ops/library_notes.hpp"
#include "profiler/ops/lt_matmul.hpp"
#include "profiler/ops/op_builders.hpp"

#include <cmath>
#include <memory>
#include <string>

namespace sgprs::profiler::ops {

namespace {

const void* offset(const void* base, std::int64_t elements, DType dtype) {
  return static_cast<const char*>(base) + elements * static_cast<std::int64_t>(dtype_bytes(dtype));
}
void* offset(void* base, std::int64_t elements, DType dtype) {
  return static_cast<char*>(base) + elements * static_cast<std::int64_t>(dtype_bytes(dtype));
}

// At most kFewRows rows (a batch-1 classifier) run on the project's kernel (kernels.hpp says why);
// more, through cuBLASLt with the bias as its epilogue.
class LinearOp final : public LayerOp {
 public:
  LinearOp(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y)
      : dtype_(dtype), x_(x), y_(y), in_(x.shape.back()), out_(spec.out_features), rows_(x.count() / in_) {
    const float a = static_cast<float>(std::sqrt(3.0 / static_cast<double>(in_)));
    weight_ = &add_param(dtype, {out_, in_}, -a, a);
    if (spec.bias) bias_ = &add_param(dtype, {out_}, -0.1f, 0.1f);
    if (rows_ > kFewRows) {
      const auto in = static_cast<std::uint64_t>(in_), out = static_cast<std::uint64_t>(out_),
                 rows = static_cast<std::uint64_t>(rows_);
      matmul_ = std::make_unique<LtMatmul>(dtype, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, LtMatrix{in, out, in_}, CUBLAS_OP_N,
                                           LtMatrix{in, rows, in_}, LtMatrix{out, rows, out_},
                                           "linear layer '" + spec.name + "' " + std::to_string(rows_) + "x" +
                                               std::to_string(in_) + " -> " + std::to_string(out_));
    }
  }

  void enqueue(const LaunchContext& ctx) override {
    const void* bias = bias_ ? bias_->buffer.get() : nullptr;
    if (matmul_)
      matmul_->run(ctx, weight_->buffer.get(), x_.data, y_.data, bias);
    else
      few_rows_linear(dtype_, x_.data, weight_->buffer.get(), bias, y_.data, rows_, in_, out_, ctx.stream);
  }

 private:
  DType dtype_;
  TensorRef x_, y_;
  std::int64_t in_, out_, rows_;
  Param* weight_ = nullptr;
  Param* bias_ = nullptr;
  std::unique_ptr<LtMatmul> matmul_;
};

// Y [Cout, HW] = W [Cout, Cin] X [Cin, HW] per sample: column-major, Y is HW x Cout = X (HW x Cin)
// times W read as Cin x Cout. cuDNN's TF32 engines for these layers wrapped them in NCHW <-> NHWC
// transposes that PyTorch's choice does not run (MobileNet-V2 on 8 SMs: 127 us of transposes,
// kernel report of 2026-12-03, traces/profiles/runs/h200-kernels-2026-12-03/call4-depthwise-packs/).
class GemmConv1x1Op final : public ConvLayerOp {
 public:
  GemmConv1x1Op(const LayerSpec& spec, Precision precision, const TensorRef& x, const TensorRef& y)
      : ConvLayerOp(spec, storage_dtype(precision), x.shape.at(1)), dtype_(storage_dtype(precision)), x_(x), y_(y) {
    const std::int64_t in_c = x.shape.at(1), out_c = y.shape.at(1), hw = x.shape.at(2) * x.shape.at(3);
    const cublasComputeType_t compute =
        convolutions_may_use_tf32(precision) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    const auto c = static_cast<std::uint64_t>(in_c), o = static_cast<std::uint64_t>(out_c),
               p = static_cast<std::uint64_t>(hw);
    matmul_ = std::make_unique<LtMatmul>(dtype_, compute, CUBLAS_OP_N, LtMatrix{p, c, hw}, CUBLAS_OP_N,
                                         LtMatrix{c, o, in_c}, LtMatrix{p, o, hw},
                                         "1x1 convolution '" + spec.name + "'");
    sample_in_ = in_c * hw;
    sample_out_ = out_c * hw;
    ++conv_path_counts().gemm_conv1x1;
  }

  void enqueue(const LaunchContext& ctx) override {
    for (std::int64_t n = 0; n < x_.shape.at(0); ++n)
      matmul_->run(ctx, offset(x_.data, n * sample_in_, dtype_), weight_->buffer.get(),
                   offset(y_.data, n * sample_out_, dtype_), nullptr);
  }

 private:
  DType dtype_;
  TensorRef x_, y_;
  std::int64_t sample_in_ = 0, sample_out_ = 0;
  std::unique_ptr<LtMatmul> matmul_;
};

// Heads are read in place from the packed [T, 3D] q|k|v tensor: head h of Q is a T x dh block
// with row stride 3D starting at column h*dh, so one strided-batched matmul covers all heads of
// one sample; samples are separate calls (their stride is not the heads' stride). Through
// cuBLASLt since 2026-12-04: cuBLAS's batched call chose sm75-era WMMA kernels on the H200, 6-7 us
// each in fp16 on the whole GPU (kernel report of that day, traces/profiles/runs/).
// The attention over a packed [batch, T, 3D] q|k|v tensor (fused_attention.hpp's shape, shared by both paths).
AttentionShape attention_shape(const TensorRef& qkv, std::int64_t heads) {
  return {qkv.shape.at(0), qkv.shape.at(1), qkv.shape.at(2) / 3, heads};
}
std::int64_t scores_per_sample(const AttentionShape& a) { return a.heads * a.tokens * a.tokens; }

// S[q][k] = Q_q . K_k / sqrt(dh): column-major S^T = K^T-as-stored (op T) x Q.
std::unique_ptr<LtMatmul> scores_matmul(DType dtype, const AttentionShape& a, const std::string& what) {
  const auto T = static_cast<std::uint64_t>(a.tokens), dh = static_cast<std::uint64_t>(a.head_dim());
  const int H = static_cast<int>(a.heads);
  const std::int64_t ld_qkv = 3 * a.dim, tt = a.tokens * a.tokens;
  return std::make_unique<LtMatmul>(dtype, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, LtMatrix{dh, T, ld_qkv, H, a.head_dim()},
                                    CUBLAS_OP_N, LtMatrix{dh, T, ld_qkv, H, a.head_dim()},
                                    LtMatrix{T, T, a.tokens, H, tt}, what);
}

// O[q][:] = sum_k P[q][k] V_k: column-major O^T = V^T-as-stored x P^T-as-stored.
std::unique_ptr<LtMatmul> context_matmul(DType dtype, const AttentionShape& a, const std::string& what) {
  const auto T = static_cast<std::uint64_t>(a.tokens), dh = static_cast<std::uint64_t>(a.head_dim());
  const int H = static_cast<int>(a.heads);
  const std::int64_t ld_qkv = 3 * a.dim, tt = a.tokens * a.tokens;
  return std::make_unique<LtMatmul>(dtype, CUBLAS_COMPUTE_32F, CUBLAS_OP_N, LtMatrix{dh, T, ld_qkv, H, a.head_dim()},
                                    CUBLAS_OP_N, LtMatrix{T, T, a.tokens, H, tt},
                                    LtMatrix{dh, T, a.dim, H, a.head_dim()}, what);
}

// One sample's scores ([heads, T, T]) from its q|k|v rows.
void enqueue_scores(LtMatmul& matmul, const LaunchContext& ctx, DType dtype, const AttentionShape& a,
                    const void* qkv_sample, void* scores_sample) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim()));
  matmul.run(ctx, offset(qkv_sample, a.dim, dtype), qkv_sample, scores_sample, nullptr, scale);
}

// One sample's context ([T, D]) from its probabilities and q|k|v rows.
void enqueue_context(LtMatmul& matmul, const LaunchContext& ctx, DType dtype, const AttentionShape& a,
                     const void* qkv_sample, const void* probs_sample, void* y_sample) {
  matmul.run(ctx, offset(qkv_sample, 2 * a.dim, dtype), probs_sample, y_sample, nullptr);
}

// attention_scores or attention_context: one of the two matmuls, as its own layer.
class AttentionStepOp final : public LayerOp {
 public:
  AttentionStepOp(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs, const TensorRef& y)
      : dtype_(dtype), scores_(spec.kind == OpKind::kAttentionScores),
        qkv_(scores_ ? inputs.at(0) : inputs.at(1)), y_(y), shape_(attention_shape(qkv_, spec.heads)) {
    if (!scores_) probs_ = inputs.at(0);
    const std::string what = "attention layer '" + spec.name + "'";
    matmul_ = scores_ ? scores_matmul(dtype, shape_, what) : context_matmul(dtype, shape_, what);
  }

  void enqueue(const LaunchContext& ctx) override {
    for (std::int64_t b = 0; b < shape_.batch; ++b) {
      const void* qkv = offset(qkv_.data, b * shape_.tokens * 3 * shape_.dim, dtype_);
      if (scores_)
        enqueue_scores(*matmul_, ctx, dtype_, shape_, qkv, offset(y_.data, b * scores_per_sample(shape_), dtype_));
      else
        enqueue_context(*matmul_, ctx, dtype_, shape_, qkv, offset(probs_.data, b * scores_per_sample(shape_), dtype_),
                        offset(y_.data, b * shape_.tokens * shape_.dim, dtype_));
    }
  }

 private:
  DType dtype_;
  bool scores_;
  TensorRef qkv_, probs_, y_;
  AttentionShape shape_;
  std::unique_ptr<LtMatmul> matmul_;
};

// attention: one kernel where fused_attention_fits (fp16), else the three steps above, the
// scores in a buffer of the op's own (one per op, so per model instance: concurrent jobs of
// different tasks never share it).
class SelfAttentionOp final : public LayerOp {
 public:
  SelfAttentionOp(const LayerSpec& spec, DType dtype, const TensorRef& qkv, const TensorRef& y)
      : dtype_(dtype), qkv_(qkv), y_(y), shape_(attention_shape(qkv, spec.heads)) {
    fused_ = attention_fused() && fused_attention_fits(dtype, shape_, qkv.data, y.data);
    if (fused_) {
      prepare_fused_attention(shape_);
      ++conv_path_counts().fused_attention;
      return;
    }
    const std::string what = "attention layer '" + spec.name + "'";
    scores_matmul_ = scores_matmul(dtype, shape_, what);
    context_matmul_ = context_matmul(dtype, shape_, what);
    scores_ = DeviceBuffer(static_cast<std::size_t>(scores_per_sample(shape_)) * dtype_bytes(dtype));
  }

  void enqueue(const LaunchContext& ctx) override {
    if (fused_) {
      fused_attention(shape_, qkv_.data, y_.data, ctx.sm_count, ctx.stream);
      return;
    }
    for (std::int64_t b = 0; b < shape_.batch; ++b) {  // samples in turn through one sample's scores
      const void* qkv = offset(qkv_.data, b * shape_.tokens * 3 * shape_.dim, dtype_);
      enqueue_scores(*scores_matmul_, ctx, dtype_, shape_, qkv, scores_.get());
      softmax_rows(dtype_, scores_.get(), scores_.get(), shape_.heads * shape_.tokens, shape_.tokens, ctx.stream);
      enqueue_context(*context_matmul_, ctx, dtype_, shape_, qkv, scores_.get(),
                      offset(y_.data, b * shape_.tokens * shape_.dim, dtype_));
    }
  }

  std::size_t scratch_bytes() const override { return scores_.bytes(); }

 private:
  DType dtype_;
  TensorRef qkv_, y_;
  AttentionShape shape_;
  bool fused_ = false;
  std::unique_ptr<LtMatmul> scores_matmul_, context_matmul_;
  DeviceBuffer scores_;
};

}  // namespace

std::unique_ptr<LayerOp> make_linear(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y) {
  return std::make_unique<LinearOp>(spec, dtype, x, y);
}

bool gemm_conv1x1_fits(const LayerSpec& spec, const TensorRef& x) {
  const Window2d& w = spec.window;
  return x.shape.size() == 4 && spec.groups == 1 && !spec.bias && w.kernel_h == 1 && w.kernel_w == 1 &&
         w.stride_h == 1 && w.stride_w == 1 && w.pad_h == 0 && w.pad_w == 0;
}

std::unique_ptr<LayerOp> make_gemm_conv1x1(const LayerSpec& spec, Precision precision, const TensorRef& x,
                                           const TensorRef& y) {
  return std::make_unique<GemmConv1x1Op>(spec, precision, x, y);
}

std::unique_ptr<LayerOp> make_attention(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y) {
  if (spec.kind == OpKind::kAttention) return std::make_unique<SelfAttentionOp>(spec, dtype, inputs.at(0), y);
  return std::make_unique<AttentionStepOp>(spec, dtype, inputs, y);
}

}  // namespace sgprs::profiler::ops
