#include "profiler/ops/fused_attention.hpp"

#include "profiler/cuda_check.hpp"

#include <cuda_fp16.h>
#include <cuda_pipeline.h>
#include <mma.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace sgprs::profiler::ops {

namespace {

namespace wmma = nvcuda::wmma;

constexpr int kWarps = 2;                  // per block
constexpr int kRowsPerWarp = 16;           // one WMMA tile of query rows
constexpr int kQueryRows = kWarps * kRowsPerWarp;
constexpr int kKeyChunk = 64;              // keys staged in shared memory at a time
constexpr int kHalvesPer16Bytes = 8;
constexpr std::size_t kRegionAlign = 128;  // WMMA wants 32-byte aligned tiles; rounded up generously

constexpr std::size_t round_up(std::size_t bytes) { return (bytes + kRegionAlign - 1) / kRegionAlign * kRegionAlign; }

// Shared memory of one block for head size D. Rows are padded (8 halves, 4 floats) so that
// consecutive rows start in different banks; every pad keeps the 16-element tile starts 32-byte
// aligned and the leading dimensions multiples of 8 halves / 4 floats, as WMMA requires.
template <int D>
struct Smem {
  static constexpr int kLdHalf = D + 8;             // Q, K, V rows
  static constexpr int kLdScores = kKeyChunk + 4;   // float
  static constexpr int kLdProbs = kKeyChunk + 8;    // half
  static constexpr int kLdOut = D + 4;              // float
  static constexpr std::size_t kChunkBytes = round_up(sizeof(__half) * kKeyChunk * kLdHalf);
  static constexpr std::size_t kQ = 0;
  static constexpr std::size_t kK = kQ + round_up(sizeof(__half) * kQueryRows * kLdHalf);  // two chunks
  static constexpr std::size_t kV = kK + 2 * kChunkBytes;                                  // two chunks
  static constexpr std::size_t kScores = kV + 2 * kChunkBytes;
  static constexpr std::size_t kProbs = kScores + round_up(sizeof(float) * kQueryRows * kLdScores);
  static constexpr std::size_t kOut = kProbs + round_up(sizeof(__half) * kQueryRows * kLdProbs);
  static constexpr std::size_t kStats = kOut + round_up(sizeof(float) * kQueryRows * kLdOut);
  static constexpr std::size_t kBytes = kStats + round_up(sizeof(float) * kQueryRows * 3);
};

// Starts copying `rows` rows of D halves (row r from src + r * ld) into shared memory without
// waiting (cp.async; the caller commits and waits), zeroing rows past `valid`. Why asynchronous:
// with plain loads each thread of the block waited out one L2 round trip per 16 bytes, and the
// first version of this kernel spent most of its 30 us per ViT-B/16 layer (whole H200) there.
template <int D>
__device__ __forceinline__ void stage_rows(__half* dst, const __half* src, std::int64_t ld, int rows, int valid) {
  constexpr int kVecs = D / kHalvesPer16Bytes;
  for (int i = static_cast<int>(threadIdx.x); i < rows * kVecs; i += static_cast<int>(blockDim.x)) {
    const int r = i / kVecs, c = (i % kVecs) * kHalvesPer16Bytes;
    __half* to = dst + r * Smem<D>::kLdHalf + c;
    if (r < valid)
      __pipeline_memcpy_async(to, src + r * ld + c, 16);
    else
      *reinterpret_cast<uint4*>(to) = make_uint4(0, 0, 0, 0);
  }
}

template <int D>
__global__ void __launch_bounds__(kWarps * 32)
    fused_attention_kernel(const __half* qkv, __half* y, int tokens, int dim, float scale_log2) {
  using S = Smem<D>;
  extern __shared__ __align__(128) unsigned char smem[];
  auto* q_s = reinterpret_cast<__half*>(smem + S::kQ);
  constexpr int kChunkHalves = static_cast<int>(S::kChunkBytes / sizeof(__half));
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  float* scores = reinterpret_cast<float*>(smem + S::kScores) + warp * kRowsPerWarp * S::kLdScores;
  __half* probs = reinterpret_cast<__half*>(smem + S::kProbs) + warp * kRowsPerWarp * S::kLdProbs;
  float* out = reinterpret_cast<float*>(smem + S::kOut) + warp * kRowsPerWarp * S::kLdOut;
  float* row_max = reinterpret_cast<float*>(smem + S::kStats) + warp * kRowsPerWarp * 3;  // log2 units
  float* row_sum = row_max + kRowsPerWarp;
  float* row_rescale = row_sum + kRowsPerWarp;

  const std::int64_t ld = 3 * static_cast<std::int64_t>(dim);
  const __half* sample = qkv + static_cast<std::int64_t>(blockIdx.z) * tokens * ld;
  const int head_column = static_cast<int>(blockIdx.y) * D;
  const int first_query = static_cast<int>(blockIdx.x) * kQueryRows;

  // Chunk c of keys and values goes to buffer c % 2; the next chunk is copied while this one is used.
  auto stage_chunk = [&](int chunk) {
    const int key0 = chunk * kKeyChunk, valid = min(kKeyChunk, tokens - key0);
    __half* k_s = reinterpret_cast<__half*>(smem + S::kK) + (chunk % 2) * kChunkHalves;
    __half* v_s = reinterpret_cast<__half*>(smem + S::kV) + (chunk % 2) * kChunkHalves;
    stage_rows<D>(k_s, sample + key0 * ld + dim + head_column, ld, kKeyChunk, valid);
    stage_rows<D>(v_s, sample + key0 * ld + 2 * dim + head_column, ld, kKeyChunk, valid);
  };
  stage_rows<D>(q_s, sample + first_query * ld + head_column, ld, kQueryRows, tokens - first_query);
  stage_chunk(0);
  __pipeline_commit();
  for (int i = lane; i < kRowsPerWarp * D; i += 32) out[(i / D) * S::kLdOut + i % D] = 0.0f;
  if (lane < kRowsPerWarp) row_max[lane] = -INFINITY, row_sum[lane] = 0.0f;

  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> q_frag[D / 16];
  const int row = lane / 2, parity = lane % 2;  // two lanes per query row in the softmax step
  const int chunks = (tokens + kKeyChunk - 1) / kKeyChunk;
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const int key0 = chunk * kKeyChunk, valid = min(kKeyChunk, tokens - key0);
    if (chunk + 1 < chunks) {
      stage_chunk(chunk + 1);  // its buffer was last read in chunk - 1, before that chunk's final barrier
      __pipeline_commit();
      __pipeline_wait_prior(1);
    } else {
      __pipeline_wait_prior(0);
    }
    __syncthreads();  // this chunk (and, the first time, Q) is in shared memory for every warp
    const __half* k_s = reinterpret_cast<const __half*>(smem + S::kK) + (chunk % 2) * kChunkHalves;
    const __half* v_s = reinterpret_cast<const __half*>(smem + S::kV) + (chunk % 2) * kChunkHalves;
    if (chunk == 0) {
#pragma unroll
      for (int k = 0; k < D / 16; ++k)
        wmma::load_matrix_sync(q_frag[k], q_s + warp * kRowsPerWarp * S::kLdHalf + k * 16, S::kLdHalf);
    }

    // Scores of this warp's rows against the chunk: Q (16 x D) times K^T, K read column-major.
#pragma unroll
    for (int n = 0; n < kKeyChunk / 16; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.0f);
#pragma unroll
      for (int k = 0; k < D / 16; ++k) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> k_frag;
        wmma::load_matrix_sync(k_frag, k_s + n * 16 * S::kLdHalf + k * 16, S::kLdHalf);
        wmma::mma_sync(acc, q_frag[k], k_frag, acc);
      }
      wmma::store_matrix_sync(scores + n * 16, acc, S::kLdScores, wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax in base 2: m' = max(m, max_j s_j c), p_j = 2^(s_j c - m'), l' = l 2^(m - m') + sum p.
    const float* s_row = scores + row * S::kLdScores;
    float chunk_max = -INFINITY;
    for (int j = parity; j < valid; j += 2) chunk_max = fmaxf(chunk_max, s_row[j]);
    chunk_max = fmaxf(chunk_max, __shfl_xor_sync(0xffffffffu, chunk_max, 1));
    const float old_max = row_max[row];
    const float new_max = fmaxf(old_max, chunk_max * scale_log2);
    float sum = 0.0f;
    __half* p_row = probs + row * S::kLdProbs;
    for (int j = parity; j < kKeyChunk; j += 2) {
      const float p = j < valid ? exp2f(s_row[j] * scale_log2 - new_max) : 0.0f;
      sum += p;
      p_row[j] = __float2half(p);
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    __syncwarp();  // both lanes of a row have read its old maximum
    if (parity == 0) {
      const float rescale = exp2f(old_max - new_max);  // 0 for the first chunk (old_max = -inf)
      row_max[row] = new_max;
      row_sum[row] = row_sum[row] * rescale + sum;
      row_rescale[row] = rescale;
    }
    __syncwarp();
    for (int i = lane; i < kRowsPerWarp * D; i += 32) out[(i / D) * S::kLdOut + i % D] *= row_rescale[i / D];
    __syncwarp();

    // out += P (16 x chunk) times V (chunk x D).
#pragma unroll
    for (int n = 0; n < D / 16; ++n) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::load_matrix_sync(acc, out + n * 16, S::kLdOut, wmma::mem_row_major);
#pragma unroll
      for (int k = 0; k < kKeyChunk / 16; ++k) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> p_frag;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::row_major> v_frag;
        wmma::load_matrix_sync(p_frag, probs + k * 16, S::kLdProbs);
        wmma::load_matrix_sync(v_frag, v_s + k * 16 * S::kLdHalf + n * 16, S::kLdHalf);
        wmma::mma_sync(acc, p_frag, v_frag, acc);
      }
      wmma::store_matrix_sync(out + n * 16, acc, S::kLdOut, wmma::mem_row_major);
    }
    __syncthreads();  // every warp is done with this chunk's buffer before it is refilled
  }

  // Two features per lane and store, each row divided by its sum.
  __half* y_sample = y + static_cast<std::int64_t>(blockIdx.z) * tokens * dim;
  for (int i = lane; i < kRowsPerWarp * D / 2; i += 32) {
    const int r = 2 * i / D, c = 2 * i % D;
    const int token = first_query + warp * kRowsPerWarp + r;
    if (token >= tokens) continue;
    const float inv = 1.0f / row_sum[r];
    const float* o = out + r * S::kLdOut + c;
    *reinterpret_cast<__half2*>(y_sample + static_cast<std::int64_t>(token) * dim + head_column + c) =
        __floats2half2_rn(o[0] * inv, o[1] * inv);
  }
}

template <class F>
void with_head_dim(std::int64_t head_dim, F&& f) {
  switch (head_dim) {
    case 32: return f(std::integral_constant<int, 32>{});
    case 64: return f(std::integral_constant<int, 64>{});
    case 128: return f(std::integral_constant<int, 128>{});
    default: throw std::invalid_argument("fused_attention: head size " + std::to_string(head_dim) + " not 32, 64 or 128");
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
  with_head_dim(shape.head_dim(), [&](auto d) {
    constexpr int D = decltype(d)::value;
    SGPRS_CUDA_CALL(cudaFuncSetAttribute(fused_attention_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(Smem<D>::kBytes)));
  });
}

void fused_attention(const AttentionShape& s, const void* qkv, void* y, cudaStream_t stream) {
  with_head_dim(s.head_dim(), [&](auto d) {
    constexpr int D = decltype(d)::value;
    const dim3 grid(static_cast<unsigned>((s.tokens + kQueryRows - 1) / kQueryRows), static_cast<unsigned>(s.heads),
                    static_cast<unsigned>(s.batch));
    const float scale_log2 = static_cast<float>(M_LOG2E / std::sqrt(static_cast<double>(D)));
    fused_attention_kernel<D><<<grid, kWarps * 32, Smem<D>::kBytes, stream>>>(
        static_cast<const __half*>(qkv), static_cast<__half*>(y), static_cast<int>(s.tokens), static_cast<int>(s.dim),
        scale_log2);
  });
  SGPRS_CUDA_CALL(cudaGetLastError());
}

}  // namespace sgprs::profiler::ops
