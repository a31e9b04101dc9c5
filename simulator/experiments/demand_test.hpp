#pragma once
// A sufficient schedulability test for the simplest variant of sgprs-best: the whole GPU as one
// partition with one slot (layout full, slot_sms = the GPU's SM count), late binding, earliest
// job deadline first, no priority classes, no hopeless drop, run to completion. Then the GPU runs
// one stage at a time on all its SMs, and a running stage is never stopped: a job can be
// overtaken only at its stage boundaries, where its next stage competes with every waiting one by
// job deadline (sgprs_scheduler.cpp holds the freed slot for it). That is EDF with fixed
// preemption points on one processor, and the demand test for it applies
// (Bertogna and Baruah, "Limited preemption EDF scheduling of sporadic task systems", IEEE TII 2010):
//
//   C_i   = sum over task i's stages of the stage's time on all SMs (the simulated GPU's curve),
//           each plus the host time it holds the slot before the GPU starts it (0 by default)
//   q_i   = the longest of those stages (the longest stretch nobody can overtake)
//   dbf(t) = sum over tasks of max(0, floor((t - D_i) / T_i) + 1) x C_i
//   B(t)  = max { q_j : D_j > t }  (0 when no such task): a stage of a later-deadline job that
//           started just before the critical instant
//   schedulable if U = sum C_i / T_i < 1 and dbf(t) + B(t) <= t at every absolute deadline t
//   (t = D_i + k T_i) up to L, the longest busy period: the least L > 0 with
//   L = max_j q_j + sum_i ceil(L / T_i) C_i.
//
// It holds for any release offsets (a periodic set is a special sporadic one). Deadlines must not
// exceed periods. It is sufficient, not necessary: a set it refuses may still be miss-free.
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "common/layout.hpp"
#include "simulator/core/run_options.hpp"

#include <string>
#include <vector>

namespace sgprs::exp {

struct DemandTestResult {
  bool schedulable = false;
  double utilisation = 0;   // sum C_i / T_i
  Ns busy_period_ns = 0;    // L (0 when U >= 1 or the search gave up)
  Ns failed_at_ns = -1;     // the first deadline t with dbf(t) + B(t) > t, or -1
  std::string reason;       // one sentence when not schedulable
};

/// `profile`: the times the GPU runs (the run's profile, or its --gpu-times-profile); `times`: which
/// of its curves (the simulator's default: isolated). `stage_overhead_ns`: the host time each stage
/// holds its slot before the GPU starts it (RunOptions::stage_overhead_ns), added to every stage's
/// time, so that the test speaks for runs under the validated rules too.
/// InputError when a task's model is not in the profile or a deadline exceeds its period.
DemandTestResult limited_preemptive_edf_test(const Profile& profile, const std::vector<Task>& tasks,
                                             ProfileTimes times = ProfileTimes::kIsolated, Ns stage_overhead_ns = 0);

/// The layout and run options of the variant the test speaks for (duration and seed left to the caller).
Layout demand_test_layout(const Profile& profile);
sim::RunOptions demand_test_run_options(const Profile& profile);

}  // namespace sgprs::exp
