#pragma once
// Observer that builds a timeline in the Chrome trace event format, which the
// Perfetto UI (ui.perfetto.dev) and chrome://tracing open as is:
//   one process per partition ("p0 (66 SMs)"), one thread per slot inside it
//   (a partition runs up to max_parallel stages at once, and slices of one
//   thread must not overlap), one complete ("X") slice per stage run named
//   "task/stage" with task, job, stage, partition and outcome in args; and, after
//   the partitions, a "jobs" process with one thread per task and one slice per
//   job from its release (or later start) to its end, named by its outcome.
//   Times are in microseconds (the format's unit), from the integer ns.
// Written with nlohmann/json; write() goes through write_file_atomic.
#include "common/json_io.hpp"
#include "simulator/core/run_event.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {

class TimelineWriter final : public Observer {
 public:
  void on_run_start(const RunInfo& info) override;
  void on_event(const RunEvent& event) override;
  /// The whole trace document.
  const Json& trace() const { return trace_; }
  void write(const std::string& path) const;

 private:
  struct Open {
    int task, stage, partition, slot;
    std::int64_t job;
    Ns start_ns;
  };
  const RunInfo* info_ = nullptr;
  Json trace_;
  std::vector<Open> open_;
  std::vector<std::vector<bool>> slot_busy_;  // per partition
  std::vector<Ns> job_started_ns_;            // per task: when its current job was released, -1 if none
};

}  // namespace sgprs::sim
