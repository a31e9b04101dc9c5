#pragma once
// Observer that writes the event stream as JSON Lines (schema "sgprs.events/1"):
// a header object on the first line (schema, scheduler, seed, duration, the
// names of tasks, stages and partitions), then one object per event, in stream
// order. Keys: t_ns, ev, task, job, release_ns, deadline_ns; plus stage,
// partition, stage_deadline_ns (stage events), until_ns (deferral), outcome and
// response_ns (job_end). Names are escaped once, by nlohmann/json.
//
// The file is written to `<path>.tmp` as the run goes and renamed to `path` by
// commit(); destroyed without commit(), it removes the temporary file, so a
// failed run never leaves a half-written log behind.
#include "simulator/core/run_event.hpp"

#include <cstdio>
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
  /// Flushes and renames the log into place; throws std::runtime_error on an I/O failure.
  void commit();

 private:
  std::string path_;
  std::string tmp_path_;
  std::FILE* file_ = nullptr;
  std::string line_;
  std::vector<std::string> task_json_;                // escaped, quoted names
  std::vector<std::vector<std::string>> unit_json_;   // per model
  std::vector<std::size_t> task_model_;
  std::vector<std::string> partition_json_;
};

}  // namespace sgprs::sim
