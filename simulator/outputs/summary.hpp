#pragma once
// What one run (simulated or live) amounts to: counts, ratios, response times,
// partition busy time and the run's provenance. Built by MetricsCollector from the
// event stream; written as summary.json (schema "sgprs.summary/1").
//
// Accounting (docs/simulator.md has the details): a job is *released* at each
// nominal release instant offset + k T that is < duration, whether or not it
// can start then. After `duration` no job is released, and the run goes on
// until every released job has ended (completed, aborted or skipped), so
// released = completed + aborted + skipped, exactly.
#include "common/json_io.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::sim {

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
  double throughput_jobs_per_s = 0;  // completed jobs per second of the release window
  std::int64_t events_processed = 0; // events in the stream (what events.jsonl would hold)
  std::int64_t stage_events = 0;     // stage starts + finishes: the benchmark's unit
  sgprs::Ns end_ns = 0;              // when the last released job was decided
  double wall_time_s = 0;            // not deterministic: leave it out when comparing runs
  std::vector<TaskSummary> tasks;
  std::vector<PartitionSummary> partitions;
  sgprs::JsonValue provenance;       // scheduler, options, layout, seed, duration, profile, task set

  /// Schema "sgprs.summary/1".
  sgprs::Json to_json() const;
};

}  // namespace sgprs::sim
