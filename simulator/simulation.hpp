#pragma once
// The simulator's public face: resolve a task set into a Workload once, then
// replay it under a scheduler and a partition layout as often as needed.
//
//   const Profile profile = Profile::load("traces/profiles/h100-fp32.json");
//   const Workload work = make_workload(TaskSet::load("ts.json"), profile, "traces/models", /*seed=*/1);
//   RunOptions run;  run.scheduler = "sgprs";  run.duration_ns = 10 * kNsPerSecond;
//   Summary s = simulate(profile, work, parse_layout("equal:2:1.0x", profile.gpu()), run);
//
// Thread safety: simulate() may run concurrently on many threads with the same
// Profile and Workload (both read-only); each call owns its engine, GPU model,
// scheduler and random generator. Observers belong to one call.
//
// Accounting (docs/simulator.md has the details): a job is *released* at each
// nominal release instant offset + k T that is < duration, whether or not it
// can start then. After `duration` no job is released, and the run goes on
// until every released job has ended (completed, aborted or skipped), so
// released = completed + aborted + skipped, exactly.
#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/model.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "common/time.hpp"
#include "simulator/observer.hpp"
#include "simulator/scheduler_options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::sim {

/// A task set resolved against models and a profile: read-only, shareable across threads.
struct Workload {
  std::vector<sgprs::Task> tasks;        // expanded (copies, random offsets drawn)
  std::vector<sgprs::Model> models;      // each distinct model once
  std::vector<std::size_t> task_model;   // tasks[i] runs models[task_model[i]]
  std::string taskset_name;
  std::string taskset_source;
  std::uint64_t seed = 0;                // the seed the offsets were drawn with
};

/// Loads each task's model from <models_dir>/<model>.json, checks that every
/// model and stage is in the profile (InputError naming the file and field
/// otherwise) and expands the task set with `seed`. Deadlines are not checked
/// here: call set.check_deadlines() first when D > T must be refused.
Workload make_workload(const sgprs::TaskSet& set, const sgprs::Profile& profile, const std::string& models_dir,
                       std::uint64_t seed);

struct RunOptions {
  std::string scheduler = "sgprs";  // one of scheduler_names()
  SchedulerOptions scheduler_options;
  sgprs::Ns duration_ns = 10 * sgprs::kNsPerSecond;  // releases happen in [0, duration_ns)
  std::uint64_t seed = 1;                             // recorded; the simulation itself draws nothing yet
  /// The scheduler's predictions (virtual deadlines, partition choice) use the
  /// profile's occupied times when it has them (paper §4.2); else isolated times.
  bool use_occupied_times = true;
  /// What the simulated GPU runs: isolated times shared by the processor-sharing
  /// rule (default), or the occupied times (already loaded) under the same rule.
  bool gpu_uses_occupied_times = false;
};

struct TaskSummary {
  std::string name;
  std::int64_t jobs_released = 0, jobs_completed = 0, jobs_on_time = 0, jobs_skipped = 0, jobs_aborted = 0;
  double miss_ratio = 0;  // (released - on_time) / released: late, aborted and skipped jobs
  sgprs::Ns response_p50_ns = 0, response_p99_ns = 0, response_max_ns = 0;  // completed jobs, from nominal release
};

struct PartitionSummary {
  std::string name;
  int sms = 0;
  double busy_fraction = 0;  // time with >= 1 stage running within [0, duration) / duration
};

struct Summary {
  std::int64_t jobs_released = 0, jobs_completed = 0, jobs_on_time = 0, jobs_skipped = 0, jobs_aborted = 0;
  double miss_ratio = 0;             // (missed + skipped) / released, missed = late or aborted
  double throughput_jobs_per_s = 0;  // completed jobs per simulated second of the release window
  std::int64_t events_processed = 0; // events in the stream (what events.jsonl would hold)
  std::int64_t stage_events = 0;     // stage starts + finishes: the benchmark's unit
  sgprs::Ns end_ns = 0;              // when the last released job was decided
  double wall_time_s = 0;            // not deterministic: leave it out when comparing runs
  std::vector<TaskSummary> tasks;
  std::vector<PartitionSummary> partitions;
  sgprs::Json provenance;            // scheduler, options, layout, seed, duration, profile, task set

  /// Schema "sgprs.summary/1".
  sgprs::Json to_json() const;
};

/// Replays `workload` on the profile's GPU. Each observer sees every event of
/// the run; a MetricsCollector is always attached internally to build the Summary.
/// Throws InputError("--scheduler", ...) for an unknown scheduler and
/// InputError("--layout", ...) for a layout the scheduler cannot use.
Summary simulate(const sgprs::Profile& profile, const Workload& workload, const sgprs::Layout& layout,
                 const RunOptions& options, const std::vector<Observer*>& observers = {});

/// Everything simulate() checks before its first event (scheduler, pool, plan: a reference
/// partition the pool lacks, a model the profile lacks, ...), without running; throws the same
/// InputError simulate() would. Sweeps call it for every scheduler x layout before any run.
void check_run(const sgprs::Profile& profile, const Workload& workload, const sgprs::Layout& layout,
               const RunOptions& options);

/// Registered scheduler names, in a stable order: sgprs, naive, sequential, static.
std::vector<std::string> scheduler_names();
/// One line describing a registered scheduler (for --help); empty if unknown.
std::string scheduler_description(const std::string& name);

}  // namespace sgprs::sim
