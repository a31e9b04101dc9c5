#include "common/stats.hpp"

#include <algorithm>
#include <cmath>

namespace sgprs {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

namespace {

/// Where the nearest-rank q-quantile of n > 0 sorted values sits.
std::size_t nearest_rank_index(std::size_t n, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  return rank == 0 ? 0 : rank - 1;
}

}  // namespace

std::int64_t quantile_nearest_rank(std::vector<std::int64_t> values, double q) {
  if (values.empty()) return 0;
  const std::size_t index = nearest_rank_index(values.size(), q);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

MedianP99Max median_p99_max(std::vector<std::int64_t> values) {
  MedianP99Max out;
  if (values.empty()) return out;
  // After the first partial sort nothing before p50 exceeds it and nothing after falls below, so
  // the p99 and the largest value, which sort at or after p50, are found in the part after it.
  const auto p50 = values.begin() + static_cast<std::ptrdiff_t>(nearest_rank_index(values.size(), 0.50));
  const auto p99 = values.begin() + static_cast<std::ptrdiff_t>(nearest_rank_index(values.size(), 0.99));
  std::nth_element(values.begin(), p50, values.end());
  out.p50 = *p50;
  std::nth_element(p50, p99, values.end());
  out.p99 = *p99;
  out.max = *std::max_element(p99, values.end());
  return out;
}

MeanCi mean_ci95(const std::vector<double>& values) {
  MeanCi out;
  out.n = values.size();
  if (values.empty()) return out;
  double sum = 0;
  for (double v : values) sum += v;
  out.mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return out;
  double ss = 0;
  for (double v : values) ss += (v - out.mean) * (v - out.mean);
  const double sd = std::sqrt(ss / static_cast<double>(values.size() - 1));
  // Two-sided 95% Student t quantiles for 1..30 degrees of freedom, then the normal value.
  static constexpr double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  const std::size_t dof = values.size() - 1;
  const double t = dof <= 30 ? kT[dof - 1] : 1.960;
  out.half_width = t * sd / std::sqrt(static_cast<double>(values.size()));
  return out;
}

}  // namespace sgprs
