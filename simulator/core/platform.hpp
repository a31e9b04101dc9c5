#pragma once
// The run core's one view of a world (simulated or live). The core has no clock:
// the platform reports the current time as the `now` argument of every call it
// makes into the core (RunCore::on_timer, RunCore::on_unit_finished), and the
// core asks the platform for three things only:
//   - start a unit (a stage, or a whole model) of a job on a partition, now;
//   - call it back at an instant (a timer: a release, a deadline, the end of a deferral);
//   - stop a task's running units, where the platform can.
//
// Same-nanosecond order, which every platform keeps (the core's results depend on it):
//   0 unit finish   a slot freed at t is free for everything else at t, and a job
//                   finishing exactly at its deadline is on time
//   1 deadline      (abort policy) the job is dropped only if no finish at t completed it
//   2 defer end     a stage that waited is looked at before jobs released at the same instant
//   3 release       new jobs last: they see every slot freed at t
// Ties of one kind keep the order in which they were armed (units: the order they finish,
// then the order they started).
#include "common/time.hpp"

#include <cstdint>
#include <vector>

namespace sgprs::sim {

enum class TimerKind : std::uint8_t { kDeadline = 1, kDeferEnd = 2, kRelease = 3 };

struct Timer {
  Ns time_ns = 0;
  TimerKind kind = TimerKind::kRelease;
  int task = -1;
  int unit = -1;          // kDeferEnd only
  std::int64_t job = -1;  // the job the timer belongs to
};

struct StoppedUnit {
  int task = -1;
  int unit = -1;
  int partition = -1;
};

class Platform {
 public:
  virtual ~Platform() = default;
  /// Starts `unit` of job `job` of `task` on `partition` at `now`. The core never starts more
  /// units on a partition than the pool's max_parallel.
  virtual void start_unit(Ns now, int task, int unit, std::int64_t job, int partition) = 0;
  /// `unit` of job `job` waits for `partition`'s one slot behind the units queued there before it
  /// (Decision kQueue, only from schedulers that queue on streams); start_unit for it follows, in
  /// the same order, when the slot frees. A platform that launches units only at their start
  /// ignores it.
  virtual void queue_unit(Ns now, int task, int unit, std::int64_t job, int partition) {
    (void)now, (void)task, (void)unit, (void)job, (void)partition;
  }
  /// Calls RunCore::on_timer(timer) when the clock reaches timer.time_ns (at once, in order,
  /// when that instant has already passed).
  virtual void arm_timer(const Timer& timer) = 0;
  /// Whether stop_task_units works. A platform that cannot stop a running unit (a GPU kernel
  /// runs to its end) answers false; the abort policy then drops a late job when its running
  /// units end (RunCore).
  virtual bool can_stop_units() const = 0;
  /// Stops every running unit of `task` at `now`; appends them to `out` in start order.
  virtual void stop_task_units(Ns now, int task, std::vector<StoppedUnit>& out) = 0;
};

}  // namespace sgprs::sim
