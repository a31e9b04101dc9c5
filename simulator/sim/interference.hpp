#pragma once
// Interference between partitions (memory bandwidth, L2): a stage runs slower the more SMs are
// busy outside its partition. The profile measured every stage twice at each SM count s: alone
// on an idle GPU (isolated, t_iso) and beside a background kernel load on B(s) other SMs
// (occupied, t_occ; B(s) is the profile's occupied_background_sms times the share of the
// measurement the background covered). Between those two points the time is taken as linear in
// the SMs busy elsewhere:
//
//     t(share, p) = t_iso(share) + w(p) * (t_occ(share) - t_iso(share))
//     w(p)        = min(1, busy_elsewhere(p) / B(sms(p)))     (0 when B is 0 or unknown)
//
// busy_elsewhere(p) = SMs of the pieces outside p that some partition with a running stage
// holds; B(sms) is read at the largest measured count <= the partition's SMs. Nothing is fitted
// to a run: both end points and B come from the profile. Checked against the H200 live runs
// (traces/live/h200-tf32-2026-12-02-validation, 15 x 8 SMs with 1, 4, 8 and 15 partitions
// busy): ResNet-18's layer1-3 measured 0.97, 1.04, 1.09 and 1.20 x t_iso, where the rule gives
// 1.00, 1.03, 1.08 and 1.15.
//
// The end points can come from live runs instead: a co-run profile (tools/corun_profile.py,
// traces/profiles/h200-tf32.corun.json, run with --gpu-times-profile) keeps t_iso and sets
// t_occ = t_iso * (1 + kappa[stage]) with B = 132 - s, so the rule reads
//
//     t(share, p) = t_iso(share) * (1 + kappa[stage] * busy_elsewhere(p) / (132 - sms(p)))
//
// with one slope per stage fitted on stages that ran beside other models' stages on the H200
// (docs/validation.md, "Co-run stage times"). Same rule, measured inputs: nothing here changes.
//
// A weight changes only when a partition turns busy or idle; the GPU model then rescales every
// running stage (sim/gpu_model.hpp).
#include "common/profile.hpp"

#include <vector>

namespace sgprs::sim {

class Interference {
 public:
  /// B for each partition of `partition_sms`, from `profile` (all 0: no interference).
  Interference(const Profile& profile, const std::vector<int>& partition_sms);
  /// w(p) for busy_elsewhere SMs outside partition p.
  double weight(int partition, double busy_elsewhere_sms) const;
  /// True when some partition has a non-zero B (otherwise the rule changes nothing).
  bool active() const { return active_; }

 private:
  std::vector<double> background_sms_;  // B per partition
  bool active_ = false;
};

}  // namespace sgprs::sim
