#pragma once
// The pivot of a speedup curve: the smallest SM count beyond which more SMs
// buy little. Formally, the smallest measured count s whose time is within
// (1 + gain_threshold) of the best time at any count >= s; with the default
// threshold of 0.10, giving the operation every SM past its pivot saves less
// than 10% of its time. (The paper's "pivot point" is the same idea for
// throughput: past it, more SMs are better spent on another task.)
#include "common/time.hpp"

#include <vector>

namespace sgprs::profiler {

inline constexpr double kDefaultPivotGain = 0.10;

/// `sm_counts` ascending, `median_ns` aligned with it (both non-empty, same size).
int pivot_sms(const std::vector<int>& sm_counts, const std::vector<Ns>& median_ns,
              double gain_threshold = kDefaultPivotGain);

}  // namespace sgprs::profiler
