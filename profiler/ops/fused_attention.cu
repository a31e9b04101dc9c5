#include "profiler/ops/fused_attention.hpp"

#include "profiler/cuda_check.hpp"

#include <cuda_fp16.h>
#include <cuda_pipeline.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace sgprs::profiler::ops {

namespace {

constexpr int kRowsPerWarp = 16;  // one m16n8k16 tile of query rows
constexpr int kKeyChunk = 64;     // keys staged in shared memory at a time
constexpr int kHalvesPer16Bytes = 8;

// Shared memory of a block of W warps for head size D: its W x 16 query rows, then two buffers of
// a key chunk and two of a value chunk. Rows are padded by 16 bytes so that the eight rows one
// ldmatrix reads fall in different banks.
template <int D, int W>
struct Smem {
  static constexpr int kLd = D + 8;  // halves per staged row
  static constexpr int kQueryRows = W * kRowsPerWarp;
  static constexpr int kChunkHalves = kKeyChunk * kLd;
  static constexpr int kQ = 0;                            // offsets in halves
  static constexpr int kK = kQ + kQueryRows * kLd;        // two chunks
  static constexpr int kV = kK + 2 * kChunkHalves;        // two chunks
  static constexpr std::size_t kBytes = sizeof(__half) * static_cast<std::size_t>(kV + 2 * kChunkHalves);
};

// Starts copying `rows` rows of D halves (row r from src + r * ld) into shared memory without
// waiting (cp.async; the caller commits and waits), zeroing rows past `valid`. Why asynchronous:
// with plain loads each thread waited out one L2 round trip per 16 bytes.
template <int D>
__device__ __forceinline__ void stage_rows(__half* dst, const __half* src, std::int64_t ld, int rows, int valid) {
  constexpr int kVecs = D / kHalvesPer16Bytes;
  for (int i = static_cast<int>(threadIdx.x); i < rows * kVecs; i += static_cast<int>(blockDim.x)) {
    const int r = i / kVecs, c = (i % kVecs) * kHalvesPer16Bytes;
    __half* to = dst + r * (D + 8) + c;
    if (r < valid)
      __pipeline_memcpy_async(to, src + r * ld + c, 16);
    else
      *reinterpret_cast<uint4*>(to) = make_uint4(0, 0, 0, 0);
  }
}

__device__ __forceinline__ std::uint32_t shared_address(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

// Four 8x8 matrices of halves; lane i gives the address of row i % 8 of matrix i / 8, and
// register j receives matrix j's (row lane / 4, columns 2 (lane % 4) + {0, 1}) (transposed: the
// same of the transposed matrix).
__device__ __forceinline__ void ldmatrix_x4(std::uint32_t (&r)[4], const __half* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(row)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(std::uint32_t (&r)[4], const __half* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(row)));
}

// c += a (16x16, row-major fragment) b (16x8, column-major fragment), fp16 in, fp32 accumulate.
// Fragment layouts (PTX ISA, mma.m16n8k16): with g = lane / 4 and t = lane % 4, a holds rows g
// and g + 8, columns 2t + {0, 1} and 2t + 8 + {0, 1}; b holds rows 2t + {0, 1} and 2t + 8 + {0, 1}
// of column g; c holds rows g (c[0], c[1]) and g + 8 (c[2], c[3]), columns 2t + {0, 1}.
__device__ __forceinline__ void mma_16816(float (&c)[4], const std::uint32_t (&a)[4], std::uint32_t b0,
                                          std::uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ std::uint32_t pack_halves(float lo, float hi) {
  const __half2 h = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<const std::uint32_t*>(&h);
}

// A block of W warps takes W x 16 query rows of one head of one sample; each warp keeps its 16
// rows' scores, probabilities and output in registers (FlashAttention-2's arrangement), so only
// Q, K and V pass through shared memory.
template <int D, int W>
__global__ void __launch_bounds__(W * 32)
    fused_attention_kernel(const __half* qkv, __half* y, int tokens, int dim, float scale_log2) {
  using S = Smem<D, W>;
  constexpr int kLd = S::kLd;
  extern __shared__ __align__(128) unsigned char smem_bytes[];
  __half* smem = reinterpret_cast<__half*>(smem_bytes);
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  const int g = lane / 4, t = lane % 4;

  const std::int64_t ld = 3 * static_cast<std::int64_t>(dim);
  const __half* sample = qkv + static_cast<std::int64_t>(blockIdx.z) * tokens * ld;
  const int head_column = static_cast<int>(blockIdx.y) * D;
  const int first_query = static_cast<int>(blockIdx.x) * S::kQueryRows;

  // Chunk c of keys and values goes to buffer c % 2; the next chunk is copied while this one is used.
  auto stage_chunk = [&](int chunk) {
    const int key0 = chunk * kKeyChunk, valid = min(kKeyChunk, tokens - key0);
    stage_rows<D>(smem + S::kK + (chunk % 2) * S::kChunkHalves, sample + key0 * ld + dim + head_column, ld,
                  kKeyChunk, valid);
    stage_rows<D>(smem + S::kV + (chunk % 2) * S::kChunkHalves, sample + key0 * ld + 2 * dim + head_column, ld,
                  kKeyChunk, valid);
  };
  stage_rows<D>(smem + S::kQ, sample + first_query * ld + head_column, ld, S::kQueryRows, tokens - first_query);
  stage_chunk(0);
  __pipeline_commit();

  std::uint32_t q_frag[D / 16][4];
  float out[D / 8][4];
#pragma unroll
  for (int n = 0; n < D / 8; ++n) out[n][0] = out[n][1] = out[n][2] = out[n][3] = 0.0f;
  float row_max[2] = {-INFINITY, -INFINITY};  // rows g and g + 8, in log2 units
  float row_sum[2] = {0.0f, 0.0f};            // this lane's share; the four lanes of a row add up at the end

  const int chunks = (tokens + kKeyChunk - 1) / kKeyChunk;
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const int key0 = chunk * kKeyChunk;
    if (chunk + 1 < chunks) {
      stage_chunk(chunk + 1);  // its buffer was last read in chunk - 1, before that chunk's final barrier
      __pipeline_commit();
      __pipeline_wait_prior(1);
    } else {
      __pipeline_wait_prior(0);
    }
    __syncthreads();  // this chunk (and, the first time, Q) is in shared memory for every warp
    const __half* k_s = smem + S::kK + (chunk % 2) * S::kChunkHalves;
    const __half* v_s = smem + S::kV + (chunk % 2) * S::kChunkHalves;
    if (chunk == 0) {
      const __half* q_rows = smem + S::kQ + warp * kRowsPerWarp * kLd;
#pragma unroll
      for (int k = 0; k < D / 16; ++k)
        ldmatrix_x4(q_frag[k], q_rows + (lane % 16) * kLd + k * 16 + (lane / 16) * 8);
    }

    // Scores of this warp's 16 rows against the chunk's 64 keys: eight 16x8 tiles.
    float s[kKeyChunk / 8][4];
#pragma unroll
    for (int n = 0; n < kKeyChunk / 8; ++n) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.0f;
#pragma unroll
      for (int k = 0; k < D / 16; k += 2) {  // one ldmatrix: keys 8n..8n+7, dims 16k..16k+31
        std::uint32_t b[4];
        ldmatrix_x4(b, k_s + (n * 8 + lane % 8) * kLd + k * 16 + (lane / 8) * 8);
        mma_16816(s[n], q_frag[k], b[0], b[1]);
        mma_16816(s[n], q_frag[k + 1], b[2], b[3]);
      }
    }

    // Online softmax in base 2: m' = max(m, max_j s_j c), p_j = 2^(s_j c - m'), l' = l 2^(m - m') + sum p.
    float chunk_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < kKeyChunk / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int key = key0 + n * 8 + 2 * t + (e & 1);
        s[n][e] = key < tokens ? s[n][e] * scale_log2 : -INFINITY;
        chunk_max[e / 2] = fmaxf(chunk_max[e / 2], s[n][e]);
      }
    float rescale[2];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      chunk_max[h] = fmaxf(chunk_max[h], __shfl_xor_sync(0xffffffffu, chunk_max[h], 1));
      chunk_max[h] = fmaxf(chunk_max[h], __shfl_xor_sync(0xffffffffu, chunk_max[h], 2));
      const float new_max = fmaxf(row_max[h], chunk_max[h]);
      rescale[h] = exp2f(row_max[h] - new_max);  // 0 for the first chunk (row_max = -inf)
      row_max[h] = new_max;
      row_sum[h] *= rescale[h];
    }
#pragma unroll
    for (int n = 0; n < kKeyChunk / 8; ++n)
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        s[n][e] = exp2f(s[n][e] - row_max[e / 2]);
        row_sum[e / 2] += s[n][e];
      }
#pragma unroll
    for (int n = 0; n < D / 8; ++n) {
      out[n][0] *= rescale[0], out[n][1] *= rescale[0];
      out[n][2] *= rescale[1], out[n][3] *= rescale[1];
    }

    // out += P V: the score tiles 2k and 2k + 1, rounded to fp16, are the A fragment of keys 16k..16k+15.
#pragma unroll
    for (int k = 0; k < kKeyChunk / 16; ++k) {
      const std::uint32_t p[4] = {pack_halves(s[2 * k][0], s[2 * k][1]), pack_halves(s[2 * k][2], s[2 * k][3]),
                                  pack_halves(s[2 * k + 1][0], s[2 * k + 1][1]),
                                  pack_halves(s[2 * k + 1][2], s[2 * k + 1][3])};
#pragma unroll
      for (int n = 0; n < D / 8; n += 2) {  // one ldmatrix: keys 16k..16k+15, dims 8n..8n+15, transposed
        std::uint32_t b[4];
        ldmatrix_x4_trans(b, v_s + (k * 16 + lane % 8 + ((lane / 8) % 2) * 8) * kLd + n * 8 + (lane / 16) * 8);
        mma_16816(out[n], p, b[0], b[1]);
        mma_16816(out[n + 1], p, b[2], b[3]);
      }
    }
    __syncthreads();  // every warp is done with this chunk's buffers before they are refilled
  }

  // Each row divided by its sum (the four lanes of a row hold a quarter each), two features a store.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    row_sum[h] += __shfl_xor_sync(0xffffffffu, row_sum[h], 1);
    row_sum[h] += __shfl_xor_sync(0xffffffffu, row_sum[h], 2);
  }
  __half* y_sample = y + static_cast<std::int64_t>(blockIdx.z) * tokens * dim;
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const int token = first_query + warp * kRowsPerWarp + g + 8 * h;
    if (token >= tokens) continue;
    const float inv = 1.0f / row_sum[h];
    __half* y_row = y_sample + static_cast<std::int64_t>(token) * dim + head_column + 2 * t;
#pragma unroll
    for (int n = 0; n < D / 8; ++n)
      *reinterpret_cast<__half2*>(y_row + n * 8) = __floats2half2_rn(out[n][2 * h] * inv, out[n][2 * h + 1] * inv);
  }
}

// The kernel for a head size and a block size: 4 warps (64 query rows) where the blocks still
// cover the partition's SMs, else 2 (32 rows) for twice the blocks.
template <class F>
void with_kernel(const AttentionShape& s, int sm_count, F&& f) {
  const bool small_blocks = sm_count <= 0 || ((s.tokens + 63) / 64) * s.heads * s.batch < sm_count;
  auto pick = [&](auto d) {
    constexpr int D = decltype(d)::value;
    if (small_blocks)
      f(fused_attention_kernel<D, 2>, Smem<D, 2>::kBytes, 2);
    else
      f(fused_attention_kernel<D, 4>, Smem<D, 4>::kBytes, 4);
  };
  switch (s.head_dim()) {
    case 32: return pick(std::integral_constant<int, 32>{});
    case 64: return pick(std::integral_constant<int, 64>{});
    case 128: return pick(std::integral_constant<int, 128>{});
    default:
      throw std::invalid_argument("fused_attention: head size " + std::to_string(s.head_dim()) + " not 32, 64 or 128");
  }
}

bool aligned(const void* p, std::uintptr_t bytes) { return reinterpret_cast<std::uintptr_t>(p) % bytes == 0; }

}  // namespace

bool fused_attention_fits(DType dtype, const AttentionShape& s, const void* qkv, const void* y) {
  const std::int64_t dh = s.head_dim();
  constexpr std::int64_t kMax32 = 0x7fffffff;
  return dtype == DType::kFp16 && s.heads > 0 && s.dim == s.heads * dh && (dh == 32 || dh == 64 || dh == 128) &&
         s.tokens > 0 && s.batch > 0 && s.batch <= 65535 && s.heads <= 65535 &&
         s.batch * s.tokens * 3 * s.dim <= kMax32 && aligned(qkv, 16) && aligned(y, 4);
}

void prepare_fused_attention(const AttentionShape& shape) {
  for (int sm_count : {1, 1 << 30})  // both block sizes
    with_kernel(shape, sm_count, [](auto kernel, std::size_t bytes, int) {
      SGPRS_CUDA_CALL(
          cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)));
    });
}

void fused_attention(const AttentionShape& s, const void* qkv, void* y, int sm_count, cudaStream_t stream) {
  with_kernel(s, sm_count, [&](auto kernel, std::size_t bytes, int warps) {
    const int rows = warps * kRowsPerWarp;
    const dim3 grid(static_cast<unsigned>((s.tokens + rows - 1) / rows), static_cast<unsigned>(s.heads),
                    static_cast<unsigned>(s.batch));
    const float scale_log2 = static_cast<float>(M_LOG2E / std::sqrt(static_cast<double>(s.head_dim())));
    kernel<<<grid, warps * 32, bytes, stream>>>(static_cast<const __half*>(qkv), static_cast<__half*>(y),
                                                static_cast<int>(s.tokens), static_cast<int>(s.dim), scale_log2);
  });
  SGPRS_CUDA_CALL(cudaGetLastError());
}

}  // namespace sgprs::profiler::ops
