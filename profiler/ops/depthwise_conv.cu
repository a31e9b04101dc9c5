#include "profiler/ops/depthwise_conv.hpp"

#include "profiler/cuda_check.hpp"

#include <cuda_fp16.h>

#include <algorithm>
#include <climits>

namespace sgprs::profiler::ops {

namespace {

constexpr int kMaxThreads = 256;
constexpr std::size_t kMaxShared = 48 * 1024;  // the most a launch gets without opting in
constexpr int kBlocksPerSm = 8;                // 8 x 256 threads: a full SM
constexpr int kMaxOutputsPerBlock = 1024;
constexpr int kMinOutputsPerBlock = 64;

__device__ __forceinline__ float load(const float* p, std::int64_t i) { return __ldg(p + i); }
__device__ __forceinline__ float load(const __half* p, std::int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float* p, std::int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half* p, std::int64_t i, float v) { p[i] = __float2half(v); }

struct Params {
  int planes_total, channels, h, w, oh, ow, kh, kw, sh, sw, ph, pw;
  int tile_planes, tile_rows, row_tiles;
};

// Position of a flat index i = start, start + step, ... in [planes][rows][cols], moved by adding
// the step's own decomposition: integer division costs as much as the convolution's arithmetic,
// so it is done once per thread, not once per element.
struct Walk {
  int g, r, c;
  int dg, dr, dc;
  __device__ Walk(int start, int step, int rows, int cols) {
    int line = start / cols;
    c = start - line * cols;
    g = line / rows;
    r = line - g * rows;
    line = step / cols;
    dc = step - line * cols;
    dg = line / rows;
    dr = line - dg * rows;
  }
  __device__ __forceinline__ void advance(int rows, int cols) {
    c += dc;
    r += dr;
    g += dg;
    if (c >= cols) {
      c -= cols;
      ++r;
    }
    if (r >= rows) {  // r <= 2 rows - 1 here, since dr < rows
      r -= rows;
      ++g;
    }
  }
};

// KH, KW > 0: filter size known at compile time (taps in registers); 0: the runtime p.kh, p.kw.
template <class T, int KH, int KW>
__global__ void __launch_bounds__(kMaxThreads)
    depthwise_kernel(const T* __restrict__ x, const T* __restrict__ weight, const T* __restrict__ bias,
                     T* __restrict__ y, Params p) {
  extern __shared__ float smem[];
  const int kh = KH > 0 ? KH : p.kh;
  const int kw = KW > 0 ? KW : p.kw;
  const int taps = kh * kw;
  const int group = static_cast<int>(blockIdx.x) / p.row_tiles;
  const int tile = static_cast<int>(blockIdx.x) - group * p.row_tiles;
  const int plane0 = group * p.tile_planes;
  const int planes = min(p.tile_planes, p.planes_total - plane0);
  const int oy0 = tile * p.tile_rows;
  const int rows = min(p.tile_rows, p.oh - oy0);
  const int in_rows = (rows - 1) * p.sh + kh;
  const int in_w = (p.ow - 1) * p.sw + kw;
  const int plane_in = in_rows * in_w;
  const int iy0 = oy0 * p.sh - p.ph;
  float* const s_in = smem;
  float* const s_w = smem + planes * plane_in;
  float* const s_b = s_w + planes * taps;
  const int tid = static_cast<int>(threadIdx.x);
  const int step = static_cast<int>(blockDim.x);

  {
    const int count = planes * plane_in;
    const std::int64_t hw = static_cast<std::int64_t>(p.h) * p.w;
    Walk at(tid, step, in_rows, in_w);
#pragma unroll 4
    for (int i = tid; i < count; i += step) {
      const int iy = iy0 + at.r, ix = at.c - p.pw;
      float v = 0.0f;
      if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) v = load(x, (plane0 + at.g) * hw + iy * p.w + ix);
      s_in[i] = v;
      at.advance(in_rows, in_w);
    }
  }
  for (int i = tid; i < planes * taps; i += step) {
    const int g = i / taps;
    s_w[i] = load(weight, static_cast<std::int64_t>((plane0 + g) % p.channels) * taps + (i - g * taps));
  }
  for (int g = tid; g < planes; g += step) s_b[g] = bias != nullptr ? load(bias, (plane0 + g) % p.channels) : 0.0f;
  __syncthreads();

  const int count = planes * rows * p.ow;
  const std::int64_t ohw = static_cast<std::int64_t>(p.oh) * p.ow;
  const int row_step = p.sh * in_w;
  Walk at(tid, step, rows, p.ow);
  // The taps of the plane last used: a thread's outputs change plane rarely (never when a tile is
  // one plane), so the filter stays in registers.
  constexpr int kRegTaps = KH > 0 && KW > 0 ? KH * KW : 1;
  float w_reg[kRegTaps];
  float b_reg = 0.0f;
  int w_plane = -1;
  for (int i = tid; i < count; i += step) {
    const float* in = s_in + at.g * plane_in + at.r * row_step + at.c * p.sw;
    float acc = 0.0f;
    if constexpr (KH > 0 && KW > 0) {
      if (at.g != w_plane) {
        w_plane = at.g;
#pragma unroll
        for (int k = 0; k < kRegTaps; ++k) w_reg[k] = s_w[at.g * kRegTaps + k];
        b_reg = s_b[at.g];
      }
#pragma unroll
      for (int a = 0; a < KH; ++a)
#pragma unroll
        for (int b = 0; b < KW; ++b) acc = fmaf(in[a * in_w + b], w_reg[a * KW + b], acc);
    } else {
      const float* wk = s_w + at.g * taps;
      for (int a = 0; a < kh; ++a)
        for (int b = 0; b < kw; ++b) acc = fmaf(in[a * in_w + b], wk[a * kw + b], acc);
      b_reg = s_b[at.g];
    }
    // Added after the sum, as cudnnAddTensor adds it after the convolution.
    if (bias != nullptr) acc += b_reg;
    store(y, (plane0 + at.g) * ohw + (oy0 + at.r) * p.ow + at.c, acc);
    at.advance(rows, p.ow);
  }
}

// Shared memory of a tile of `planes` planes x `rows` output rows.
std::size_t tile_bytes(const DepthwiseShape& s, std::int64_t planes, std::int64_t rows) {
  const std::int64_t in_rows = (rows - 1) * s.sh + s.kh;
  const std::int64_t in_w = (s.ow() - 1) * s.sw + s.kw;
  return static_cast<std::size_t>(planes * (in_rows * in_w + s.kh * s.kw + 1)) * sizeof(float);
}

// The tile of about `outputs` outputs (whole rows; whole planes where a plane is smaller),
// shrunk until it fits in shared memory; blocks == 0 where not even one row does.
DepthwiseTiling tiling_of(const DepthwiseShape& s, std::int64_t outputs) {
  const std::int64_t planes_total = s.batch * s.channels, oh = s.oh(), ow = s.ow(), per_plane = oh * ow;
  std::int64_t planes = 1, rows = oh;
  if (per_plane >= outputs) rows = std::clamp<std::int64_t>(outputs / ow, 1, oh);
  else planes = std::clamp<std::int64_t>(outputs / per_plane, 1, planes_total);
  while (planes > 1 && tile_bytes(s, planes, rows) > kMaxShared) planes /= 2;
  while (rows > 1 && tile_bytes(s, planes, rows) > kMaxShared) rows /= 2;
  DepthwiseTiling t;
  if (tile_bytes(s, planes, rows) > kMaxShared) return t;
  // As many tiles, evened out: 56 rows as 14 + 14 + 14 + 14, not 18 + 18 + 18 + 2.
  const std::int64_t row_tiles = (oh + rows - 1) / rows;
  const std::int64_t groups = (planes_total + planes - 1) / planes;
  rows = (oh + row_tiles - 1) / row_tiles;
  planes = (planes_total + groups - 1) / groups;
  const std::int64_t blocks = groups * row_tiles;
  if (blocks > INT_MAX) return t;
  t.planes = static_cast<int>(planes);
  t.rows = static_cast<int>(rows);
  t.row_tiles = static_cast<int>(row_tiles);
  t.blocks = static_cast<unsigned>(blocks);
  const std::int64_t tile_outputs = planes * rows * ow;
  t.threads = static_cast<unsigned>(std::clamp<std::int64_t>((tile_outputs + 31) / 32 * 32, 32, kMaxThreads));
  t.shared_bytes = tile_bytes(s, planes, rows);
  return t;
}

bool indices_fit(const DepthwiseShape& s) {
  const std::int64_t planes = s.batch * s.channels;
  const std::int64_t in_w = (s.ow() - 1) * s.sw + s.kw;
  return s.oh() >= 1 && s.ow() >= 1 && planes <= INT_MAX && s.h * s.w <= INT_MAX && s.oh() * s.ow() <= INT_MAX &&
         in_w <= INT_MAX / s.sh;
}

template <class T>
void launch(const DepthwiseShape& s, const DepthwiseTiling& t, const void* x, const void* weight, const void* bias,
            void* y, cudaStream_t stream) {
  const Params p{static_cast<int>(s.batch * s.channels), static_cast<int>(s.channels), static_cast<int>(s.h),
                 static_cast<int>(s.w), static_cast<int>(s.oh()), static_cast<int>(s.ow()), static_cast<int>(s.kh),
                 static_cast<int>(s.kw), static_cast<int>(s.sh), static_cast<int>(s.sw), static_cast<int>(s.ph),
                 static_cast<int>(s.pw), t.planes, t.rows, t.row_tiles};
  const auto* xt = static_cast<const T*>(x);
  const auto* wt = static_cast<const T*>(weight);
  const auto* bt = static_cast<const T*>(bias);
  auto* yt = static_cast<T*>(y);
  // 3x3 is every depthwise layer of the shipped models (MobileNet-V2); other sizes run generic.
  if (s.kh == 3 && s.kw == 3)
    depthwise_kernel<T, 3, 3><<<t.blocks, t.threads, t.shared_bytes, stream>>>(xt, wt, bt, yt, p);
  else
    depthwise_kernel<T, 0, 0><<<t.blocks, t.threads, t.shared_bytes, stream>>>(xt, wt, bt, yt, p);
  SGPRS_CUDA_CHECK_LAUNCH();
}

}  // namespace

DepthwiseTiling depthwise_tiling(const DepthwiseShape& shape, int sm_count) {
  if (!indices_fit(shape)) return {};
  const std::int64_t wanted_blocks = static_cast<std::int64_t>(kBlocksPerSm) * std::max(sm_count, 1);
  DepthwiseTiling t;
  for (int outputs = kMaxOutputsPerBlock; outputs >= kMinOutputsPerBlock; outputs /= 2) {
    t = tiling_of(shape, outputs);
    if (t.blocks == 0 || t.blocks >= wanted_blocks) break;
  }
  return t;
}

bool depthwise_direct_fits(const DepthwiseShape& shape) { return depthwise_tiling(shape, 1).blocks > 0; }

void depthwise_conv2d(DType dtype, const DepthwiseShape& shape, const DepthwiseTiling& tiling, const void* x,
                      const void* weight, const void* bias, void* y, cudaStream_t stream) {
  if (tiling.blocks == 0) return;
  if (dtype == DType::kFp16) launch<__half>(shape, tiling, x, weight, bias, y, stream);
  else launch<float>(shape, tiling, x, weight, bias, y, stream);
}

}  // namespace sgprs::profiler::ops
