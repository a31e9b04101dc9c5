#pragma once
// How many stages each partition runs at once (option slot_sms, scheduler_options.hpp).
//
// The paper fixes it per layout (3 with 2 partitions, 2 with 3). Under the simulated GPU's sharing
// rule k stages on a partition of s SMs each get s / k SMs, and a DNN stage is cheapest (least
// SM-seconds per run) on a small partition: on the H200 nearly every stage is cheapest at 8 or
// 16 SMs. So one slot per most SM-efficient size lets a busy partition run at the throughput the
// profile allows, where the paper's 3 slots on 64 SMs leave each stage 21 SMs it cannot use.
//
//   efficient size s* = the measured SM count s minimising  sum over tasks (1 / T) x sum over units s x t_unit(s)
//   slots(p)          = max(1, floor(sms(p) / s*))          (slot_sms = profile)
//                     = max(1, floor(sms(p) / N))           (slot_sms = N)
//                     = the layout's max_parallel            (slot_sms = layout)
//                     = 1 on every block                     (slot_sms = moldable)
//
// Moldable blocks: each partition of the requested layout is cut into aligned blocks of 1, 2, 4, ...
// of its pieces (in the order its pieces are listed; the remainder never alone, it joins the block that ends
// just before it, so the one-piece blocks cover every SM) and the whole partition; the pool holds every
// block, smallest first, each whole partition last (so `reference_partition=last` is still the
// largest). Blocks overlap; a policy that starts a stage only on a block none of whose pieces is in
// use gives each stage SMs of its own, as wide as it chose: a tight stage on 5 pieces beside loose
// ones on 1 piece each, at the same moment.
#include "simulator/policy/policy_plan.hpp"

#include <vector>

namespace sgprs::sim {

/// The measured SM count at which the plan's offered work costs the fewest SM-seconds.
int most_efficient_slot_sms(const PolicyPlan& plan);

/// Slots of every partition of the plan's pool for `slot_sms` (0 layout, -1 profile, N > 0),
/// never more than the pool's max_parallel.
std::vector<int> partition_slots(const PolicyPlan& plan, int slot_sms);

/// The pool's max_parallel a policy with `slot_sms` needs: enough for its largest partition.
int pool_max_parallel(const Layout& pool, const GpuShape& gpu, int slot_sms);

/// The moldable blocks of `requested` (above), max_parallel 1.
Layout moldable_pool(const Layout& requested, const GpuShape& gpu);

}  // namespace sgprs::sim
