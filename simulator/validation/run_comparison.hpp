#pragma once
// A live run against its re-simulation, job by job and stage by stage (`sgprs validate`).
//
// Definitions (relative errors are (simulated - live) / live):
//   response_p50_rel_error  median over tasks of |error of the task's p50 response time|
//                           (responses of completed jobs, on time or late; nearest rank)
//   response_p99_rel_error  the same for the p99
//   decision_agreement      stages started in both runs on the same partition, over the stages
//                           started in either run: a stage keyed (task, job, stage) that only one
//                           run started (the runs diverged: a skip, an abort) counts as a
//                           disagreement. decision_agreement_matched divides by the stages both
//                           runs started instead. decision_agreement_width counts a stage as
//                           agreeing when its two partitions have the same SM count (of several
//                           equal idle partitions, moldable blocks for one, the runs may pick
//                           different ones at the same moment), over the same stages as
//                           decision_agreement. decision_agreement_block counts it as agreeing
//                           when both partitions are moldable blocks of the same width in pieces
//                           (policy/block_name.hpp: the one-piece block that holds the remainder
//                           SMs, 20 on the H100 and H200, is of the same class as the 8-SM ones),
//                           else as decision_agreement_width does.
//   stage_time_rel_error    per stage run started in both runs: the simulated GPU's busy time
//                           against the GPU's measured one (the GPU model's error, sharing and
//                           interference included); median and p90 of |error|, and the signed
//                           median (bias)
//   profile_time_rel_error  per live stage run alone on its partition (no other stage on it at
//                           any moment of its run): the measured time against the profile's
//                           isolated and occupied times at that partition's SMs (the
//                           simulator's input error, apart from any policy or sharing)
//   release_match           the share of releases whose instant is equal in both runs
#include "common/json_io.hpp"
#include "simulator/validation/run_log.hpp"

#include <functional>
#include <string>
#include <vector>

namespace sgprs::validation {

struct RunTotals {  // from each run's summary
  double miss_ratio = 0;
  double throughput_jobs_per_s = 0;
};

/// The profile's time of `stage` of `task`'s model at `sms` SMs: isolated, or occupied when
/// `occupied` (the isolated time where the profile has no occupied one).
using StageTimeLookup = std::function<Ns(int task, int stage, int sms, bool occupied)>;

struct ErrorSpread {
  std::int64_t count = 0;
  double median_abs = 0;
  double p90_abs = 0;
  double median_signed = 0;
  Json to_json() const;
};

struct TaskComparison {
  std::string task;
  std::int64_t completed_live = 0, completed_sim = 0;
  Ns p50_live = 0, p99_live = 0, p50_sim = 0, p99_sim = 0;
  double p50_rel_error = 0, p99_rel_error = 0;
};

struct StageGroup {  // one (task's model stage, partition size): what the profile and both runs say
  std::string stage;   // "<model>/<stage>"
  int sms = 0;
  std::int64_t alone_runs = 0;
  Ns live_alone_median = 0, isolated = 0, occupied = 0;
};

struct Validation {
  std::vector<TaskComparison> tasks;
  double response_p50_rel_error = 0, response_p99_rel_error = 0;
  double response_p50_rel_error_max = 0, response_p99_rel_error_max = 0;
  RunTotals live, sim;
  double throughput_rel_error = 0;
  double decision_agreement = 0, decision_agreement_matched = 0, decision_agreement_width = 0;
  double decision_agreement_block = 0;
  std::int64_t stages_live = 0, stages_sim = 0, stages_both = 0, stages_same_partition = 0, stages_same_width = 0;
  std::int64_t stages_same_block = 0;
  // Stages that waited on their stream before their start (streams' queued jobs, chained stages).
  std::int64_t stages_queued_live = 0, stages_queued_sim = 0;
  ErrorSpread stage_time;
  ErrorSpread profile_isolated, profile_occupied;
  std::vector<StageGroup> stage_groups;
  std::int64_t releases_compared = 0, releases_equal = 0;
  Ns release_diff_p99_ns = 0;

  Json to_json() const;  // schema sgprs.validation/1 (without the caller's provenance)
};

/// Compares `live` with `sim`, two logs of the same task set, layout and scheduler; `task_models`
/// names each task's model (for the stage groups).
Validation compare_runs(const RunLog& live, const RunLog& sim, const RunTotals& live_totals,
                        const RunTotals& sim_totals, const std::vector<std::string>& task_models,
                        const StageTimeLookup& profile_time);

/// The readable report (Markdown): the headline figures, then one row per task and per stage group.
std::string validation_report(const Validation& v, const std::string& title);

}  // namespace sgprs::validation
