#pragma once
// The project's own CUDA kernels, for what cuDNN and cuBLAS do not cover. Tensors are dense,
// row-major (images NCHW), of the instance's dtype; arithmetic is in float. Every launcher only
// enqueues (graph-capturable). Sizes are element counts; `outer` counts batch x leading dims.
#include "profiler/ops/dtype.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace sgprs::profiler::ops {

/// Deterministic uniform values in [lo, hi) from (seed, element index); a hash, not a sequence,
/// so any buffer fills in one parallel pass.
void fill_uniform(DType dtype, void* data, std::int64_t count, std::uint64_t seed, float lo, float hi,
                  cudaStream_t stream);

/// Converts between the dtype and float (test access).
void to_float(DType dtype, const void* src, float* dst, std::int64_t count, cudaStream_t stream);
void from_float(DType dtype, const float* src, void* dst, std::int64_t count, cudaStream_t stream);

/// y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]; x is [outer, channels, inner].
void batchnorm_inference(DType dtype, const void* x, void* y, const void* gamma, const void* beta, const void* mean,
                         const void* var, std::int64_t outer, std::int64_t channels, std::int64_t inner, float eps,
                         cudaStream_t stream);

enum class Pointwise { kRelu, kRelu6, kGelu };
void pointwise(DType dtype, Pointwise op, const void* x, void* y, std::int64_t count, cudaStream_t stream);

void add(DType dtype, const void* a, const void* b, void* y, std::int64_t count, cudaStream_t stream);

/// Copies x [outer, x_inner] into y [outer, y_inner] at column offset `offset` (one concat input).
void copy_into_slice(DType dtype, const void* x, void* y, std::int64_t outer, std::int64_t x_inner,
                     std::int64_t y_inner, std::int64_t offset, cudaStream_t stream);

/// Nearest-neighbour upsampling of [planes, h, w] by an integer factor.
void upsample_nearest(DType dtype, const void* x, void* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                      std::int64_t scale, cudaStream_t stream);

/// Mean of each of `planes` rows of `size` elements.
void global_avgpool(DType dtype, const void* x, void* y, std::int64_t planes, std::int64_t size, cudaStream_t stream);

/// Softmax over each row of `cols` elements.
void softmax_rows(DType dtype, const void* x, void* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream);

/// Layer normalisation over each row of `cols` elements, then * gamma + beta.
void layernorm_rows(DType dtype, const void* x, void* y, const void* gamma, const void* beta, std::int64_t rows,
                    std::int64_t cols, float eps, cudaStream_t stream);

/// y [rows, out] = x [rows, in] W^T (+ bias [out]), W [out, in]: a linear layer on at most kFewRows
/// rows (a batch-1 classifier), one warp per output feature; bias may be null.
inline constexpr int kFewRows = 4;
void few_rows_linear(DType dtype, const void* x, const void* w, const void* bias, void* y, std::int64_t rows,
                     std::int64_t in, std::int64_t out, cudaStream_t stream);

/// x [batch, dim, patches] -> y [batch, patches + 1, dim]: row 0 is cls + pos[0], row 1 + p is
/// x[:, :, p] + pos[1 + p].
void patch_tokens(DType dtype, const void* x, void* y, const void* cls, const void* pos, std::int64_t batch,
                  std::int64_t dim, std::int64_t patches, cudaStream_t stream);

/// x [batch, tokens, dim] -> y [batch, dim], row `index` of each sample.
void take_token(DType dtype, const void* x, void* y, std::int64_t batch, std::int64_t tokens, std::int64_t dim,
                std::int64_t index, cudaStream_t stream);

/// One thread that spins for about `ns` nanoseconds of GPU time (%globaltimer): put before a
/// timed section, it keeps the stream busy while the host enqueues the section, so the events
/// around it time the GPU's work and not the host's launches.
void spin(std::int64_t ns, cudaStream_t stream);

}  // namespace sgprs::profiler::ops
