#pragma once
// Small statistics used by summaries and sweeps.
#include <cstdint>
#include <vector>

namespace sgprs {

/// Linear-interpolated quantile (q in [0, 1]) of `values`; sorts a copy. 0 when empty.
double quantile(std::vector<double> values, double q);
/// Nearest-rank quantile for integer samples (exact, no interpolation). 0 when empty.
std::int64_t quantile_nearest_rank(std::vector<std::int64_t> values, double q);

/// quantile_nearest_rank at 0.5 and at 0.99, and the largest value, of one sample: from one copy,
/// each partial sort narrowing the next (a run's summary asks this of every task). 0s when empty.
struct MedianP99Max {
  std::int64_t p50 = 0;
  std::int64_t p99 = 0;
  std::int64_t max = 0;
};
MedianP99Max median_p99_max(std::vector<std::int64_t> values);

struct MeanCi {
  double mean = 0;
  double half_width = 0;  // 95% confidence half-width (Student t); 0 for fewer than 2 values
  std::size_t n = 0;
};
MeanCi mean_ci95(const std::vector<double>& values);

}  // namespace sgprs
