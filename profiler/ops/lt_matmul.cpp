#include "profiler/ops/lt_matmul.hpp"

#include "profiler/cuda_check.hpp"

#include <cstdint>
#include <initializer_list>
#include <utility>

namespace sgprs::profiler::ops {

namespace {

cublasLtMatrixLayout_t layout(DType dtype, const LtMatrix& m) {
  cublasLtMatrixLayout_t l = nullptr;
  SGPRS_CUDA_CALL(cublasLtMatrixLayoutCreate(&l, dtype == DType::kFp16 ? CUDA_R_16F : CUDA_R_32F, m.rows, m.cols, m.ld));
  if (m.batch > 1) {
    SGPRS_CUDA_CALL(
        cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &m.batch, sizeof(m.batch)));
    SGPRS_CUDA_CALL(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &m.stride,
                                                     sizeof(m.stride)));
  }
  return l;
}

// The largest power of two, at most 256, that divides every address.
std::uint32_t alignment_of(std::initializer_list<const void*> pointers) {
  std::uint32_t a = 256;
  for (const void* p : pointers)
    while (reinterpret_cast<std::uintptr_t>(p) % a != 0) a /= 2;
  return a;
}

template <class T>
void set_desc(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute, const T& value) {
  SGPRS_CUDA_CALL(cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof(value)));
}

}  // namespace

LtMatmul::LtMatmul(DType dtype, cublasComputeType_t compute, cublasOperation_t op_a, LtMatrix a,
                   cublasOperation_t op_b, LtMatrix b, LtMatrix d, std::string what)
    : compute_(compute), op_a_(op_a), op_b_(op_b), what_(std::move(what)) {
  a_ = layout(dtype, a);
  b_ = layout(dtype, b);
  d_ = layout(dtype, d);
}

LtMatmul::~LtMatmul() {
  for (auto& [sm, plan] : plans_) cublasLtMatmulDescDestroy(plan.desc);
  cublasLtMatrixLayoutDestroy(a_);
  cublasLtMatrixLayoutDestroy(b_);
  cublasLtMatrixLayoutDestroy(d_);
}

void LtMatmul::run(const LaunchContext& ctx, const void* a, const void* b, void* d, const void* bias, float alpha) {
  const Plan& plan = plan_for(ctx, bias, alignment_of({a, b, d}));
  const float zero = 0.0f;
  SGPRS_CUDA_CALL(cublasLtMatmul(ctx.handles->cublas_lt, plan.desc, &alpha, a, a_, b, b_, &zero, d, d_, d, d_, &plan.algo,
                                 ctx.workspace, kWorkspaceBytes, ctx.stream));
}

const LtMatmul::Plan& LtMatmul::plan_for(const LaunchContext& ctx, const void* bias, std::uint32_t alignment) {
  const int sm = ctx.sm_count > 0 ? ctx.sm_count : 0;
  std::lock_guard lock(mutex_);
  auto it = plans_.find({sm, alignment});
  if (it != plans_.end()) return it->second;
  Plan plan;
  SGPRS_CUDA_CALL(cublasLtMatmulDescCreate(&plan.desc, compute_, CUDA_R_32F));
  set_desc(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, op_a_);
  set_desc(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, op_b_);
  if (bias != nullptr) {
    set_desc(plan.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, CUBLASLT_EPILOGUE_BIAS);
    set_desc(plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias);
  }
  if (sm > 0) set_desc(plan.desc, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, sm);
  cublasLtMatmulPreference_t pref = nullptr;
  SGPRS_CUDA_CALL(cublasLtMatmulPreferenceCreate(&pref));
  const std::size_t workspace = kWorkspaceBytes;
  SGPRS_CUDA_CALL(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                        sizeof(workspace)));
  for (auto attribute : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    SGPRS_CUDA_CALL(cublasLtMatmulPreferenceSetAttribute(pref, attribute, &alignment, sizeof(alignment)));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status =
      cublasLtMatmulAlgoGetHeuristic(ctx.handles->cublas_lt, plan.desc, a_, b_, d_, d_, pref, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  if (status != CUBLAS_STATUS_SUCCESS || found == 0) {
    cublasLtMatmulDescDestroy(plan.desc);
    SGPRS_CUDA_CALL(status);
    throw GpuError("cuBLASLt found no algorithm for " + what_);
  }
  plan.algo = result.algo;
  return plans_.emplace(std::make_pair(sm, alignment), plan).first->second;
}

}  // namespace sgprs::profiler::ops
