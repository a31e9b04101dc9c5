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

/// True when SGPRS_CUDNN_API=legacy is set: every convolution uses the legacy API.
bool cudnn_legacy_forced();

}  // namespace sgprs::profiler::ops
