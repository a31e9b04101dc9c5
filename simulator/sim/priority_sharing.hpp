#pragma once
// The "strict" priority rule of the simulated GPU (`--priority-rule strict`): how partitions of
// different priority (streams given CUDA stream priorities, Partition::share_weight) split the SMs
// they share. It follows the block scheduler: whenever an SM frees a block slot, pending blocks of
// the most urgent stream go first, so an urgent unit gets every SM it can use and less urgent units
// get what it leaves idle. Levels: the distinct share weights, most urgent (largest) first.
//
//   avail_0(a) = sms(a)                                   for every atom a (processor_sharing.hpp)
//   for each level l, most urgent first, among the partitions p of level l that run a unit:
//     n_l(a)   = sum over partitions p of level l that contain a of W(p)
//     s(p)     = sum over atoms a of p of avail_l(a) / n_l(a)          (the sharing rule on what is left)
//     if s(p) W(p) >= C(p):  share(p) = C(p) / W(p),  used(p) = B(p)   (p gets all it can use)
//     else:                  share(p) = s(p),         used(p) = s(p) W(p)  (short: keeps all it gets busy)
//     avail_l+1(a) = avail_l(a) - sum over those p that contain a of used(p) / s(p) x avail_l(a) / n_l(a)
//   the least urgent busy level takes share(p) = s(p) from what is left, uncapped.
//
// `strict-floor` (--priority-rule strict-floor) adds one step for a unit that gets all it can use:
//     s0(p)    = sum over atoms a of p of sms(a) / N(a),  N(a) = sum of W(q) over every running q on a
//     if min(s0(p), s(p)) > C(p) / W(p):  share(p) = min(s0(p), s(p)),  used(p) = share(p) W(p)
// s0 is p's share without priorities: an urgent unit is never given less than it would get with no
// priorities at all, as far as what the more urgent levels left allows, and keeps all of it busy.
//
// W(p): the sharing weight of p's running units (their count under even-step, their summed demand
// under packed), each unit getting share(p) x its weight as without priorities. C(p): their summed
// demand(u) = A(u) / t_u(P) (sim/packed_sharing.hpp), the SMs a unit keeps busy alone; under packed
// a unit that gets all it can use runs at its demand, under even-step at its partition's mean demand
// (even-step weighs no unit by its demand, but the demand is the profile's, not the split's, so both
// rules know it). B(p): the SMs they keep busy at that share, sum of A(u) / t~_u(demand(u)) (at most
// demand(u)): a unit's work spread over the time it runs, so that over its run it holds no more SM-ns
// than its work; the rest of the SMs its share covers idle in latency-bound phases, and the block
// scheduler fills them with less urgent blocks.
// With one level this is exactly the rule without priorities, so runs without priorities are
// unchanged. A level whose atoms are used up gets share 0: its units stall until SMs come back (the
// GPU model never finishes them meanwhile); the most urgent busy level always gets SMs.
//
// Why the floor (H100 closed loops of two models under priorities, docs/validation.md, "Two
// priorities"): beside one less urgent stream an urgent one runs as fast as without priorities (UNet
// 1.23x its time alone, the cap at its demand of 73 SMs made it 1.64x); in a crowd its share without
// priorities is small and the cap decides, so periodic runs of 32 streams change little.
// Why the cap at the demand (tried on the 2026-12-03 H200 runs, docs/validation.md): letting an urgent
// unit run as if the less urgent were absent (share s(p), uncapped) made the simulated urgent units
// 30% faster than live (the less urgent units' resident blocks and memory traffic still slow them);
// capping its share but charging the level its whole share for its longer time starved the least
// urgent units (ViT-B/16 p50 1.9 s against 10 ms live).
#include "common/curve.hpp"
#include "common/layout.hpp"

#include <cstddef>
#include <vector>

namespace sgprs::sim {

/// Whether the pool's partitions have more than one share weight (streams given priorities).
bool has_priorities(const Layout& pool);
/// B's term for one unit: A(u) / t~_u(demand), at most the demand (see above).
double busy_sms_at_demand(const SpeedupCurve& curve, double demand);
/// Priority level per partition: 0 for the largest share_weight, 1 for the next distinct one, ...
std::vector<int> priority_levels(const Layout& pool);

/// The atoms of processor_sharing.hpp, as flat lists: partition p holds atoms
/// partition_atoms[atom_begin[p] .. atom_begin[p + 1]).
struct AtomView {
  const std::vector<double>& atom_sms;
  const std::vector<int>& partition_atoms;
  const std::vector<std::size_t>& atom_begin;
};

class StrictPriorityShares {
 public:
  /// `floor`: the strict-floor variant above.
  StrictPriorityShares(const std::vector<int>& levels, std::size_t atoms, bool floor = false);
  /// Writes share(p) per the rule above (0 where nothing runs). `users` = W, `caps` = C, `busy` = B.
  void compute(const AtomView& atoms, const std::vector<int>& running, const std::vector<double>& users,
               const std::vector<double>& caps, const std::vector<double>& busy, std::vector<double>& share);

 private:
  std::vector<std::vector<int>> by_level_;  // partitions per level, most urgent first
  std::vector<double> avail_;
  std::vector<double> users_;  // n_l(a)
  std::vector<double> used_;
  std::vector<double> all_users_;  // N(a), with the floor
  bool floor_ = false;
};

}  // namespace sgprs::sim
