#pragma once
// The SM sharing rule of the simulated GPU: processor sharing per piece.
//
//   Pieces are grouped into atoms: maximal sets of pieces that belong to exactly
//   the same partitions (a disjoint layout has one atom per partition; two
//   full-GPU partitions share one atom).
//     n(a)     = sum over partitions p that contain atom a of running(p) x w(p)
//     share(p) = w(p) x sum over atoms a inside p of sms(a) / n(a)
//   w(p) is the partition's share_weight (common/layout.hpp): 1 everywhere but for
//   streams given priorities, where, under the `weighted` priority rule, a weight above 1 is
//   a crude fluid model of the block scheduler favouring high-priority streams. Under the
//   `strict` rule (use_strict_priorities(), sim/priority_sharing.hpp) the weights only order
//   the partitions into levels, and each level shares what the more urgent ones leave idle.
//   Every stage running on p gets share(p) SMs (a real number). Its full
//   duration at that share is
//     time(share) = curve.time_at(floor(share))   if share >= the first measured count s0
//                 = t0 * s0 / share                otherwise (ideal scaling, as the curve does)
//   and its remaining work w (1 at start) falls at 1 / time(share) per ns.
//   Shares change only when a stage starts or finishes; the GPU model then
//   rescales the remaining work of the stages whose partitions were touched.
//
// Consequences worth knowing: a stage alone on its partition runs in exactly
// curve.time_at(partition SMs); k stages on one partition each get sms / k;
// overlapping partitions split the shared pieces evenly per running stage.
// Bandwidth and L2 interference between partitions is a separate, optional rule
// (sim/interference.hpp) applied on top of these shares.
#include "common/curve.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/sim/priority_sharing.hpp"

#include <optional>
#include <vector>

namespace sgprs::sim {

/// Duration of a whole stage at a (fractional) SM share, per the rule above.
Ns time_at_share(const SpeedupCurve& curve, double share_sms);

class ProcessorSharing {
 public:
  ProcessorSharing(const Layout& pool, const GpuShape& gpu);

  /// Splits SMs between partitions of different share weights by the strict priority rule
  /// (sim/priority_sharing.hpp) from now on; call before the first add_running. No-op when every
  /// partition has one weight (nothing to order). Every partition is then coupled to every other:
  /// what a level leaves passes down through any atom.
  void use_strict_priorities(const Layout& pool, bool floor = false);
  bool strict_priorities() const { return strict_.has_value(); }

  /// Changes partition p's running-stage count by `delta` and recomputes the
  /// shares that depend on it. `demand` weighs the stage in n(a) (1 under the even split; the
  /// packed rule, sim/packed_sharing.hpp, weighs each stage by its demand and gives it
  /// demand x share(p) SMs).
  /// `cap` (the SMs the stage keeps busy alone, its packed demand) and `busy` (what it keeps busy
  /// at that share) are read only by the strict priority rule (C and B of priority_sharing.hpp).
  void add_running(int partition, int delta, double demand = 1.0, double cap = 0.0, double busy = 0.0);
  int running(int partition) const { return running_[static_cast<std::size_t>(partition)]; }
  /// SMs each stage running on `partition` gets now (0 when none runs there).
  double share(int partition) const { return share_[static_cast<std::size_t>(partition)]; }
  /// Partitions whose share depends on `partition`'s count (itself included), ascending.
  const std::vector<int>& coupled(int partition) const { return coupled_[static_cast<std::size_t>(partition)]; }
  std::size_t atom_count() const { return atom_sms_.size(); }
  /// Stages running on the atom of `partition` that the most stages share (packed_sharing.hpp's k).
  int units_sharing(int partition) const;
  /// SMs outside `partition` that a partition with a running stage holds (interference.hpp).
  double busy_sms_outside(int partition) const;

 private:
  // Inline: add_running calls it for every coupled partition at every start and finish.
  void recompute(int partition) {
    const auto p = static_cast<std::size_t>(partition);
    if (running_[p] == 0) {
      share_[p] = 0.0;
      return;
    }
    double share = 0.0;
    if (unit_users_) {  // n(a) is the atom's unit count exactly: its quotient is in the table
      for (std::size_t i = atom_begin_[p]; i < atom_begin_[p + 1]; ++i) {
        const auto atom = static_cast<std::size_t>(partition_atoms_[i]);
        const auto units = static_cast<std::size_t>(atom_units_[atom]);
        share += units < kQuotients ? quotient_[atom * kQuotients + units] : atom_sms_[atom] / static_cast<double>(units);
      }
    } else {
      for (std::size_t i = atom_begin_[p]; i < atom_begin_[p + 1]; ++i) {
        const auto atom = static_cast<std::size_t>(partition_atoms_[i]);
        share += atom_sms_[atom] / atom_users_[atom];
      }
    }
    share_[p] = share * weight_[p];
  }

  // Flat (CSR) lists: the atoms of partition p are
  // partition_atoms_[atom_begin_[p] .. atom_begin_[p + 1]); the hot path reads only these.
  // While every stage weighs 1 (weight 1 per partition, demand 1 per stage), n(a) is a sum of
  // +-1.0, exact, so it equals atom_units_ and atom_sms / n(a) is the table's atom_sms / n for
  // n < kQuotients: the same division, done once. The first other weight or demand ends that.
  static constexpr std::size_t kQuotients = 64;
  bool unit_users_ = true;
  std::vector<double> quotient_;     // atom_sms_[a] / n at a * kQuotients + n (n = 0 unused)
  std::vector<double> atom_sms_;     // SMs per atom
  std::vector<double> atom_users_;   // n(a): weighted stages running on partitions that contain atom a (kept
                                     // only once unit_users_ ends: until then it equals atom_units_)
  std::vector<int> atom_units_;      // stages running on partitions that contain atom a
  std::vector<double> weight_;       // w(p)
  std::vector<int> partition_atoms_;
  std::vector<std::size_t> atom_begin_;
  std::vector<std::vector<int>> coupled_;
  std::vector<int> running_;
  std::vector<double> share_;
  // Shares remembered by running counts. While every stage weighs 1 (unit_users_), share(q) is a
  // pure function of the running counts, so each combination of counts is computed once per run
  // (by recompute) and read back after that: a run at max_parallel visits few combinations, over
  // and over. Only when they are few (at most kMemoShares shares: max_parallel + 1 counts per
  // partition); a count past max_parallel (possible outside the GPU model) ends it.
  static constexpr std::size_t kMemoShares = std::size_t{1} << 14;
  std::vector<std::size_t> memo_stride_;  // per partition, (max_parallel + 1)^p; empty: no memo
  std::vector<double> memo_shares_;       // at counts index x partitions + q; negative: not yet known
  std::size_t memo_index_ = 0;            // sum over p of running(p) x memo_stride_[p]
  int memo_max_count_ = 0;
  // The strict priority rule's state: W(p), C(p) and B(p) of priority_sharing.hpp.
  std::optional<StrictPriorityShares> strict_;
  std::vector<double> users_;
  std::vector<double> caps_;
  std::vector<double> busy_;
};

}  // namespace sgprs::sim
