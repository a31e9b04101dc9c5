// Linear layers through cuBLASLt (bias fused as an epilogue) and attention's two batched matmuls
// through cuBLAS. Both are told the partition's SM count: cuBLASLt per matmul descriptor (one
// algorithm choice cached per SM count), cuBLAS per handle before each call.
//
// Row-major tensors meet column-major BLAS by computing the transpose: Y = X W^T (row-major) is
// Y^T = W X^T (column-major), with W [out, in] read as an in x out column-major matrix.
#include "profiler/cuda_check.hpp"
#include "profiler/ops/op_builders.hpp"

#include <cmath>
#include <map>
#include <mutex>

namespace sgprs::profiler::ops {

namespace {

cudaDataType_t blas_type(DType dtype) { return dtype == DType::kFp16 ? CUDA_R_16F : CUDA_R_32F; }

const void* offset(const void* base, std::int64_t elements, DType dtype) {
  return static_cast<const char*>(base) + elements * static_cast<std::int64_t>(dtype_bytes(dtype));
}
void* offset(void* base, std::int64_t elements, DType dtype) {
  return static_cast<char*>(base) + elements * static_cast<std::int64_t>(dtype_bytes(dtype));
}

class LinearOp final : public LayerOp {
 public:
  LinearOp(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y)
      : dtype_(dtype), x_(x), y_(y), in_(x.shape.back()), out_(spec.out_features), rows_(x.count() / in_) {
    const float a = static_cast<float>(std::sqrt(3.0 / static_cast<double>(in_)));
    weight_ = &add_param(dtype, {out_, in_}, -a, a);
    if (spec.bias) bias_ = &add_param(dtype, {out_}, -0.1f, 0.1f);
    const cudaDataType_t t = blas_type(dtype);
    SGPRS_CUDA_CALL(cublasLtMatrixLayoutCreate(&w_layout_, t, static_cast<std::uint64_t>(in_),
                                                static_cast<std::uint64_t>(out_), in_));
    SGPRS_CUDA_CALL(cublasLtMatrixLayoutCreate(&x_layout_, t, static_cast<std::uint64_t>(in_),
                                                static_cast<std::uint64_t>(rows_), in_));
    SGPRS_CUDA_CALL(cublasLtMatrixLayoutCreate(&y_layout_, t, static_cast<std::uint64_t>(out_),
                                                static_cast<std::uint64_t>(rows_), out_));
  }
  ~LinearOp() override {
    for (auto& [sm, plan] : plans_) cublasLtMatmulDescDestroy(plan.desc);
    cublasLtMatrixLayoutDestroy(w_layout_);
    cublasLtMatrixLayoutDestroy(x_layout_);
    cublasLtMatrixLayoutDestroy(y_layout_);
  }

  void enqueue(const LaunchContext& ctx) override {
    const Plan& plan = plan_for(ctx);
    const float one = 1.0f, zero = 0.0f;
    SGPRS_CUDA_CALL(cublasLtMatmul(ctx.handles->cublas_lt, plan.desc, &one, weight_->buffer.get(), w_layout_, x_.data,
                                    x_layout_, &zero, y_.data, y_layout_, y_.data, y_layout_, &plan.algo,
                                    ctx.workspace, kWorkspaceBytes, ctx.stream));
  }

 private:
  struct Plan {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatmulAlgo_t algo{};
  };

  // The heuristic query is host-only, so it is safe on first use even inside a capture.
  const Plan& plan_for(const LaunchContext& ctx) {
    const int sm = ctx.sm_count > 0 ? ctx.sm_count : 0;
    std::lock_guard lock(mutex_);
    auto it = plans_.find(sm);
    if (it != plans_.end()) return it->second;
    Plan plan;
    SGPRS_CUDA_CALL(cublasLtMatmulDescCreate(&plan.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasOperation_t trans_w = CUBLAS_OP_T, trans_x = CUBLAS_OP_N;
    SGPRS_CUDA_CALL(
        cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans_w, sizeof(trans_w)));
    SGPRS_CUDA_CALL(
        cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &trans_x, sizeof(trans_x)));
    if (bias_) {
      const cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
      const void* bias = bias_->buffer.get();
      SGPRS_CUDA_CALL(
          cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)));
      SGPRS_CUDA_CALL(
          cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
    }
    if (sm > 0)
      SGPRS_CUDA_CALL(
          cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, &sm, sizeof(sm)));
    cublasLtMatmulPreference_t pref = nullptr;
    SGPRS_CUDA_CALL(cublasLtMatmulPreferenceCreate(&pref));
    const std::size_t workspace = kWorkspaceBytes;
    SGPRS_CUDA_CALL(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                          sizeof(workspace)));
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    const cublasStatus_t status = cublasLtMatmulAlgoGetHeuristic(ctx.handles->cublas_lt, plan.desc, w_layout_,
                                                                  x_layout_, y_layout_, y_layout_, pref, 1, &result,
                                                                  &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (status != CUBLAS_STATUS_SUCCESS || found == 0) {
      cublasLtMatmulDescDestroy(plan.desc);
      SGPRS_CUDA_CALL(status);
      throw GpuError("cuBLASLt found no algorithm for a linear layer " + std::to_string(rows_) + "x" +
                         std::to_string(in_) + " -> " + std::to_string(out_));
    }
    plan.algo = result.algo;
    return plans_.emplace(sm, plan).first->second;
  }

  DType dtype_;
  TensorRef x_, y_;
  std::int64_t in_, out_, rows_;
  Param* weight_ = nullptr;
  Param* bias_ = nullptr;
  cublasLtMatrixLayout_t w_layout_ = nullptr, x_layout_ = nullptr, y_layout_ = nullptr;
  std::mutex mutex_;
  std::map<int, Plan> plans_;
};

// Heads are read in place from the packed [T, 3D] q|k|v tensor: head h of Q is a T x dh block
// with row stride 3D starting at column h*dh, so one strided-batched call covers all heads of
// one sample; samples are separate calls (their stride is not the heads' stride).
class AttentionOp final : public LayerOp {
 public:
  AttentionOp(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs, const TensorRef& y)
      : dtype_(dtype), scores_(spec.kind == OpKind::kAttentionScores), y_(y), heads_(spec.heads) {
    qkv_ = scores_ ? inputs.at(0) : inputs.at(1);
    if (!scores_) probs_ = inputs.at(0);
    batch_ = qkv_.shape.at(0);
    tokens_ = qkv_.shape.at(1);
    dim_ = qkv_.shape.at(2) / 3;
    head_dim_ = dim_ / heads_;
  }

  void enqueue(const LaunchContext& ctx) override {
    cublasHandle_t h = ctx.handles->cublas;
    SGPRS_CUDA_CALL(cublasSetWorkspace(h, ctx.workspace, kWorkspaceBytes));
    SGPRS_CUDA_CALL(cublasSetSmCountTarget(h, ctx.sm_count > 0 ? ctx.sm_count : 0));
    const cudaDataType_t t = blas_type(dtype_);
    const int T = static_cast<int>(tokens_), dh = static_cast<int>(head_dim_), ld_qkv = static_cast<int>(3 * dim_);
    const int H = static_cast<int>(heads_);
    const float zero = 0.0f;
    for (std::int64_t b = 0; b < batch_; ++b) {
      const void* qkv = offset(qkv_.data, b * tokens_ * 3 * dim_, dtype_);
      if (scores_) {
        // S[q][k] = Q_q . K_k / sqrt(dh): column-major S^T = K^T-as-stored (op T) x Q.
        const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim_));
        void* s = offset(y_.data, b * heads_ * tokens_ * tokens_, dtype_);
        SGPRS_CUDA_CALL(cublasGemmStridedBatchedEx(
            h, CUBLAS_OP_T, CUBLAS_OP_N, T, T, dh, &scale, offset(qkv, dim_, dtype_), t, ld_qkv, head_dim_, qkv, t,
            ld_qkv, head_dim_, &zero, s, t, T, tokens_ * tokens_, H, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
      } else {
        // O[q][:] = sum_k P[q][k] V_k: column-major O^T = V^T-as-stored x P^T-as-stored.
        const float one = 1.0f;
        const void* p = offset(probs_.data, b * heads_ * tokens_ * tokens_, dtype_);
        void* o = offset(y_.data, b * tokens_ * dim_, dtype_);
        SGPRS_CUDA_CALL(cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, dh, T, T, &one,
                                                    offset(qkv, 2 * dim_, dtype_), t, ld_qkv, head_dim_, p, t, T,
                                                    tokens_ * tokens_, &zero, o, t, static_cast<int>(dim_), head_dim_,
                                                    H, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
      }
    }
  }

 private:
  DType dtype_;
  bool scores_;
  TensorRef qkv_, probs_, y_;
  std::int64_t heads_, batch_ = 0, tokens_ = 0, dim_ = 0, head_dim_ = 0;
};

}  // namespace

std::unique_ptr<LayerOp> make_linear(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y) {
  return std::make_unique<LinearOp>(spec, dtype, x, y);
}

std::unique_ptr<LayerOp> make_attention(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y) {
  return std::make_unique<AttentionOp>(spec, dtype, inputs, y);
}

}  // namespace sgprs::profiler::ops
