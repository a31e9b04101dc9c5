#pragma once
// Element type of a model instance's weights and activations. fp32 computes in strict FP32
// (no TF32: cuDNN FMA math, cuBLAS 32F compute); fp16 stores half and uses tensor cores with
// float accumulation.
#include <cstddef>
#include <string_view>

namespace sgprs::profiler {

enum class DType { kFp32, kFp16 };

/// "fp32" or "fp16"; anything else throws sgprs::InputError("--dtype", "", ...).
DType parse_dtype(std::string_view text);
std::string_view dtype_name(DType dtype);
inline std::size_t dtype_bytes(DType dtype) { return dtype == DType::kFp16 ? 2 : 4; }

}  // namespace sgprs::profiler
