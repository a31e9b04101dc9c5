#pragma once
// Which library paths the ops took, for the profile's provenance: a convolution runs through
// cuDNN's backend API (SM-count target) when it can, else through the legacy API (no target).
#include <atomic>
#include <mutex>
#include <string>

namespace sgprs::profiler::ops {

struct ConvPathCounts {
  std::atomic<long> backend_convs{0};       // convolutions with a backend plan for the whole GPU
  std::atomic<long> legacy_convs{0};        // convolutions the backend could not run at all
  std::atomic<long> targeted_plans{0};      // (conv, SM count) plans whose engine took the target
  std::atomic<long> ranked_only_plans{0};   // plans whose engine refused it (runs without a target)
  std::atomic<long> legacy_fallbacks{0};    // (conv, SM count) pairs that fell back to legacy
  std::mutex mutex;
  std::string first_problem;                // the first backend error, verbatim
  void note_problem(const std::string& text);
};

ConvPathCounts& conv_path_counts();

/// How convolutions choose their cuDNN engines; read once from the environment, so that an
/// experiment can compare policies without a rebuild:
///   SGPRS_CUDNN_API=legacy          every convolution through the legacy API (no SM target)
///   SGPRS_CUDNN_FP32=tf32           fp32 convolutions may use TF32 tensor cores (PyTorch's
///                                   default for convolutions); default: strict FP32
///   SGPRS_CUDNN_DETERMINISTIC=1     exclude nondeterministic engines (e.g. split-K with atomics)
struct ConvPolicy {
  bool legacy_only = false;
  bool tf32 = false;
  bool deterministic = false;
  std::string text() const;
};
const ConvPolicy& conv_policy();
inline bool cudnn_legacy_forced() { return conv_policy().legacy_only; }

}  // namespace sgprs::profiler::ops
