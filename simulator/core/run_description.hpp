#pragma once
// What every output of a run is told about it, the same in both worlds: the names
// observers print (RunInfo) and the provenance summary.json records.
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/core/run_event.hpp"
#include "simulator/core/run_options.hpp"
#include "simulator/policy/policy_plan.hpp"

namespace sgprs::sim {

RunInfo make_run_info(const PolicyPlan& plan, const Workload& workload, const RunOptions& options);

/// The provenance object of summary.json: scheduler and options, requested layout and
/// the pool it became, seeds, duration, the times used, profile and task set.
Json run_provenance(const Profile& profile, const Workload& workload, const Layout& requested, const Layout& pool,
                    const RunOptions& options);

}  // namespace sgprs::sim
