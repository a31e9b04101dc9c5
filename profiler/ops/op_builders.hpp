#pragma once
// Builders of the op families, one source file each; make_layer_op (kernel_ops.cpp) dispatches.
#include "profiler/ops/layer_ops.hpp"

namespace sgprs::profiler::ops {

// cudnn_ops.cpp: conv2d (cuDNN, the direct depthwise kernel or, for 1x1, cuBLASLt), maxpool2d, avgpool2d.
std::unique_ptr<LayerOp> make_conv2d(const LayerSpec& spec, Precision precision, const TensorRef& x,
                                     const TensorRef& y);
std::unique_ptr<LayerOp> make_pool2d(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y);

// blas_ops.cpp: linear (cuBLASLt, or a kernel for a few rows), attention_scores and
// attention_context (cuBLASLt, batched over heads), and a plain 1x1 convolution as a matmul (cuBLASLt).
std::unique_ptr<LayerOp> make_linear(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y);
/// Whether `spec` on input `x` is a 1x1 convolution that make_gemm_conv1x1 takes: stride 1, no
/// padding, one group, no bias.
bool gemm_conv1x1_fits(const LayerSpec& spec, const TensorRef& x);
std::unique_ptr<LayerOp> make_gemm_conv1x1(const LayerSpec& spec, Precision precision, const TensorRef& x,
                                           const TensorRef& y);
std::unique_ptr<LayerOp> make_attention(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y);

// kernel_ops.cpp: everything else, on the project's kernels.
std::unique_ptr<LayerOp> make_kernel_op(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y);

}  // namespace sgprs::profiler::ops
