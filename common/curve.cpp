#include "common/curve.hpp"

#include "common/errors.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgprs {

CurveInterpolation parse_curve_interpolation(std::string_view text, const std::string& source) {
  if (text == "step") return CurveInterpolation::kStep;
  if (text == "linear") return CurveInterpolation::kLinear;
  throw InputError(source, "", "unknown curve interpolation '" + std::string(text) + "' (expected step or linear)");
}

std::string to_string(CurveInterpolation mode) { return mode == CurveInterpolation::kStep ? "step" : "linear"; }

SpeedupCurve::SpeedupCurve(std::vector<int> sm_counts, std::vector<Ns> times_ns, CurveInterpolation mode)
    : sm_counts_(std::move(sm_counts)), times_ns_(std::move(times_ns)), mode_(mode) {
  if (sm_counts_.empty()) throw std::invalid_argument("a curve needs at least one point");
  if (sm_counts_.size() != times_ns_.size()) throw std::invalid_argument("sm_counts and times differ in length");
  for (std::size_t i = 0; i < sm_counts_.size(); ++i) {
    if (sm_counts_[i] <= 0) throw std::invalid_argument("SM counts must be positive");
    if (i > 0 && sm_counts_[i] <= sm_counts_[i - 1]) throw std::invalid_argument("SM counts must increase");
    if (times_ns_[i] <= 0) throw std::invalid_argument("times must be positive");
  }
}

Ns SpeedupCurve::time_at(int sm_count) const {
  if (sm_count <= 0) throw std::invalid_argument("SM count must be positive");
  if (sm_count <= sm_counts_.front()) {
    if (sm_count == sm_counts_.front()) return times_ns_.front();
    // Ideal 1/s scaling below the first point, rounded up so it never undercuts.
    const Ns scaled = times_ns_.front() * sm_counts_.front();
    return (scaled + sm_count - 1) / sm_count;
  }
  if (sm_count >= sm_counts_.back()) return times_ns_.back();
  const auto upper = std::upper_bound(sm_counts_.begin(), sm_counts_.end(), sm_count);
  const std::size_t hi = static_cast<std::size_t>(upper - sm_counts_.begin());
  const std::size_t lo = hi - 1;
  if (mode_ == CurveInterpolation::kStep || sm_counts_[lo] == sm_count) return times_ns_[lo];
  const Ns dt = times_ns_[hi] - times_ns_[lo];
  const Ns ds = sm_counts_[hi] - sm_counts_[lo];
  return times_ns_[lo] + dt * (sm_count - sm_counts_[lo]) / ds;
}

double SpeedupCurve::speedup_at(int sm_count) const {
  return static_cast<double>(times_ns_.front()) / static_cast<double>(time_at(sm_count));
}

}  // namespace sgprs
