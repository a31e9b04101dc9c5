#pragma once
// The "packed" sharing rule for units that share the SMs of one partition (several whole models
// on the whole GPU under `streams`, several stages on one partition under sgprs), a swappable
// alternative to the even split with the step curve (sim/processor_sharing.hpp, "even-step").
//
// The GPU's block scheduler packs the kernels of concurrent units onto the SMs: a unit whose
// kernels have large grids takes more than an even share, and a unit's time follows its curve
// at the share it gets, not at that share floored to a measured SM count. Concurrent units also
// contend for memory bandwidth, L2 and the front end, more the more of them run. A unit u on a
// partition of P SMs, among k units that share its SMs (k >= 2), runs in
//
//     time(u)   = (t~_u(share(u)) - D(u)) * g(k)
//     share(u)  = demand(u) * sum over atoms a of p: sms(a) / sum of demand over the units on a
//     demand(u) = w(m) * min(P, A(u) / t_u(P))       A(u) = min over measured s of s * t_u(s)
//     D(u)      = max(0, t^_u(G) - t_u(G))  when P is the whole GPU (G SMs), else 0
//
// t~_u: the profile's isolated times at the measured SM counts joined linearly (t0 * s0 / share
// below the first count). A(u) is the unit's work in SM-ns at its most SM-efficient measured
// size, so demand(u) is the SMs it keeps busy on average alone on its partition: the shares are
// processor sharing weighted by demand (k equal units: P / k each). w(m), the share weight of
// the unit's model m, is 1 unless the calibration file measures it: in a crowd of different
// models the block scheduler does not split SMs by average demand (on the H100, in a crowd of the
// six shipped models, MobileNetV2, whose kernels are small and many, gets 0.41 of its demand's
// share and UNet 2.2 times it; docs/validation.md, "Share weights"). Equal units keep P / k
// whatever w is. D(u): the profile measures every count below G inside a partition (a green
// context) and G itself on the plain GPU, and some models (MobileNetV2: 659 us at 120 SMs, 453 us at 132) lose a fixed time per run to the
// partition; units sharing the whole GPU run outside any partition, so they are spared it.
// t^_u(G) extends the line through the two largest counts below G to G. k: units on the busiest
// atom of the partition. g(k), the contention, is measured on the GPU: closed-loop live runs of
// the `streams` scheduler with k whole-GPU streams (of one model, or of several in turn), each unit's measured time over
// the rule without g integrated over its measured co-runners, median per run
// (tools/fit_sharing_contention.py writes the sgprs.sharing/1 file,
// traces/profiles/h200-tf32.sharing.json); linear between calibrated k, the last value beyond.
//
// The file may also hold the measured spread around g(k) (sim/sharing_spread.hpp), which
// GpuModel::use_sharing_spread adds to this rule.
//
// A unit alone on its SMs (k = 1) runs exactly as under even-step (the profile's time at the
// partition's SMs, the run's curve rule, interference): a layout whose partitions run one unit
// at a time is simulated as before. Under interference (sim/interference.hpp) a shared unit's
// time is further multiplied by 1 + w (t~occ(share) / t~(share) - 1).
#include "common/curve.hpp"
#include "common/profile.hpp"
#include "simulator/sim/running_limit.hpp"
#include "simulator/sim/sharing_spread.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sgprs::sim {

/// g(k) as calibrated: (k, factor) points, k ascending from 1.
class SharingContention {
 public:
  SharingContention() = default;
  /// `points` ascending in k, the first at k = 1 with factor 1, factors positive; std::invalid_argument otherwise.
  explicit SharingContention(std::vector<std::pair<int, double>> points);
  /// Reads an sgprs.sharing/1 file measured on `profile`'s device and precision (InputError otherwise).
  static SharingContention load(const std::string& path, const Profile& profile);
  double factor(int units) const;
  const std::vector<std::pair<int, double>>& points() const { return points_; }

 private:
  std::vector<std::pair<int, double>> points_{{1, 1.0}};
};

/// An sgprs.sharing/1 file, read once: g(k), the spread around it, the models' share weights
/// w(m) and the hardware-queue limit (sim/running_limit.hpp) (each empty where it has none).
struct SharingCalibration {
  SharingContention contention;
  SharingSpread spread;
  std::map<std::string, double> share_weights;
  RunningLimit running_limit;
  /// InputError naming the file and field, as SharingContention::load.
  static SharingCalibration load(const std::string& path, const Profile& profile);
};

/// A(u): the unit's work in SM-ns at its most SM-efficient measured size.
double unit_work(const SpeedupCurve& curve);
/// A(u) / t_u(P), at most P: the SMs a unit keeps busy alone on a partition of P SMs.
double unit_demand(const SpeedupCurve& curve, int partition_sms);
/// D(u) above: what a unit on a partition of `partition_sms` saves by running outside any
/// partition (0 unless the partition is the whole GPU, i.e. holds the curve's last count).
double whole_gpu_saving_ns(const SpeedupCurve& curve, int partition_sms);
/// t_u~(share): the curve's measured points joined linearly, t0 * s0 / share below the first.
Ns time_at_fractional_share(const SpeedupCurve& curve, double share_sms);

}  // namespace sgprs::sim
