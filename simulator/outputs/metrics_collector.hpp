#pragma once
// Observer that turns the event stream into the counts and response times of a
// Summary (outputs/summary.hpp). Attached to every run, simulated or live, by
// the function that starts it.
//   released  = kRelease + kSkip events (every nominal release < duration)
//   completed = kJobEnd on time or late; on_time = finish <= release + D
//   response  = finish - nominal release, over completed jobs (nearest-rank percentiles)
//   busy      = time a partition runs >= 1 stage, within [0, duration), over duration
// Built without `details`, the response percentiles and busy fractions are all 0 (the only readers
// of the responses and of stage events), the counts as ever.
#include "simulator/core/run_event.hpp"
#include "simulator/outputs/summary.hpp"

#include <vector>

namespace sgprs::sim {

class MetricsCollector final : public Observer {
 public:
  /// Without `details` (a sweep, which reports neither) every busy fraction and response
  /// percentile is 0: the collector keeps no responses and asks for no stage events, so the run
  /// core builds none.
  explicit MetricsCollector(bool details = true) : details_(details) {}
  void on_run_start(const RunInfo& info) override;
  void on_event(const RunEvent& event) override;
  void on_run_end(Ns end_ns) override;
  bool wants_stage_deadlines() const override { return false; }
  bool wants_decisions() const override { return false; }
  bool wants_stage_events() const override { return details_; }
  /// Fills counts, ratios, per-task and per-partition parts of `summary`.
  void fill(Summary& summary) const;

 private:
  struct TaskCounts {
    std::int64_t released = 0, completed = 0, on_time = 0, skipped = 0, aborted = 0;
    std::vector<Ns> responses;
  };
  struct PartitionBusy {
    int running = 0;
    Ns since = 0;
    Ns busy_ns = 0;
  };
  void add_busy(PartitionBusy& p, Ns until) const;
  [[gnu::noinline]] void count_job_event(const RunEvent& e);  // releases, skips and job ends

  bool details_;
  const RunInfo* info_ = nullptr;
  std::vector<TaskCounts> tasks_;
  std::vector<PartitionBusy> partitions_;
};

}  // namespace sgprs::sim
