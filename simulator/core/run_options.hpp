#pragma once
// How one run goes, in either world: which scheduler with which options, for how
// long, from which seed, on which of the profile's times.
#include "common/profile.hpp"
#include "common/time.hpp"
#include "simulator/policy/scheduler_options.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sgprs::sim {

/// Simulated platform only: what slows a stage beyond its SM share. kNone: nothing (processor
/// sharing alone); kProfile: the SMs busy in other partitions, interpolated between the profile's
/// isolated and occupied times (sim/interference.hpp).
enum class InterferenceRule { kNone, kProfile };
const char* to_string(InterferenceRule rule);
/// "none" or "profile"; InputError(source, "", ...) otherwise.
InterferenceRule parse_interference_rule(const std::string& text, const std::string& source);

/// Simulated platform only: how units that share SMs split them. kEvenStep: evenly, each at the
/// curve's time at its share floored to a measured count (sim/processor_sharing.hpp); kPacked: by
/// demand, at the fractional share, with calibrated contention (sim/packed_sharing.hpp).
enum class SharingRule { kEvenStep, kPacked };
const char* to_string(SharingRule rule);
/// "even-step" or "packed"; InputError(source, "", ...) otherwise.
SharingRule parse_sharing_rule(const std::string& text, const std::string& source);

/// Simulated platform only: how partitions of different share weights (streams given priorities)
/// split the SMs they share. kWeighted: processor sharing weighted by share_weight
/// (sim/processor_sharing.hpp); kStrict: level by level, each level getting what the more urgent
/// ones leave idle (sim/priority_sharing.hpp). Runs without priorities are the same under both.
enum class PriorityRule { kWeighted, kStrict, kStrictFloor };
const char* to_string(PriorityRule rule);
/// "weighted", "strict" or "strict-floor"; InputError(source, "", ...) otherwise.
PriorityRule parse_priority_rule(const std::string& text, const std::string& source);

/// Where a profile's packed-sharing calibration (sim/packed_sharing.hpp) sits by default:
/// traces/profiles/h200-tf32.json -> traces/profiles/h200-tf32.sharing.json (used by `--sharing
/// auto` and by experiments' "gpu_model").
std::string sharing_calibration_beside(const std::string& profile_path);

/// "auto" resolved (packed where `calibration` is named or one sits beside the profile, else
/// even-step); "even-step" and "packed" as they are; InputError(source, "", ...) otherwise.
SharingRule resolve_sharing_rule(const std::string& text, const std::string& calibration,
                                 const std::string& profile_path, const std::string& source);

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
  /// Simulated platform only: another measurement of the same GPU's stages, which the simulated GPU
  /// runs (its gpu_times, and its end points and background for the interference rule) while the
  /// scheduler's predictions still read the run's profile; e.g. a profile measured with the L2
  /// evicted before every replay (`sgprs profile --flush-l2`), as a live stage finds it after other
  /// models ran. Null: the run's profile.
  std::shared_ptr<const Profile> gpu_times_profile;
  /// Simulated platform only: interference between partitions (needs gpu_times isolated).
  InterferenceRule interference = InterferenceRule::kNone;
  /// Simulated platform only: host time per unit that uses no SMs but holds the unit's slot
  /// (launching it and noticing its end, as measured by the live mode): the GPU starts a unit
  /// this long after the scheduler started it. 0: none.
  Ns stage_overhead_ns = 0;
  /// Simulated platform only: the SM sharing rule, and for kPacked the contention g(k) as
  /// (k, factor) points from an sgprs.sharing/1 file (sim/packed_sharing.hpp).
  SharingRule sharing = SharingRule::kEvenStep;
  std::vector<std::pair<int, double>> sharing_contention;
  std::string sharing_calibration;  // the file they came from, for the provenance
  /// kPacked only: the measured spread around g(k) from the same file, as (k, quantiles) points
  /// (sim/sharing_spread.hpp); empty: none.
  std::vector<std::pair<int, std::vector<double>>> sharing_spread;
  /// kPacked only: the measured share weight w(m) of each model named there (sim/packed_sharing.hpp);
  /// a model not named, or an empty map: 1.
  std::map<std::string, double> sharing_share_weights;
  /// kPacked only: the measured units running at once per hardware-queue count from the same file,
  /// as (queues, running) points (sim/running_limit.hpp); empty: no limit.
  std::vector<std::pair<int, double>> running_limit;
  /// Simulated platform only: the hardware queues the simulated process has (the live mode's
  /// CUDA_DEVICE_MAX_CONNECTIONS: 32 unless the user set it), which the running limit reads.
  int hardware_queues = 32;
  /// Simulated platform only: how streams of different priority share SMs.
  PriorityRule priority_rule = PriorityRule::kStrict;
  /// Replaying a recorded run (`sgprs validate`): job k of task i becomes available
  /// (*release_latencies)[i][k] ns after the instant the job rules give it (max(r, f));
  /// a missing entry is 0. Its deadlines still count from r. Empty: none.
  std::shared_ptr<const std::vector<std::vector<Ns>>> release_latencies;
  /// Whether the summary gets each partition's busy fraction and each task's response percentiles.
  /// Off (all 0; the counts stay), no response is kept and no observer of the run's own sees a
  /// stage start or finish, so the run core builds those events only for the caller's observers:
  /// a sweep, which reports neither, then takes about 7% less CPU.
  bool summary_details = true;
};

}  // namespace sgprs::sim
