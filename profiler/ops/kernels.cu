#include "profiler/ops/kernels.hpp"

#include "profiler/cuda_check.hpp"

#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <stdexcept>
#include <string>

namespace sgprs::profiler::ops {

namespace {

constexpr int kBlock = 256;
constexpr int kWarpsPerBlock = kBlock / 32;

__device__ __forceinline__ float load(const float* p, std::int64_t i) { return p[i]; }
__device__ __forceinline__ float load(const __half* p, std::int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float* p, std::int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half* p, std::int64_t i, float v) { p[i] = __float2half(v); }

// 16-byte packs: one 128-bit load or store moves 4 floats or 8 halves. The streaming kernels below
// use them wherever the data allows (element count a multiple of the pack, 16-byte aligned
// pointers): with one 32- or 16-bit access per element they issued too many instructions to keep
// up with the memory on a small partition.
template <class T, int N>
struct alignas(sizeof(T) * N) Pack {
  T v[N];
};
template <class T>
constexpr int kPackWidth = 16 / static_cast<int>(sizeof(T));

__device__ __forceinline__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Grid-stride loops: enough blocks to cover the data once, capped far above any SM count.
unsigned blocks_for(std::int64_t count) {
  const std::int64_t blocks = (count + kBlock - 1) / kBlock;
  return static_cast<unsigned>(std::clamp<std::int64_t>(blocks, 1, std::int64_t{1} << 20));
}
// Streaming element-wise kernels give each thread kItemsPerThread elements: one element per
// thread made a block per 256 elements, and on an 8-SM partition issuing those blocks cost more
// than the memory traffic (ReLU and residual adds took 2-3x PyTorch's time there; kernel report of
// 2026-12-03, traces/profiles/runs/h200-kernels-2026-12-03/kernels-before.md).
constexpr int kItemsPerThread = 4;
unsigned blocks_for_streaming(std::int64_t count) {
  const std::int64_t per_block = std::int64_t{kBlock} * kItemsPerThread;
  return static_cast<unsigned>(std::clamp<std::int64_t>((count + per_block - 1) / per_block, 1, std::int64_t{1} << 20));
}
// Blocks for `count` elements moved `width` at a time: one pack per thread, or kItemsPerThread
// plain elements per thread.
unsigned streaming_blocks(std::int64_t count, int width) {
  return width > 1 ? blocks_for(count / width) : blocks_for_streaming(count);
}
unsigned blocks_for_rows(std::int64_t rows) {
  const std::int64_t blocks = (rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  return static_cast<unsigned>(std::clamp<std::int64_t>(blocks, 1, std::int64_t{1} << 20));
}

#define SGPRS_GRID_STRIDE(i, n)                                                                  \
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)

__device__ __forceinline__ std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

template <class T>
__global__ void fill_uniform_kernel(T* data, std::int64_t n, std::uint64_t seed, float lo, float hi) {
  SGPRS_GRID_STRIDE(i, n) {
    const std::uint64_t h = splitmix64(seed * 0x632be59bd9b4e019ull + static_cast<std::uint64_t>(i));
    const float u = static_cast<float>(h >> 40) * (1.0f / 16777216.0f);
    store(data, i, lo + (hi - lo) * u);
  }
}

template <class T>
__global__ void to_float_kernel(const T* src, float* dst, std::int64_t n) {
  SGPRS_GRID_STRIDE(i, n) dst[i] = load(src, i);
}
template <class T>
__global__ void from_float_kernel(const float* src, T* dst, std::int64_t n) {
  SGPRS_GRID_STRIDE(i, n) store(dst, i, src[i]);
}

// One block column (blockIdx.x) per plane (one channel of one sample): the channel and its scale
// are worked out once per thread instead of a 64-bit division, four parameter loads and a rsqrt
// per element, which made this kernel 3x PyTorch's (cuDNN's) time on 8 SMs.
// N elements per pack (1: plain elements); `inner` counts packs.
template <class T, int N>
__global__ void batchnorm_kernel(const T* x, T* y, const T* gamma, const T* beta, const T* mean, const T* var,
                                 std::int64_t channels, std::int64_t inner, float eps) {
  const std::int64_t plane = blockIdx.x;
  const std::int64_t c = plane % channels;
  const float scale = load(gamma, c) * rsqrtf(load(var, c) + eps);
  const float m = load(mean, c);
  const float b = load(beta, c);
  const auto* xp = reinterpret_cast<const Pack<T, N>*>(x) + plane * inner;
  auto* yp = reinterpret_cast<Pack<T, N>*>(y) + plane * inner;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.y) * blockDim.x + threadIdx.x; j < inner;
       j += static_cast<std::int64_t>(gridDim.y) * blockDim.x) {
    const Pack<T, N> in = xp[j];
    Pack<T, N> out;
#pragma unroll
    for (int k = 0; k < N; ++k) store(out.v, k, (load(in.v, k) - m) * scale + b);
    yp[j] = out;
  }
}

__device__ __forceinline__ float pointwise_value(Pointwise op, float v) {
  switch (op) {
    case Pointwise::kRelu: return fmaxf(v, 0.0f);
    case Pointwise::kRelu6: return fminf(fmaxf(v, 0.0f), 6.0f);
    default: return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));  // exact (erf) GELU
  }
}

template <class T, int N>
__global__ void pointwise_kernel(Pointwise op, const T* x, T* y, std::int64_t packs) {
  SGPRS_GRID_STRIDE(i, packs) {
    const Pack<T, N> in = reinterpret_cast<const Pack<T, N>*>(x)[i];
    Pack<T, N> out;
#pragma unroll
    for (int k = 0; k < N; ++k) store(out.v, k, pointwise_value(op, load(in.v, k)));
    reinterpret_cast<Pack<T, N>*>(y)[i] = out;
  }
}

template <class T, int N>
__global__ void add_kernel(const T* a, const T* b, T* y, std::int64_t packs) {
  SGPRS_GRID_STRIDE(i, packs) {
    const Pack<T, N> pa = reinterpret_cast<const Pack<T, N>*>(a)[i];
    const Pack<T, N> pb = reinterpret_cast<const Pack<T, N>*>(b)[i];
    Pack<T, N> out;
#pragma unroll
    for (int k = 0; k < N; ++k) store(out.v, k, load(pa.v, k) + load(pb.v, k));
    reinterpret_cast<Pack<T, N>*>(y)[i] = out;
  }
}

/// Calls body(std::integral_constant<int, W>{}) with W = T's pack width when `count` elements at
/// every pointer can move in packs (a whole number of them, 16-byte aligned), else with W = 1.
template <class T, class Body>
void with_pack_width(std::int64_t count, std::initializer_list<const void*> pointers, Body&& body) {
  bool packed = count % kPackWidth<T> == 0;
  for (const void* p : pointers) packed = packed && reinterpret_cast<std::uintptr_t>(p) % 16 == 0;
  if (packed)
    body(std::integral_constant<int, kPackWidth<T>>{});
  else
    body(std::integral_constant<int, 1>{});
}

template <class T>
__global__ void copy_into_slice_kernel(const T* x, T* y, std::int64_t outer, std::int64_t x_inner,
                                       std::int64_t y_inner, std::int64_t offset) {
  SGPRS_GRID_STRIDE(i, outer * x_inner) {
    const std::int64_t o = i / x_inner;
    y[o * y_inner + offset + (i - o * x_inner)] = x[i];
  }
}

template <class T>
__global__ void upsample_kernel(const T* x, T* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                                std::int64_t scale) {
  const std::int64_t oh = h * scale, ow = w * scale;
  SGPRS_GRID_STRIDE(i, planes * oh * ow) {
    const std::int64_t ox = i % ow;
    const std::int64_t oy = (i / ow) % oh;
    const std::int64_t p = i / (ow * oh);
    y[i] = x[(p * h + oy / scale) * w + ox / scale];
  }
}

// One warp per row in the three row kernels below.
template <class T>
__global__ void global_avgpool_kernel(const T* x, T* y, std::int64_t rows, std::int64_t cols) {
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = threadIdx.x % 32;
  const T* in = x + row * cols;
  float sum = 0.0f;
  for (std::int64_t j = lane; j < cols; j += 32) sum += load(in, j);
  sum = warp_sum(sum);
  if (lane == 0) store(y, row, sum / static_cast<float>(cols));
}

template <class T>
__global__ void softmax_kernel(const T* x, T* y, std::int64_t rows, std::int64_t cols) {
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = threadIdx.x % 32;
  const T* in = x + row * cols;
  T* out = y + row * cols;
  float m = -INFINITY;
  for (std::int64_t j = lane; j < cols; j += 32) m = fmaxf(m, load(in, j));
  m = warp_max(m);
  float sum = 0.0f;
  for (std::int64_t j = lane; j < cols; j += 32) sum += __expf(load(in, j) - m);
  const float inv = 1.0f / warp_sum(sum);
  for (std::int64_t j = lane; j < cols; j += 32) store(out, j, __expf(load(in, j) - m) * inv);
}

// Sum over the block, returned to every thread; `partial` holds one float per warp and may be
// reused after the call.
__device__ __forceinline__ float block_sum(float v, float* partial) {
  v = warp_sum(v);
  const int warps = static_cast<int>(blockDim.x) / 32;
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = v;
  __syncthreads();
  float total = 0.0f;
  for (int w = 0; w < warps; ++w) total += partial[w];
  __syncthreads();
  return total;
}

// One block per row. With one warp per row, ViT-B/16's 197 token rows made 25 blocks, so on 132
// SMs its 25 layer norms took 3x PyTorch's time (259 against 88 us, fp16; kernel report of
// 2026-12-03, traces/profiles/runs/h200-kernels-2026-12-03/call4-depthwise-packs/kernels.md).
// `units` counts packs of N elements per row; the row is read three times, from L1 after the first.
template <class T, int N>
__global__ void layernorm_kernel(const T* x, T* y, const T* gamma, const T* beta, std::int64_t units,
                                 std::int64_t cols, float eps) {
  __shared__ float partial[kWarpsPerBlock];
  const std::int64_t row = blockIdx.x;
  const auto* in = reinterpret_cast<const Pack<T, N>*>(x + row * cols);
  auto* out = reinterpret_cast<Pack<T, N>*>(y + row * cols);
  const auto* g = reinterpret_cast<const Pack<T, N>*>(gamma);
  const auto* b = reinterpret_cast<const Pack<T, N>*>(beta);
  float sum = 0.0f;
  for (std::int64_t j = threadIdx.x; j < units; j += blockDim.x) {
    const Pack<T, N> p = in[j];
#pragma unroll
    for (int k = 0; k < N; ++k) sum += load(p.v, k);
  }
  const float mean = block_sum(sum, partial) / static_cast<float>(cols);
  float sq = 0.0f;  // two passes: the variance of centred values does not cancel catastrophically
  for (std::int64_t j = threadIdx.x; j < units; j += blockDim.x) {
    const Pack<T, N> p = in[j];
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const float d = load(p.v, k) - mean;
      sq += d * d;
    }
  }
  const float rstd = rsqrtf(block_sum(sq, partial) / static_cast<float>(cols) + eps);
  for (std::int64_t j = threadIdx.x; j < units; j += blockDim.x) {
    const Pack<T, N> p = in[j], pg = g[j], pb = b[j];
    Pack<T, N> o;
#pragma unroll
    for (int k = 0; k < N; ++k) store(o.v, k, (load(p.v, k) - mean) * rstd * load(pg.v, k) + load(pb.v, k));
    out[j] = o;
  }
}

// y[r][o] = x[r] . w[o] (+ bias[o]) for up to kFewRows rows r, one warp per output feature o:
// the classifier of a batch-1 model is a matrix-vector product, for which cuBLASLt, told a small
// partition's SM count, chose a kernel of 16 blocks that took 107 us for MobileNet-V2's 1280 x 1000
// on 8 SMs, against PyTorch's 27 (kernel report above). `units` counts packs of N per row.
template <class T, int N>
__global__ void few_rows_linear_kernel(const T* x, const T* w, const T* bias, T* y, int rows, std::int64_t units,
                                       std::int64_t in, std::int64_t out) {
  const std::int64_t o = static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (o >= out) return;
  const int lane = threadIdx.x % 32;
  const auto* wp = reinterpret_cast<const Pack<T, N>*>(w + o * in);
  float acc[kFewRows] = {};
  for (std::int64_t j = lane; j < units; j += 32) {
    const Pack<T, N> pw = wp[j];
#pragma unroll
    for (int r = 0; r < kFewRows; ++r) {
      if (r >= rows) break;
      const Pack<T, N> px = reinterpret_cast<const Pack<T, N>*>(x + r * in)[j];
#pragma unroll
      for (int k = 0; k < N; ++k) acc[r] = fmaf(load(pw.v, k), load(px.v, k), acc[r]);
    }
  }
  const float b = bias != nullptr ? load(bias, o) : 0.0f;
#pragma unroll
  for (int r = 0; r < kFewRows; ++r) {
    if (r >= rows) break;
    const float s = warp_sum(acc[r]);
    if (lane == 0) store(y, r * out + o, s + b);
  }
}

template <class T>
__global__ void patch_tokens_kernel(const T* x, T* y, const T* cls, const T* pos, std::int64_t batch,
                                    std::int64_t dim, std::int64_t patches) {
  const std::int64_t tokens = patches + 1;
  SGPRS_GRID_STRIDE(i, batch * tokens * dim) {
    const std::int64_t d = i % dim;
    const std::int64_t t = (i / dim) % tokens;
    const std::int64_t b = i / (dim * tokens);
    const float v = t == 0 ? load(cls, d) : load(x, (b * dim + d) * patches + (t - 1));
    store(y, i, v + load(pos, t * dim + d));
  }
}

template <class T>
__global__ void take_token_kernel(const T* x, T* y, std::int64_t batch, std::int64_t tokens, std::int64_t dim,
                                  std::int64_t index) {
  SGPRS_GRID_STRIDE(i, batch * dim) {
    const std::int64_t b = i / dim;
    y[i] = x[(b * tokens + index) * dim + (i - b * dim)];
  }
}

// Runs `launch` with the element type of `dtype`.
template <class F>
void with_type(DType dtype, F&& launch) {
  if (dtype == DType::kFp16) launch(static_cast<__half*>(nullptr));
  else launch(static_cast<float*>(nullptr));
}

__global__ void spin_kernel(std::int64_t ns) {
  std::uint64_t start = 0, now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (static_cast<std::int64_t>(now - start) < ns);
}

template <class T>
T* typed(void* p) {
  return static_cast<T*>(p);
}
template <class T>
const T* typed(const void* p) {
  return static_cast<const T*>(p);
}

void check_launch() { SGPRS_CUDA_CALL(cudaGetLastError()); }

}  // namespace

void fill_uniform(DType dtype, void* data, std::int64_t count, std::uint64_t seed, float lo, float hi,
                  cudaStream_t stream) {
  if (count == 0) return;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    fill_uniform_kernel<<<blocks_for(count), kBlock, 0, stream>>>(typed<T>(data), count, seed, lo, hi);
  });
  check_launch();
}

void to_float(DType dtype, const void* src, float* dst, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    to_float_kernel<<<blocks_for(count), kBlock, 0, stream>>>(typed<T>(src), dst, count);
  });
  check_launch();
}

void from_float(DType dtype, const float* src, void* dst, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    from_float_kernel<<<blocks_for(count), kBlock, 0, stream>>>(src, typed<T>(dst), count);
  });
  check_launch();
}

void batchnorm_inference(DType dtype, const void* x, void* y, const void* gamma, const void* beta, const void* mean,
                         const void* var, std::int64_t outer, std::int64_t channels, std::int64_t inner, float eps,
                         cudaStream_t stream) {
  const std::int64_t planes = outer * channels;
  if (planes <= 0 || inner <= 0) return;
  if (planes > std::int64_t{0x7fffffff}) throw std::invalid_argument("batchnorm_inference: more than 2^31 - 1 planes");
  // Threads: the plane rounded up to whole warps, at most kBlock; blocks per plane: enough for
  // kItemsPerThread elements per thread (grid y is limited to 65535).
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    with_pack_width<T>(inner, {x, y}, [&](auto width) {
      constexpr int kWidth = decltype(width)::value;
      const std::int64_t units = inner / kWidth;  // packs (or elements) per plane
      const int threads = static_cast<int>(std::min<std::int64_t>(kBlock, (units + 31) / 32 * 32));
      const std::int64_t per_block = std::int64_t{threads} * (kWidth > 1 ? 1 : kItemsPerThread);
      const unsigned chunks =
          static_cast<unsigned>(std::clamp<std::int64_t>((units + per_block - 1) / per_block, 1, 65535));
      batchnorm_kernel<T, kWidth><<<dim3(static_cast<unsigned>(planes), chunks), threads, 0, stream>>>(
          typed<T>(x), typed<T>(y), typed<T>(gamma), typed<T>(beta), typed<T>(mean), typed<T>(var), channels, units, eps);
    });
  });
  check_launch();
}

void pointwise(DType dtype, Pointwise op, const void* x, void* y, std::int64_t count, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    with_pack_width<T>(count, {x, y}, [&](auto width) {
      constexpr int kWidth = decltype(width)::value;
      pointwise_kernel<T, kWidth><<<streaming_blocks(count, kWidth), kBlock, 0, stream>>>(op, typed<T>(x), typed<T>(y),
                                                                                          count / kWidth);
    });
  });
  check_launch();
}

void add(DType dtype, const void* a, const void* b, void* y, std::int64_t count, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    with_pack_width<T>(count, {a, b, y}, [&](auto width) {
      constexpr int kWidth = decltype(width)::value;
      add_kernel<T, kWidth><<<streaming_blocks(count, kWidth), kBlock, 0, stream>>>(typed<T>(a), typed<T>(b), typed<T>(y),
                                                                                    count / kWidth);
    });
  });
  check_launch();
}

void copy_into_slice(DType dtype, const void* x, void* y, std::int64_t outer, std::int64_t x_inner,
                     std::int64_t y_inner, std::int64_t offset, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    copy_into_slice_kernel<<<blocks_for(outer * x_inner), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), outer,
                                                                               x_inner, y_inner, offset);
  });
  check_launch();
}

void upsample_nearest(DType dtype, const void* x, void* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                      std::int64_t scale, cudaStream_t stream) {
  const std::int64_t n = planes * h * w * scale * scale;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    upsample_kernel<<<blocks_for(n), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), planes, h, w, scale);
  });
  check_launch();
}

void global_avgpool(DType dtype, const void* x, void* y, std::int64_t planes, std::int64_t size, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    global_avgpool_kernel<<<blocks_for_rows(planes), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), planes, size);
  });
  check_launch();
}

void softmax_rows(DType dtype, const void* x, void* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    softmax_kernel<<<blocks_for_rows(rows), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), rows, cols);
  });
  check_launch();
}

void layernorm_rows(DType dtype, const void* x, void* y, const void* gamma, const void* beta, std::int64_t rows,
                    std::int64_t cols, float eps, cudaStream_t stream) {
  if (rows <= 0 || cols <= 0) return;
  if (rows > std::int64_t{0x7fffffff}) throw std::invalid_argument("layernorm_rows: more than 2^31 - 1 rows");
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    with_pack_width<T>(cols, {x, y, gamma, beta}, [&](auto width) {
      constexpr int kWidth = decltype(width)::value;
      const std::int64_t units = cols / kWidth;
      const int threads = static_cast<int>(std::min<std::int64_t>(kBlock, (units + 31) / 32 * 32));
      layernorm_kernel<T, kWidth><<<static_cast<unsigned>(rows), threads, 0, stream>>>(
          typed<T>(x), typed<T>(y), typed<T>(gamma), typed<T>(beta), units, cols, eps);
    });
  });
  check_launch();
}

void few_rows_linear(DType dtype, const void* x, const void* w, const void* bias, void* y, std::int64_t rows,
                     std::int64_t in, std::int64_t out, cudaStream_t stream) {
  if (rows < 1 || rows > kFewRows) throw std::invalid_argument("few_rows_linear: rows must be 1.." + std::to_string(kFewRows));
  if (in <= 0 || out <= 0) return;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    with_pack_width<T>(in, {x, w}, [&](auto width) {
      constexpr int kWidth = decltype(width)::value;
      few_rows_linear_kernel<T, kWidth><<<blocks_for_rows(out), kBlock, 0, stream>>>(
          typed<T>(x), typed<T>(w), typed<T>(bias), typed<T>(y), static_cast<int>(rows), in / kWidth, in, out);
    });
  });
  check_launch();
}

void patch_tokens(DType dtype, const void* x, void* y, const void* cls, const void* pos, std::int64_t batch,
                  std::int64_t dim, std::int64_t patches, cudaStream_t stream) {
  const std::int64_t n = batch * (patches + 1) * dim;
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    patch_tokens_kernel<<<blocks_for(n), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), typed<T>(cls), typed<T>(pos),
                                                              batch, dim, patches);
  });
  check_launch();
}

void take_token(DType dtype, const void* x, void* y, std::int64_t batch, std::int64_t tokens, std::int64_t dim,
                std::int64_t index, cudaStream_t stream) {
  with_type(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    take_token_kernel<<<blocks_for(batch * dim), kBlock, 0, stream>>>(typed<T>(x), typed<T>(y), batch, tokens, dim,
                                                                      index);
  });
  check_launch();
}

void spin(std::int64_t ns, cudaStream_t stream) {
  spin_kernel<<<1, 1, 0, stream>>>(ns);
  check_launch();
}

}  // namespace sgprs::profiler::ops
