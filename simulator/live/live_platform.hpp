#pragma once
// The live world: the run core's Platform on a real (or fake) device. One control
// thread runs everything: it sleeps until the next timer or the next completion
// the executor reports, hands completions to the core first and due timers after
// (core/platform.hpp's same-instant order), and launches what the core starts.
// The core's time is the host clock from the instant run() begins (the executor's
// times are shifted onto it): a timer fires at the clock's reading when it
// is handled (>= its armed instant), a unit finishes when the executor noticed it.
// A GPU cannot stop a running kernel: can_stop_units() is false, so the abort
// policy drops a late job when its running stage ends (core/run_core.hpp).
// A queued unit (queue_unit, the `streams` baseline's busy stream) is launched at
// once onto its partition's one stream; the GPU runs it when the unit ahead of it
// ends. The core starts it when it hears of that end; should the executor report
// the queued unit's own end first (both ended before one wait), that report is held
// back until the core has started it.
//
//   LivePlatform platform(plan, executor, clock, options);
//   RunCore core(plan, scheduler, platform, observers, duration_ns);
//   platform.run(core);              // returns when every released job ended
//   platform.stats();                // jitter, decision time, latencies
#include "simulator/core/platform.hpp"
#include "simulator/core/queued_units.hpp"
#include "simulator/core/run_core.hpp"
#include "simulator/core/timer_queue.hpp"
#include "simulator/live/host_clock.hpp"
#include "simulator/live/stage_executor.hpp"
#include "simulator/live/thread_accounting.hpp"

#include <atomic>
#include <string>
#include <functional>
#include <vector>

namespace sgprs::live {

struct LiveOptions {
  /// Sleep until this long before a timer, then poll the executor without blocking (a sleeping
  /// thread wakes up late: tens of microseconds, milliseconds on a busy virtual machine; `sgprs
  /// live` polls always on the GPU, docs/live.md). 0 for a virtual clock.
  Ns spin_ns = 0;
  /// Set (from a signal handler) to stop: no more releases; jobs already released run
  /// on until they end or `drain_timeout_ns` passes.
  const std::atomic<bool>* stop = nullptr;
  Ns drain_timeout_ns = 2 * kNsPerSecond;
  /// Called about once per `progress_every_ns` of host time with the run so far.
  std::function<void(Ns now)> progress;
  Ns progress_every_ns = kNsPerSecond;
  /// A unit still unfinished this long after its launch stops the run with a GpuError naming
  /// it (a kernel that never ends, or a device far slower than the profile): never a silent hang.
  Ns stall_timeout_ns = 10 * kNsPerSecond;
  /// 1-99: the control thread runs under SCHED_FIFO at this priority for the run (0: the default
  /// policy). The executor's threads keep theirs. A refusal by the system is an InputError.
  int realtime_priority = 0;
};

/// Samples, each in ns, one per occurrence.
struct LiveStats {
  std::vector<Ns> release_jitter;      // a release timer's handling instant - its armed instant
  std::vector<Ns> decision;            // host time of each call into the run core, less its launches (the policy)
  std::vector<Ns> core_call;           // the same calls, launches included
  std::vector<Ns> launch;              // host time of each executor launch (a graph launch on a GPU)
  std::vector<Ns> release_to_launch;   // a job's release instant - its first unit's launch
  std::vector<Ns> end_to_noticed;      // a unit's GPU end - when the host noticed it
  std::vector<Ns> launch_to_start;     // a unit's GPU start - its launch call: the launch's way to the SMs, and a
                                       // wait for them where the unit shares its partition
  // Where late releases come from (docs/live.md, fourteenth session: the control thread was away for
  // 1-3 ms at a time, tens of times in a 2-s run at ResNet-18 N = 220):
  std::vector<Ns> wake_lateness;       // a wait meant to end at a timer that returned after it: its return - the instant
  std::vector<Ns> loop_handling;       // one turn of the control loop from the wait's return: completions and timers
  ThreadAccounting control_thread;     // the control thread's switches and run-queue wait, the host's steal
  std::string control_thread_policy;   // as the run ran: "SCHED_OTHER", "SCHED_FIFO 50"
  int usable_cpus = -1;                // CPUs the process may run on
  std::int64_t launches = 0;
  bool interrupted = false;            // the stop flag ended the run early
  bool drained = true;                 // every released job ended (false: drain timed out)
};

class LivePlatform final : public sim::Platform {
 public:
  LivePlatform(const sim::PolicyPlan& plan, StageExecutor& executor, const HostClock& clock, LiveOptions options);
  /// Runs `core` (built on this platform) until every released job ended, or the
  /// stop flag and the drain time-out say otherwise. Returns the last instant.
  Ns run(sim::RunCore& core);
  const LiveStats& stats() const { return stats_; }

  void start_unit(Ns now, int task, int unit, std::int64_t job, int partition) override;
  void queue_unit(Ns now, int task, int unit, std::int64_t job, int partition) override;
  void arm_timer(const sim::Timer& timer) override { timers_.push(timer); }
  bool can_stop_units() const override { return false; }
  void stop_task_units(Ns, int, std::vector<sim::StoppedUnit>&) override {}

 private:
  /// Run time: host clock minus the instant run() began (executor times are shifted likewise).
  Ns now() const;
  void wait_for_work(Ns next_timer, std::vector<UnitCompletion>& done);
  void call_core(const std::function<void()>& call);
  void launch(Ns now, const UnitLaunch& unit);
  /// Hands a completion to the core, or holds it back while its unit is queued and not yet started.
  void deliver(sim::RunCore& core, const UnitCompletion& c, Ns& last);
  /// The earliest instant at which an in-flight unit counts as stalled (kNever: none in flight).
  Ns next_stall_deadline() const;
  [[noreturn]] void report_stall(Ns now) const;

  const sim::PolicyPlan& plan_;
  StageExecutor& executor_;
  const HostClock& clock_;
  LiveOptions options_;
  sim::TimerQueue timers_;
  Ns origin_ = 0;
  std::vector<Ns> job_release_ns_;   // per task: the release instant of its current job, -1 once launched
  struct InFlight {
    UnitLaunch unit;
    Ns launched_ns;
  };
  std::vector<InFlight> in_flight_;  // launched, not yet reported done (few: slots bound them)
  Ns launch_ns_in_call_ = 0;         // launch time spent inside the current core call
  sim::QueuedUnits queued_;          // launched by queue_unit, not yet started by the core
  std::vector<UnitCompletion> held_;  // completions of queued units the core has not started yet
  LiveStats stats_;
};

}  // namespace sgprs::live
