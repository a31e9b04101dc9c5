#pragma once
// Observer that writes a timeline in the Chrome trace event format, which the
// Perfetto UI (ui.perfetto.dev) and chrome://tracing open as is:
//   one process per partition ("p0 (66 SMs)"), one thread per slot inside it
//   (a partition runs up to max_parallel stages at once, and slices of one
//   thread must not overlap), one complete ("X") slice per stage run named
//   "task/stage" with task, job, stage, partition and outcome in args; and, after
//   the partitions, a "jobs" process with one thread per task and one slice per
//   job from its release (or later start) to its end, named by its outcome.
//   Times are in microseconds (the format's unit), from the integer ns.
// The trace is streamed to a PendingFile as the run goes, so memory stays bounded
// whatever the duration: each event is serialised by nlohmann/json when it closes,
// and the document's frame is written around them. close() surfaces any write
// error naming the path; publish() puts the complete file in place.
#include "common/json_io.hpp"
#include "common/temp_files.hpp"
#include "simulator/core/run_event.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {

class TimelineWriter final : public Observer {
 public:
  /// Opens `path`'s temporary file (InputError naming `path` when it cannot).
  explicit TimelineWriter(std::string path);

  void on_run_start(const RunInfo& info) override;
  void on_event(const RunEvent& event) override;
  /// Ends the document and closes the file; InputError naming the path on a write error.
  void close();
  /// Renames the complete file into place (after close()).
  void publish();
  void commit() {
    close();
    publish();
  }

 private:
  struct Open {
    int task, stage, partition, slot;
    std::int64_t job;
    Ns start_ns;
  };
  void emit(const Json& event);

  PendingFile file_;
  bool started_ = false;
  bool first_event_ = true;
  std::string text_;
  const RunInfo* info_ = nullptr;
  std::vector<Open> open_;
  std::vector<std::vector<bool>> slot_busy_;  // per partition
  std::vector<Ns> job_started_ns_;            // per task: when its current job was released, -1 if none
};

}  // namespace sgprs::sim
