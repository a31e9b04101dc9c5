#pragma once
// Observer that writes the event stream as JSON Lines (schema "sgprs.events/1"):
// a header object on the first line (schema, scheduler, seed, duration, the
// names of tasks, stages and partitions), then one object per event, in stream
// order. Keys: t_ns, ev, task, job, release_ns, deadline_ns; plus stage,
// partition, stage_deadline_ns (stage events), until_ns (deferral), outcome and
// response_ns (job_end). Names are escaped once, by nlohmann/json.
//
// The file is written to a PendingFile (a temporary name in the same folder) as
// the run goes: close() surfaces any write error naming the path, publish() puts
// it in place; destroyed or interrupted (SIGINT, SIGTERM) before that, the
// temporary is removed, so a failed run never leaves a half-written log behind.
#include "common/temp_files.hpp"
#include "simulator/core/run_event.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {

class EventLogWriter final : public Observer {
 public:
  explicit EventLogWriter(std::string path);
  ~EventLogWriter() override;
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  void on_run_start(const RunInfo& info) override;
  void on_event(const RunEvent& event) override;
  /// Flushes and closes; InputError naming the path on a write error (disk full, quota).
  void close() { file_.close(); }
  /// Renames the complete log into place (after close()).
  void publish() { file_.publish(); }
  void commit() { file_.commit(); }

 private:
  PendingFile file_;
  std::string line_;
  std::vector<std::string> task_json_;                // escaped, quoted names
  std::vector<std::vector<std::string>> unit_json_;   // per model
  std::vector<std::size_t> task_model_;
  std::vector<std::string> partition_json_;
};

}  // namespace sgprs::sim
