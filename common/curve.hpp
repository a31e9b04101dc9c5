#pragma once
// Execution time of one stage (or op) as a function of its partition's SM count,
// from measured points. Between measured SM counts the time is a STAIRCASE: a
// partition of s SMs runs in the time measured at the largest measured count
// <= s. Rationale: measured curves on the H100 and in the paper are staircases
// (wave quantisation: a kernel's blocks run in ceil(blocks / SMs) waves), so a
// straight line between points would promise speed-ups the GPU does not give,
// and the step is the conservative (never optimistic) reading of the data.
// `CurveInterpolation::kLinear` interpolates linearly in SM count instead.
// Below the smallest measured count, time grows as 1/s (ideal scaling from the
// first point, which is the slowest, so still not optimistic); above the largest,
// the time stays flat.
#include "common/time.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

enum class CurveInterpolation { kStep, kLinear };

CurveInterpolation parse_curve_interpolation(std::string_view text, const std::string& source);
std::string to_string(CurveInterpolation mode);

class SpeedupCurve {
 public:
  SpeedupCurve() = default;
  /// `sm_counts` strictly increasing and positive; `times_ns` positive, same length.
  /// Throws std::invalid_argument otherwise (callers turn it into an InputError).
  SpeedupCurve(std::vector<int> sm_counts, std::vector<Ns> times_ns,
               CurveInterpolation mode = CurveInterpolation::kStep);

  Ns time_at(int sm_count) const;
  /// time_at(smallest measured) / time_at(sm_count).
  double speedup_at(int sm_count) const;
  const std::vector<int>& sm_counts() const { return sm_counts_; }
  const std::vector<Ns>& times_ns() const { return times_ns_; }
  bool empty() const { return sm_counts_.empty(); }

 private:
  std::vector<int> sm_counts_;
  std::vector<Ns> times_ns_;
  CurveInterpolation mode_ = CurveInterpolation::kStep;
};

}  // namespace sgprs
