#pragma once
// The job rules every world shares (simulated platform, live platform): releases,
// skips, DAG readiness, miss policies, applying the scheduler's decisions, and the
// one event stream. A platform (core/platform.hpp) drives it with the time.
//
// Jobs (paper §2.4): task i's job k has nominal release r_k = offset + k T and
// absolute deadline r_k + D. A task runs one job at a time. When job k-1 ends at f
// (completes, or is dropped):
//   - every later job whose whole period has passed (f > r + T, strict as the paper)
//     is skipped: a kSkip event, never started, counted as a miss;
//   - the next one is released at max(r, f) (a kRelease event at that instant,
//     carrying r; its deadlines still count from r).
// Under the overrun policy skip-late (the `streams` baseline: a busy stream drops
// frames) every job whose release instant passed (f > r) is skipped instead.
// Only jobs with r < duration are released or skipped; after that the run goes on
// until every released job has ended.
// Miss policy abort: a job still unfinished at its deadline is dropped. On a
// platform that can stop units, its running units stop at the deadline (kCancel)
// and it ends there. On one that cannot (a GPU), its waiting and deferred stages are
// discarded at the deadline, no further stage of it starts, and it ends (aborted)
// when its last running unit finishes; those units hold their slots until then.
//
// A unit the scheduler queued on a partition's stream (kQueue) before it is ready is committed:
// the GPU runs it behind the unit it waits for, whatever the core decides. So when its job is
// dropped on a platform that cannot stop units, it is not discarded: when its predecessor
// finishes, the scheduler is handed it as ready, must start it (on the partition it queued it
// on), and the job ends when it finishes.
//
// Within one platform call the scheduler's decisions are applied in the order it
// made them; when a unit finishes, the freed slot is handed to a waiting stage
// before the job's next stages become ready.
//
//   RunCore core(plan, scheduler, platform, observers, duration_ns);
//   core.begin();                    // arms the first releases
//   ... platform calls core.on_timer(t) / core.on_unit_finished(...) as time passes ...
//   core.check_ended();              // every released job ended
#include "simulator/core/platform.hpp"
#include "simulator/core/run_event.hpp"
#include "simulator/policy/scheduler.hpp"

#include <cstdint>
#include <vector>

namespace sgprs::sim {

class RunCore {
 public:
  /// `observers` see every event in order; all must outlive the run.
  RunCore(const PolicyPlan& plan, Scheduler& scheduler, Platform& platform, std::vector<Observer*> observers,
          Ns duration_ns);

  /// Arms every task's first release (or skips it: a release at or after the duration).
  void begin();
  /// A timer armed through Platform::arm_timer fired; `timer.time_ns` is now.
  void on_timer(const Timer& timer);
  /// A unit started by Platform::start_unit finished on `partition` at `now`; a live
  /// platform passes what it measured of it (copied into the kFinish event).
  void on_unit_finished(Ns now, int task, int unit, int partition, const UnitStamps* stamps = nullptr);
  /// Delays each release by a recorded latency (RunOptions::release_latencies); `latencies`
  /// must outlive the run. Null: releases at the instants the job rules give.
  void replay_release_latencies(const std::vector<std::vector<Ns>>* latencies) { release_latencies_ = latencies; }
  /// Throws std::logic_error when a released job never ended (a stage was never started).
  void check_ended() const;

  /// Jobs of any task still running (released and not ended).
  int active_jobs() const { return active_jobs_; }
  std::int64_t events_emitted() const { return events_; }
  std::int64_t stage_events() const { return stage_events_; }

 private:
  struct TaskState {
    std::int64_t next_job = 0;     // nominal index of the next job to release or skip
    std::int64_t active_job = -1;  // -1: idle
    Ns release_ns = 0;
    Ns deadline_ns = 0;
    int units_done = 0;
    int units_running = 0;
    bool dropping = false;         // abort on a platform that cannot stop units: ends when units_running is 0
    int committed_unit = -1;       // a unit queued on a stream (kQueue) and not started yet
    std::size_t preds_base = 0;    // into preds_left_, successor_begin_ and initial_preds_
    int unit_count = 0;            // units of the task's model
  };

  void schedule_next_release(int task, Ns now);
  Ns release_latency(int task, std::int64_t job) const;
  void release(int task, std::int64_t job, Ns now);
  void end_job(int task, Ns now, JobOutcome outcome);
  void drop_job(int task, Ns now);
  void start_committed(int task, int finished_unit, Ns now);
  void apply(Ns now);
  StageRef ref(int task, int unit) const;
  // Counts the event, and hands it to the observers where any wants it. Inline: a third of the
  // events are decisions, which no observer of a sweep's run wants (a call each for nothing).
  void emit(EventKind kind, Ns now, int task, int unit, int partition, JobOutcome outcome = JobOutcome::kNone,
            Ns until_ns = -1) {
    ++events_;
    if (kind == EventKind::kStart || kind == EventKind::kFinish) ++stage_events_;
    if ((wanted_kinds_ >> static_cast<unsigned>(kind) & 1U) != 0) notify(kind, now, task, unit, partition, outcome, until_ns);
  }
  static constexpr std::uint32_t kind_bit(EventKind kind) { return std::uint32_t{1} << static_cast<unsigned>(kind); }
  void notify(EventKind kind, Ns now, int task, int unit, int partition, JobOutcome outcome, Ns until_ns);

  const PolicyPlan& plan_;
  Scheduler& scheduler_;
  Platform& platform_;
  std::vector<Observer*> observers_;
  bool stage_deadlines_wanted_ = false;
  std::uint32_t wanted_kinds_ = 0;  // bit kind_bit(k): some observer wants events of kind k
  Ns duration_ns_;
  bool abort_at_deadline_;
  bool skip_late_;  // overrun policy skip-late: a release instant that passed is skipped
  std::vector<TaskState> tasks_;
  std::vector<int> preds_left_;
  // The plan's DAG flattened per (task, unit) at preds_base + unit, so that a finish reaches the
  // successors in one look-up instead of a chain of five dependent loads through the plan.
  std::vector<int> initial_preds_;             // predecessor counts
  std::vector<std::size_t> successor_begin_;   // successors of unit i: successor_list_[begin[i], begin[i + 1])
  std::vector<int> successor_list_;            // in the plan's order
  std::vector<Decision> decisions_;
  std::vector<StoppedUnit> stopped_;
  const UnitStamps* finish_stamps_ = nullptr;
  bool start_queued_ = false;  // set while the kStart event of a unit queued on its stream is emitted
  const std::vector<std::vector<Ns>>* release_latencies_ = nullptr;  // set while the kFinish event of a live unit is emitted
  int active_jobs_ = 0;
  std::int64_t events_ = 0;
  std::int64_t stage_events_ = 0;
};

}  // namespace sgprs::sim
