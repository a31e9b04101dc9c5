#pragma once
// Builders of the op families, one source file each; make_layer_op (kernel_ops.cpp) dispatches.
#include "profiler/ops/layer_ops.hpp"

namespace sgprs::profiler::ops {

// cudnn_ops.cpp: conv2d, maxpool2d, avgpool2d, relu, relu6.
std::unique_ptr<LayerOp> make_conv2d(const LayerSpec& spec, Precision precision, const TensorRef& x,
                                     const TensorRef& y);
std::unique_ptr<LayerOp> make_pool2d(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y);
std::unique_ptr<LayerOp> make_cudnn_activation(const LayerSpec& spec, DType dtype, const TensorRef& x,
                                               const TensorRef& y);

// blas_ops.cpp: linear (cuBLASLt), attention_scores and attention_context (cuBLAS batched).
std::unique_ptr<LayerOp> make_linear(const LayerSpec& spec, DType dtype, const TensorRef& x, const TensorRef& y);
std::unique_ptr<LayerOp> make_attention(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y);

// kernel_ops.cpp: everything else, on the project's kernels.
std::unique_ptr<LayerOp> make_kernel_op(const LayerSpec& spec, DType dtype, const std::vector<TensorRef>& inputs,
                                        const TensorRef& y);

}  // namespace sgprs::profiler::ops
