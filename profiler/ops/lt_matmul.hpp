#pragma once
// One cuBLASLt matmul of fixed shapes, D = op(A) op(B) (+ bias per row of D), column-major, with
// one algorithm per SM count and pointer alignment: the heuristic is told the partition's SM
// count (CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET) and how the pointers are aligned (it assumes 256
// bytes otherwise, and attention reads heads 128 bytes apart) the first time the matmul runs with
// them. That query is host-only, so a first run inside a graph capture is safe. Used by linear layers and 1x1
// convolutions (blas_ops.cpp).
#include "profiler/ops/dtype.hpp"
#include "profiler/ops/layer_ops.hpp"

#include <cublasLt.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sgprs::profiler::ops {

struct LtMatrix {  // column-major: rows x cols, leading dimension ld; `batch` of them, `stride` elements apart
  std::uint64_t rows = 0, cols = 0;
  std::int64_t ld = 0;
  int batch = 1;
  std::int64_t stride = 0;
};

class LtMatmul {
 public:
  /// `a` and `b` describe the matrices as stored (before op_a, op_b); `what` names the layer in errors.
  LtMatmul(DType dtype, cublasComputeType_t compute, cublasOperation_t op_a, LtMatrix a, cublasOperation_t op_b,
           LtMatrix b, LtMatrix d, std::string what);
  ~LtMatmul();
  LtMatmul(const LtMatmul&) = delete;
  LtMatmul& operator=(const LtMatmul&) = delete;

  /// Enqueues D = alpha op(A) op(B) + bias; `bias` (one value per row of D, or null) must be the
  /// same at every call, since each SM count's plan keeps the address it first saw.
  void run(const LaunchContext& ctx, const void* a, const void* b, void* d, const void* bias, float alpha = 1.0f);

 private:
  struct Plan {
    cublasLtMatmulDesc_t desc = nullptr;
    cublasLtMatmulAlgo_t algo{};
  };
  const Plan& plan_for(const LaunchContext& ctx, const void* bias, std::uint32_t alignment);

  cublasComputeType_t compute_;
  cublasOperation_t op_a_, op_b_;
  std::string what_;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, d_ = nullptr;
  std::mutex mutex_;
  std::map<std::pair<int, std::uint32_t>, Plan> plans_;  // (SM count, pointer alignment)
};

}  // namespace sgprs::profiler::ops
