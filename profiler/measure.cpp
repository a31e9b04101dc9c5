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
Ns median_of(std::vector<Ns> samples) {
  std::sort(samples.begin(), samples.end());
  return nearest_rank(samples, 0.5);
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

std::string_view stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::kSpread:
      return "spread";
    case StopReason::kPlateau:
      return "plateau";
    case StopReason::kTimeout:
      return "timeout";
    case StopReason::kSampleCap:
      return "sample_cap";
  }
  return "timeout";
}

PointStats summarize(const std::vector<Ns>& samples, StopReason stop) {
  PointStats stats;
  stats.samples = static_cast<int>(samples.size());
  stats.stop = stop;
  stats.converged = is_converged(stop);
  if (samples.empty()) return stats;
  std::vector<Ns> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  stats.median_ns = nearest_rank(sorted, 0.5);
  stats.p5_ns = nearest_rank(sorted, 0.05);
  stats.p95_ns = nearest_rank(sorted, 0.95);
  stats.rel_spread = relative_spread(sorted);
  return stats;
}

std::optional<StopReason> StoppingRule::add_batch(const std::vector<Ns>& batch, double elapsed_s) {
  samples_.insert(samples_.end(), batch.begin(), batch.end());
  const auto n = static_cast<int>(samples_.size());
  const double spread = relative_spread(samples_);
  if (!batch.empty()) readings_.push_back({n, spread});
  if (n >= settings_.min_samples && spread < settings_.rel_spread_threshold) return StopReason::kSpread;
  if (on_plateau(spread)) return StopReason::kPlateau;
  if (n >= settings_.max_samples) return StopReason::kSampleCap;
  // Past the time-out a point stops once it has its minimum number of samples; short of them
  // (slow points, lost records) it still stops at three time-outs rather than hang.
  if ((elapsed_s >= settings_.timeout_s && n >= settings_.min_samples) || elapsed_s >= 3 * settings_.timeout_s)
    return StopReason::kTimeout;
  return std::nullopt;
}

bool StoppingRule::on_plateau(double spread) const {
  const auto n = static_cast<int>(samples_.size());
  if (settings_.plateau_min_samples <= 0 || n < std::max(settings_.plateau_min_samples, settings_.min_samples) ||
      spread <= 0)
    return false;
  // The readings taken over the last half of the samples, this batch's included.
  double squares = 0;
  int count = 0;
  for (auto it = readings_.rbegin(); it != readings_.rend() && 2 * it->samples >= n; ++it) {
    squares += (it->spread - spread) * (it->spread - spread);
    ++count;
  }
  if (count < kPlateauReadings || std::sqrt(squares / static_cast<double>(count)) / spread >= settings_.plateau_tolerance)
    return false;
  // The median has settled: the two halves of the samples, in the order taken, agree.
  const auto half = samples_.begin() + static_cast<std::ptrdiff_t>(samples_.size() / 2);
  const Ns first = median_of(std::vector<Ns>(samples_.begin(), half));
  const Ns second = median_of(std::vector<Ns>(half, samples_.end()));
  const double lower = static_cast<double>(std::max<Ns>(1, std::min(first, second)));
  return static_cast<double>(std::max(first, second) - std::min(first, second)) / lower <
         settings_.rel_spread_threshold;
}

}  // namespace sgprs::profiler
