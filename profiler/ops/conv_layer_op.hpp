#pragma once
// A convolution's parameters, the same on every path (cuDNN, the direct depthwise kernel, the 1x1
// GEMM), so that the paths compute from the same (seeded) weights and can be compared.
#include "profiler/ops/layer_ops.hpp"

#include <cmath>
#include <cstdint>

namespace sgprs::profiler::ops {

class ConvLayerOp : public LayerOp {
 protected:
  ConvLayerOp(const LayerSpec& spec, DType dtype, std::int64_t in_c) {
    const std::int64_t fan_in = in_c / spec.groups * spec.window.kernel_h * spec.window.kernel_w;
    // Uniform(-a, a) with a = sqrt(3 / fan_in) keeps the activations' second moment steady.
    const float a = static_cast<float>(std::sqrt(3.0 / static_cast<double>(fan_in)));
    weight_ = &add_param(dtype, {spec.out_channels, in_c / spec.groups, spec.window.kernel_h, spec.window.kernel_w},
                         -a, a);
    if (spec.bias) bias_ = &add_param(dtype, {spec.out_channels}, -0.1f, 0.1f);
  }
  Param* weight_ = nullptr;
  Param* bias_ = nullptr;
};

}  // namespace sgprs::profiler::ops
