#pragma once
// Element type of a model instance's weights and activations, and the precision a profile
// measures (and a live run executes), recorded in the profile as "precision":
//   fp32  strict FP32: cuDNN FMA math, no TF32 engines, cuBLAS 32F compute
//   tf32  PyTorch's defaults for an fp32 model (torch.backends.cudnn.allow_tf32 on,
//         torch.backends.cuda.matmul.allow_tf32 off): fp32 storage, convolutions may use TF32
//         tensor cores, matmuls stay strict FP32
//   fp16  half storage, tensor cores with float accumulation
#include <cstddef>
#include <string>
#include <string_view>

namespace sgprs::profiler {

enum class DType { kFp32, kFp16 };

/// "fp32" or "fp16"; anything else throws sgprs::InputError("--dtype", "", ...).
DType parse_dtype(std::string_view text);
std::string_view dtype_name(DType dtype);
inline std::size_t dtype_bytes(DType dtype) { return dtype == DType::kFp16 ? 2 : 4; }

enum class Precision { kFp32, kTf32, kFp16 };

/// "fp32", "tf32" or "fp16"; anything else throws sgprs::InputError(source, "", "unknown
/// precision ... (known: fp32, tf32, fp16)").
Precision parse_precision(std::string_view text, const std::string& source = "--precision");
std::string_view precision_name(Precision precision);
inline DType storage_dtype(Precision precision) {
  return precision == Precision::kFp16 ? DType::kFp16 : DType::kFp32;
}
/// The precision of a plain element type: fp32 is strict.
inline Precision strict_precision(DType dtype) { return dtype == DType::kFp16 ? Precision::kFp16 : Precision::kFp32; }
/// Whether fp32 convolutions may take TF32 tensor-core engines (fp16 uses tensor cores anyway).
inline bool convolutions_may_use_tf32(Precision precision) { return precision == Precision::kTf32; }

}  // namespace sgprs::profiler
