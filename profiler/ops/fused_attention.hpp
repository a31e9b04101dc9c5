#pragma once
// The project's fused self-attention for fp16: softmax(Q K^T / sqrt(dh)) V for every head in one
// kernel, scores kept on chip. Why: through three launches (scores matmul, softmax, context
// matmul) ViT-B/16's attention took 197 us per inference on the whole H200 against 68 us for
// PyTorch's one fused kernel (cuDNN's flash attention), which put the fp16 ViT at 1.16x PyTorch's
// time there (kernel report of 2026-12-04, traces/profiles/runs/h200-kernels-2026-12-04/call2-final/).
// The [heads, T, T] scores never reach memory either.
//
// A block takes 16 query rows per warp (2 or 4 warps, whichever still covers the partition's SMs)
// of one head of one sample and walks the keys in chunks of 64 staged in shared memory (copied
// asynchronously, the next chunk while the block works on the current one). Each warp keeps its
// rows' scores, probabilities and output in registers (FlashAttention-2's arrangement, on the
// mma.sync m16n8k16 tensor-core instruction): scores, then the running row maximum and sum of the
// online softmax, the output rescaled, then P V added with P rounded to fp16 as the tensor cores
// take it. Rows are divided by their sum once, at the end. The first version, on WMMA with the
// scores and output passing through shared memory, took 24-30 us per ViT-B/16 layer on the whole
// H200, slower than the three steps (16 us). fp32 and TF32 stay on the three-step path
// (blas_ops.cpp): the strict models are already faster than PyTorch's there.
#include "profiler/ops/dtype.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace sgprs::profiler::ops {

/// Self-attention over `tokens` tokens of `dim` = heads x head_dim features, the input packed per
/// token as q | k | v ([batch, tokens, 3 dim]), the output [batch, tokens, dim] (heads concatenated).
struct AttentionShape {
  std::int64_t batch = 1, tokens = 1, dim = 1, heads = 1;
  std::int64_t head_dim() const { return heads > 0 ? dim / heads : 0; }
};

/// Whether the fused kernel takes this attention: fp16, a head size of 32, 64 or 128, 16-byte
/// aligned q|k|v rows and a 4-byte aligned output, every index within 32 bits.
bool fused_attention_fits(DType dtype, const AttentionShape& shape, const void* qkv, const void* y);

/// Allows the kernel of this head size the shared memory it needs; once per op, outside stream capture.
void prepare_fused_attention(const AttentionShape& shape);

/// y = attention(qkv) for a shape fused_attention_fits accepted, on a partition of `sm_count` SMs
/// (0 or less: the whole GPU). Only enqueues (graph-capturable).
void fused_attention(const AttentionShape& shape, const void* qkv, void* y, int sm_count, cudaStream_t stream);

}  // namespace sgprs::profiler::ops
