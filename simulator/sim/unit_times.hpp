#pragma once
// What the simulated GPU runs: per model and unit, the curve of the unit's time
// against SMs and that curve at every SM share (ShareTimeTable), built once per run
// from the profile. The scheduler never sees these (it reads the PolicyPlan's
// predictions); keeping them apart lets the simulated GPU run other times than the
// scheduler believes (isolated vs occupied).
#include "common/profile.hpp"
#include "simulator/policy/policy_plan.hpp"
#include "simulator/sim/share_time_table.hpp"

#include <vector>

namespace sgprs::sim {

class UnitTimes {
 public:
  /// The units of `plan` (stages, or whole models), timed from `profile`'s `times`.
  UnitTimes(const Profile& profile, const Workload& workload, const PolicyPlan& plan, ProfileTimes times);
  UnitTimes(const UnitTimes&) = delete;
  UnitTimes& operator=(const UnitTimes&) = delete;

  const ShareTimeTable& of(int model, int unit) const {
    return tables_[static_cast<std::size_t>(unit_base_[static_cast<std::size_t>(model)] + unit)];
  }
  /// Where any of these tables changes with the SM count.
  const TimeSteps& steps() const { return steps_; }

 private:
  std::vector<SpeedupCurve> whole_curves_;  // whole-model units' curves (reserved: tables point into it)
  std::vector<SpeedupCurve> whole_measured_;  // the same at the measured SM counts only (reserved too)
  std::vector<ShareTimeTable> tables_;
  std::vector<int> unit_base_;              // per model: index of its unit 0 in tables_
  TimeSteps steps_;                         // of tables_
};

}  // namespace sgprs::sim
