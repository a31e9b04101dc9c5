#pragma once
// Which library paths the ops took, for the profile's provenance: a convolution runs through
// cuDNN's backend API, whose engine heuristics are told the partition's SM count, when it can,
// else through the legacy API (no SM count); a depthwise one on the project's own kernel
// (depthwise_conv.hpp) unless SGPRS_DEPTHWISE=cudnn; a plain 1x1 one as a cuBLASLt matmul
// unless SGPRS_CONV1X1=cudnn; an fp16 attention layer in one kernel unless SGPRS_ATTENTION=steps.
#include <atomic>
#include <mutex>
#include <string>

namespace sgprs::profiler::ops {

struct ConvPathCounts {
  std::atomic<long> backend_convs{0};       // convolutions with a backend plan for the whole GPU
  std::atomic<long> legacy_convs{0};        // convolutions the backend could not run at all
  std::atomic<long> targeted_plans{0};      // (conv, SM count) plans rebuilt with the SM target
  std::atomic<long> ranked_only_plans{0};   // plans ranked for the SM count, engine as configured
  std::atomic<long> legacy_fallbacks{0};    // (conv, SM count) pairs that fell back to legacy
  std::atomic<long> tuned_plans{0};         // (geometry, SM count) plans timed against alternatives
  std::atomic<long> tuned_changed{0};       // ... where an engine other than the heuristic's first won
  std::atomic<long> direct_depthwise{0};    // depthwise convolutions on the project's kernel, not cuDNN
  std::atomic<long> gemm_conv1x1{0};        // 1x1 convolutions as cuBLASLt matmuls, not cuDNN
  std::atomic<long> fused_attention{0};     // attention layers in one kernel (fused_attention.hpp)
  std::mutex mutex;
  std::string first_problem;                // the first backend error, verbatim
  void note_problem(const std::string& text);
};

ConvPathCounts& conv_path_counts();

/// How convolutions choose their cuDNN engines; read once from the environment, so that an
/// experiment can compare policies without a rebuild. Whether fp32 convolutions may use TF32 is
/// not a policy but the model instance's precision (dtype.hpp; `sgprs profile --precision tf32`,
/// which replaced the variable SGPRS_CUDNN_FP32=tf32):
///   SGPRS_CUDNN_API=legacy          every convolution through the legacy API (no SM target)
///   SGPRS_CUDNN_DETERMINISTIC=1     exclude nondeterministic engines (e.g. split-K with atomics)
///   SGPRS_CUDNN_HEUR=b              backend heuristic mode B instead of A
///   SGPRS_CUDNN_RTC=1               run-time compiled engines in heuristic order (default: last)
///   SGPRS_CUDNN_TARGET=engine       also rebuild the chosen engine with the SM-count target
///                                   (CUDNN_ATTR_ENGINE_SM_COUNT_TARGET). Off by default: on the
///                                   H100 (cuDNN 9.14) the rebuilt engines ran ResNet-18 fp16 at
///                                   589 us against 400 us for the heuristic's own configuration
///                                   (whole GPU, told 132 SMs), the legacy API's speed.
///   SGPRS_CUDNN_AUTOTUNE=1          the first eager run of each (geometry, SM count) on its
///                                   partition's stream times the heuristic's first 6 engines and
///                                   keeps the fastest (what PyTorch's cudnn.benchmark does). Off by
///                                   default: on the H200 (fp32 strict, one-pass tuning) it cut
///                                   ResNet-18 layer1-3 at 8 SMs by 10-19% but left layer4's flat
///                                   curve as it was (no strict-FP32 engine spreads a 7x7 output
///                                   over many SMs), and its choices moved a few points by 10%
///                                   between runs; the shipped profiles are untuned
///                                   (traces/profiles/README.md).
///   SGPRS_DEPTHWISE=cudnn           depthwise convolutions through cuDNN like the others, instead
///                                   of the project's direct kernel (depthwise_conv.hpp), to
///                                   measure one against the other.
///   SGPRS_CONV1X1=cudnn             plain 1x1 convolutions (stride 1, no padding, one group, no
///                                   bias) through cuDNN instead of as cuBLASLt matmuls on the NCHW
///                                   tensors (blas_ops.cpp). The matmuls are the default since
///                                   2026-12-04: measured on the H200 against PyTorch, they brought
///                                   MobileNet-V2 from 1.39x PyTorch's time to 1.07x at worst (tf32)
///                                   and from 1.15x to 0.92x (fp16), and ResNet-50 and Inception-V3
///                                   fp32 5-20% below cuDNN (traces/profiles/README.md).
///   SGPRS_ATTENTION=steps           fp16 attention layers in three steps (scores matmul, softmax,
///                                   context matmul) instead of the fused kernel
///                                   (fused_attention.hpp), to measure one against the other.
struct ConvPolicy {
  bool legacy_only = false;
  bool deterministic = false;
  bool heuristic_b = false;
  bool runtime_compiled_first = false;
  bool engine_target = false;
  bool autotune = false;
  bool depthwise_cudnn = false;
  bool conv1x1_gemm = true;
  bool attention_fused = true;
  std::string text() const;
};
const ConvPolicy& conv_policy();
inline bool cudnn_legacy_forced() { return conv_policy().legacy_only; }

/// Whether depthwise convolutions built from now on take cuDNN (true) or the direct kernel;
/// starts as SGPRS_DEPTHWISE says. The setter, for tests that build both paths in one process,
/// returns the previous choice; ops already built keep theirs.
bool depthwise_through_cudnn();
bool set_depthwise_through_cudnn(bool cudnn);

/// The same for plain 1x1 convolutions through cuBLASLt (true) or cuDNN; starts as SGPRS_CONV1X1 says.
bool conv1x1_through_gemm();
bool set_conv1x1_through_gemm(bool gemm);

/// The same for attention layers in one kernel where it fits (true) or in three steps; starts as
/// SGPRS_ATTENTION says.
bool attention_fused();
bool set_attention_fused(bool fused);

}  // namespace sgprs::profiler::ops
