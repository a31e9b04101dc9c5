#include "profiler/pivot.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgprs::profiler {

int pivot_sms(const std::vector<int>& sm_counts, const std::vector<Ns>& median_ns, double gain_threshold) {
  if (sm_counts.empty() || sm_counts.size() != median_ns.size())
    throw std::invalid_argument("pivot_sms: sm_counts and median_ns must be non-empty and aligned");
  // Walk from the largest count down, keeping the best time seen at or above it.
  int pivot = sm_counts.back();
  Ns best_above = median_ns.back();
  for (std::size_t i = sm_counts.size(); i-- > 0;) {
    best_above = std::min(best_above, median_ns[i]);
    if (static_cast<double>(median_ns[i]) <= (1.0 + gain_threshold) * static_cast<double>(best_above))
      pivot = sm_counts[i];
  }
  return pivot;
}

}  // namespace sgprs::profiler
