#pragma once
// How one run goes, in either world: which scheduler with which options, for how
// long, from which seed, on which of the profile's times.
#include "common/profile.hpp"
#include "common/time.hpp"
#include "simulator/policy/scheduler_options.hpp"

#include <cstdint>
#include <string>

namespace sgprs::sim {

struct RunOptions {
  std::string scheduler = "sgprs";  // one of scheduler_names() (policy/registry.hpp)
  SchedulerOptions scheduler_options;
  sgprs::Ns duration_ns = 10 * sgprs::kNsPerSecond;  // releases happen in [0, duration_ns)
  std::uint64_t seed = 1;                             // recorded; the run core itself draws nothing
  /// What the scheduler's predictions (virtual deadlines, partition choice) read: the
  /// profile's occupied times when it has them (paper §4.2), or its isolated times.
  ProfileTimes predicted_times = ProfileTimes::kOccupied;
  /// Simulated platform only: what the simulated GPU runs, shared by its SM-sharing rule.
  ProfileTimes gpu_times = ProfileTimes::kIsolated;
};

}  // namespace sgprs::sim
