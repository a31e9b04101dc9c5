#pragma once
// The simulated world: a discrete-event engine over int64 ns that feeds a
// Scheduler virtual time and runs its decisions on the GpuModel.
//
// Jobs (paper §2.4, SGPRS-PAPER.md): task i's job k has nominal release
// r_k = offset + k T and absolute deadline r_k + D. A task runs one job at a
// time. When job k-1 ends at f (completes, or is aborted):
//   - every later job whose whole period has passed (f > r + T, strict as the
//     paper) is skipped: a kSkip event, never started, counted as a miss;
//   - the next one is released at max(r, f) (a kRelease event at that instant,
//     carrying r; its deadlines still count from r).
// Only jobs with r < duration are released or skipped; after that the run goes
// on until every released job has ended. Miss policy abort drops a job at its
// deadline (its running stages stop, its queued stages are discarded).
//
// Same-nanosecond order: see engine/event_queue.hpp. Within one step the
// scheduler's decisions are applied in the order it made them; when a stage
// finishes, the freed slot is handed to a waiting stage before the job's next
// stages become ready.
#include "simulator/engine/event_queue.hpp"
#include "simulator/gpu/gpu_model.hpp"
#include "simulator/observer.hpp"
#include "simulator/outputs/metrics_collector.hpp"
#include "simulator/policy/scheduler.hpp"
#include "simulator/run_plan.hpp"

#include <vector>

namespace sgprs::sim {

class SimulatedPlatform {
 public:
  /// `metrics` (may be null) is called directly, the others through Observer:
  /// the common case, a long run with only the metrics, pays no virtual call.
  SimulatedPlatform(const RunPlan& plan, Scheduler& scheduler, const GpuShape& gpu, MetricsCollector* metrics,
                    std::vector<Observer*> observers, Ns duration_ns);
  /// Runs to the end; returns the instant the last released job ended.
  Ns run();
  std::int64_t events_emitted() const { return events_; }
  std::int64_t stage_events() const { return stage_events_; }

 private:
  struct TaskState {
    std::int64_t next_job = 0;     // nominal index of the next job to release or skip
    std::int64_t active_job = -1;  // -1: idle
    Ns release_ns = 0;
    Ns deadline_ns = 0;
    int units_done = 0;
    std::size_t preds_base = 0;    // into preds_left_
  };

  void schedule_next_release(int task, Ns now);
  void release(int task, std::int64_t job, Ns now);
  void finish_stage(Ns now);
  void end_job(int task, Ns now, JobOutcome outcome);
  void abort_job(int task, Ns now);
  void apply(Ns now);
  StageRef ref(int task, int unit) const;
  void emit(EventKind kind, Ns now, int task, int unit, int partition, JobOutcome outcome = JobOutcome::kNone,
            Ns until_ns = -1);

  const RunPlan& plan_;
  Scheduler& scheduler_;
  GpuModel gpu_;
  MetricsCollector* metrics_;
  std::vector<Observer*> observers_;
  Ns duration_ns_;
  bool abort_at_deadline_;
  EventQueue queue_;
  std::vector<TaskState> tasks_;
  std::vector<int> preds_left_;
  std::vector<Decision> decisions_;
  std::vector<FinishedStage> cancelled_;
  std::int64_t events_ = 0;
  std::int64_t stage_events_ = 0;
};

}  // namespace sgprs::sim
