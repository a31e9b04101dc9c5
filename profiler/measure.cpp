#include "profiler/measure.hpp"

#include <algorithm>
#include <cmath>

namespace sgprs::profiler {

namespace {
Ns nearest_rank(const std::vector<Ns>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(q * n)));
  return sorted[std::min(rank, sorted.size()) - 1];
}
}  // namespace

double relative_spread(const std::vector<Ns>& samples) {
  if (samples.size() < 2) return 0;
  std::vector<Ns> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  // From 10 samples on, ceil(5%) of them (at least one) are dropped at each end, so that one
  // preempted run among the first ten does not keep the point from converging.
  const std::size_t n = sorted.size();
  const std::size_t trim = n >= 10 ? static_cast<std::size_t>(std::ceil(0.05 * static_cast<double>(n))) : 0;
  const auto first = sorted.begin() + static_cast<std::ptrdiff_t>(trim);
  const auto last = sorted.end() - static_cast<std::ptrdiff_t>(trim);
  const double count = static_cast<double>(last - first);
  double sum = 0;
  for (auto it = first; it != last; ++it) sum += static_cast<double>(*it);
  if (count < 2 || sum <= 0) return 0;
  const double mean = sum / count;
  double squares = 0;
  for (auto it = first; it != last; ++it) squares += (static_cast<double>(*it) - mean) * (static_cast<double>(*it) - mean);
  return std::sqrt(squares / (count - 1)) / mean;
}

PointStats summarize(const std::vector<Ns>& samples, bool converged) {
  PointStats stats;
  stats.samples = static_cast<int>(samples.size());
  stats.converged = converged;
  if (samples.empty()) return stats;
  std::vector<Ns> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  stats.median_ns = nearest_rank(sorted, 0.5);
  stats.p5_ns = nearest_rank(sorted, 0.05);
  stats.p95_ns = nearest_rank(sorted, 0.95);
  stats.rel_spread = relative_spread(sorted);
  return stats;
}

Verdict judge(const MeasureSettings& settings, const std::vector<Ns>& samples, double elapsed_s) {
  const auto n = static_cast<int>(samples.size());
  if (n >= settings.min_samples && relative_spread(samples) < settings.rel_spread_threshold)
    return Verdict::kConverged;
  if (n >= settings.max_samples) return Verdict::kSampleCap;
  // Past the time-out a point stops once it has its minimum number of samples; short of them
  // (slow points, lost records) it still stops at three time-outs rather than hang.
  if ((elapsed_s >= settings.timeout_s && n >= settings.min_samples) || elapsed_s >= 3 * settings.timeout_s)
    return Verdict::kTimedOut;
  return Verdict::kContinue;
}

}  // namespace sgprs::profiler
