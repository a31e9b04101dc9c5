#pragma once
// The spread of shared units' times around the packed rule (sim/packed_sharing.hpp), a swappable
// addition to it. Live, units that share SMs do not all take the rule's time: in a closed loop of
// k whole-GPU streams some run faster and some slower than the median the rule's g(k) is fitted
// to, the more so the more units share (ResNet-18 alone on the H100: p90 / p50 1.03 at k = 2,
// 1.46 at k = 8). The rule alone gives every such unit the median, so the simulated tail of
// response times is too short. A unit u among k >= 2 units that share its SMs runs in
//
//     time(u) = packed_time(u) * S_k(q_u)
//
// q_u in (0, 1): the unit's level, fixed for its whole run: a uniform draw from the run's seed
//   and the unit's identity (task, job, stage), so a run is reproducible from its seed and a unit
//   gets the same level whatever else the run starts (unit_level below).
// S_k: the quantile function of measured time over its model's median in the closed loop of k
//   streams, from the sgprs.sharing/1 file's "spread" (tools/fit_sharing_contention.py
//   --spread): n values at the levels (i + 0.5) / n, joined linearly, flat beyond the first and
//   the last. Between calibrated counts the two functions are joined linearly in k, S_1 = 1 (a
//   unit alone runs its time), and beyond the last count the last.
// A file without "spread" gives S_k = 1: the packed rule alone, as before.
//
// Each unit's level is drawn independently: the model has no memory of which co-runners made a
// unit slow, so a run of slow units on one stream is as likely as the measured spread makes it.
#include "common/time.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sgprs {
class JsonView;
}

namespace sgprs::sim {

/// S_k at one calibrated count: (k, quantiles at the levels (i + 0.5) / n).
using SpreadPoint = std::pair<int, std::vector<double>>;

class SharingSpread {
 public:
  /// No spread: factor() is 1 everywhere.
  SharingSpread() = default;
  /// `points` ascending in k >= 2, each with the same number (>= 2) of positive, finite,
  /// non-decreasing quantiles; std::invalid_argument otherwise.
  explicit SharingSpread(std::vector<SpreadPoint> points);
  /// The "spread" of an sgprs.sharing/1 document (none: an empty spread); InputError naming the
  /// file and field when it is malformed. SharingCalibration::load (sim/packed_sharing.hpp) reads
  /// it with the rest of the file, its device and precision checked.
  static SharingSpread from_json(const JsonView& root);
  /// from_json of the file at `path` alone.
  static SharingSpread load(const std::string& path);
  bool active() const { return !points_.empty(); }
  /// S_k(level) above; 1 for units <= 1 or without a spread.
  double factor(int units, double level) const;
  const std::vector<SpreadPoint>& points() const { return points_; }

 private:
  double quantile(const std::vector<double>& q, double level) const;
  std::vector<SpreadPoint> points_;
};

/// q_u above: a level in (0, 1), a hash of the run's seed and the unit's identity.
double unit_level(std::uint64_t seed, int task, std::int64_t job, int unit);

}  // namespace sgprs::sim
