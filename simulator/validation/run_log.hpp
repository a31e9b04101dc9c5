#pragma once
// One run's event log (events.jsonl, schema sgprs.events/1) read back: every job and every stage
// run, from either world. A live log carries, per finished stage, the host launch instant and the
// GPU start and end converted to the host clock; a simulated log has none, and its stage start
// and finish events are the GPU's instants.
//
//   const RunLog live = read_run_log("out/live/events.jsonl");
//   for (const StageRun& s : live.stage_runs) ... s.gpu_end_ns - s.gpu_start_ns ...
#include "common/time.hpp"

#include <algorithm>
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sgprs::validation {

/// How a job ended: as the run core's job_end outcomes, plus skipped (never released).
enum class JobEnd { kOnTime, kLate, kAborted, kSkipped, kUnfinished };

struct JobRun {
  int task = -1;
  std::int64_t job = -1;
  Ns release_ns = 0;        // nominal r = offset + kT
  Ns deadline_ns = 0;
  Ns released_at_ns = -1;   // the release event's instant (-1: skipped)
  Ns ended_at_ns = -1;      // the job_end (or skip) event's instant
  JobEnd end = JobEnd::kUnfinished;
  Ns response_ns = -1;      // ended_at - release, for completed jobs (on time or late)
};

struct StageRun {
  int task = -1;
  std::int64_t job = -1;
  int stage = -1;
  int partition = -1;
  Ns start_ns = 0;       // the start event: launch on the host (live) or GPU start (simulated)
  Ns finish_ns = -1;     // the finish event: completion noticed (live) or GPU end (simulated); -1: cancelled
  Ns launch_ns = -1;     // live only: enqueued on the GPU (before start_ns when it was queued on its stream)
  Ns gpu_start_ns = -1;  // live only
  Ns gpu_end_ns = -1;    // live only
  Ns stream_ready_ns = -1;  // live, a unit queued on its stream: when the unit ahead of it there ended
  bool queued = false;      // its start event says it was on its stream already (no host launch at its start)
  /// The GPU's own start and end: the stamps where the log has them, else the events' instants.
  /// A unit launched on an idle stream is the GPU's from its launch call on: its first kernel may
  /// wait there for SMs its co-runners hold, which is sharing, not host time (with stamps inside the
  /// graph, gpu_start_ns comes after that wait: 1.1 ms at p50 under 16 closed-loop streams on the
  /// H200). A unit queued behind another on its stream (launch before start) is the GPU's from the
  /// end of the unit ahead of it (stream_ready_ns), for the same reason.
  Ns busy_start() const {
    if (gpu_start_ns < 0) return start_ns;
    if (launch_ns >= start_ns) return std::min(launch_ns, gpu_start_ns);
    if (stream_ready_ns >= 0) return std::min(stream_ready_ns, gpu_start_ns);
    return gpu_start_ns;
  }
  Ns busy_end() const { return gpu_end_ns >= 0 ? gpu_end_ns : finish_ns; }
  /// It waited on its stream before its start: launched before it (live) or marked so (simulated).
  bool was_queued() const { return queued || (launch_ns >= 0 && launch_ns < start_ns); }
};

struct RunLog {
  std::string source;
  std::string scheduler;
  Ns duration_ns = 0;
  std::uint64_t seed = 0;
  int max_parallel = 0;
  std::vector<std::string> tasks;                // names, in task order
  std::vector<std::vector<std::string>> stages;  // per task, its units' names
  std::vector<std::string> partitions;
  std::vector<int> partition_sms;
  std::vector<JobRun> jobs;                      // in the order their first event appeared
  std::vector<StageRun> stage_runs;              // in start order
  std::int64_t releases = 0;                     // release events
  std::int64_t skips = 0;                        // skip events
  /// Index into `jobs` of (task, job); -1 when the log has no such job.
  std::int64_t find_job(int task, std::int64_t job) const;

  std::map<std::pair<int, std::int64_t>, std::size_t> job_index;
};

/// Reads `path`; InputError naming the file, the line and the field on anything malformed:
/// not JSON, a missing header, an event naming an unknown task, stage or partition, a stage
/// finishing that never started. A job released but never ended is kept as kUnfinished (the
/// caller decides whether that means the log was cut short).
RunLog read_run_log(const std::string& path);
/// The same from a stream; `source` names it in errors.
RunLog read_run_log(std::istream& in, const std::string& source);

const char* to_string(JobEnd end);

}  // namespace sgprs::validation
