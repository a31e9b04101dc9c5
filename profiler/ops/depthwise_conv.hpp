#pragma once
// The project's own depthwise convolution (groups == input channels == output channels), the
// default for such layers (SGPRS_DEPTHWISE=cudnn goes back to cuDNN: library_notes.hpp).
// Why: at batch 1, NCHW, cuDNN's depthwise engines are compute-bound where the work is a memory
// pass: on the H200 (cuDNN 9.14) the op case dwconv3x3_144c_56 took 65 us at 8 SMs and only reached
// 5.8 us on all 132, so MobileNet-V2 ran at 1.5-1.9x PyTorch's time on small partitions, PyTorch
// running fp32 depthwise layers on a direct kernel of its own (traces/profiles/runs/h200-torch-compare.md).
//
// A block stages the input rows of a tile (a run of output rows of one plane, or several whole
// small planes) in shared memory as float, zero padding included, with coalesced loads; its
// threads then each compute outputs of the tile in turn, one at a time, from shared memory with
// the channel's filter in registers, and store them coalesced along the rows. The tile size is
// chosen for the partition (depthwise_tiling), so 8 SMs get large tiles (little halo re-read)
// and the whole GPU gets enough blocks. Arithmetic is float for both dtypes, the filter taps
// summed in row-major order, then the bias added (the cuDNN path's order: convolution, then
// cudnnAddTensor); only fp16's rounding of the convolution before the bias differs.
#include "profiler/ops/dtype.hpp"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace sgprs::profiler::ops {

/// An NCHW depthwise convolution: `channels` planes per sample, one kh x kw filter each
/// (weights [channels, 1, kh, kw]), no dilation.
struct DepthwiseShape {
  std::int64_t batch = 1, channels = 1, h = 1, w = 1;
  std::int64_t kh = 3, kw = 3, sh = 1, sw = 1, ph = 0, pw = 0;
  std::int64_t oh() const { return (h + 2 * ph - kh) / sh + 1; }
  std::int64_t ow() const { return (w + 2 * pw - kw) / sw + 1; }
};

/// How one launch covers the output: block b computes output rows [t * rows, (t + 1) * rows) of
/// the planes [g * planes, (g + 1) * planes) (plane = sample * channels + channel), where
/// g = b / row_tiles and t = b % row_tiles; the last tile of each kind may be short. Either
/// planes == 1 or rows covers a whole plane (row_tiles == 1).
struct DepthwiseTiling {
  int planes = 1;
  int rows = 1;
  int row_tiles = 1;
  unsigned blocks = 0;   // 0: the shape does not fit (see depthwise_direct_fits)
  unsigned threads = 0;
  std::size_t shared_bytes = 0;
};

/// The tiling for a partition of `sm_count` SMs (> 0; the caller resolves "whole GPU"): the
/// largest tile (up to 1024 outputs, four a thread) that still gives every SM about eight blocks,
/// down to 64 outputs a block. Host only; no GPU needed.
DepthwiseTiling depthwise_tiling(const DepthwiseShape& shape, int sm_count);

/// Whether the kernel takes the shape: one output row's input fits in 48 KiB of shared memory
/// and every index fits in 32 bits. Other shapes stay on cuDNN.
bool depthwise_direct_fits(const DepthwiseShape& shape);

/// y = depthwise conv(x, weight) (+ bias[channel] where bias is not null), all of `dtype`, with
/// `tiling` from depthwise_tiling for this shape. Only enqueues (graph-capturable).
void depthwise_conv2d(DType dtype, const DepthwiseShape& shape, const DepthwiseTiling& tiling, const void* x,
                      const void* weight, const void* bias, void* y, cudaStream_t stream);

}  // namespace sgprs::profiler::ops
