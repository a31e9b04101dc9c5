#pragma once
// The one event stream of a run, the same in both worlds. The run core
// (core/run_core.hpp) reports each release, decision, start, finish, job outcome
// and skip to every attached Observer, in processing order, whichever platform
// drives it; the event log, the timeline and the metrics are all observers of it.
//
// Thread safety: an Observer belongs to one run and is called from the thread
// that drives the run core only.
#include "common/time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::sim {

enum class EventKind : std::uint8_t {
  kRelease,   // a job's nominal release instant (the job may start later, see docs/simulator.md)
  kSkip,      // a job whose whole period passed while an earlier job of its task ran: never started
  kDecision,  // the scheduler sent a stage to `partition`, or (partition < 0) deferred it to `until_ns`
  kStart,     // a stage began running on `partition`
  kFinish,    // a stage finished on `partition`
  kCancel,    // a running stage was stopped (miss policy abort)
  kJobEnd,    // a job ended: `outcome` says on time, late or aborted
};

enum class JobOutcome : std::uint8_t { kNone, kOnTime, kLate, kAborted };

const char* to_string(EventKind kind);
const char* to_string(JobOutcome outcome);

struct RunEvent {
  Ns time_ns = 0;
  EventKind kind = EventKind::kRelease;
  JobOutcome outcome = JobOutcome::kNone;  // kJobEnd only
  int task = -1;                           // index into RunInfo::task_names
  int stage = -1;                          // unit index into RunInfo::unit_names[task_model[task]]
  int partition = -1;                      // index into RunInfo::partition_names
  std::int64_t job = -1;                   // job number within its task: 0 for the release at offset_ns
  Ns release_ns = 0;                       // the job's nominal release instant
  Ns deadline_ns = 0;                      // the job's absolute deadline
  Ns stage_deadline_ns = -1;               // the stage's virtual deadline (decision/start/finish), -1 if none
  Ns until_ns = -1;                        // kDecision with partition < 0: when the stage is looked at again
  bool queued = false;                     // kStart: the unit was on its partition's stream already (kQueue), so
                                           // it reaches the GPU without the host's launch (no stage overhead)
  // Live runs only (-1 in simulation), on kFinish: when the GPU ran the stage, and
  // when the host launched it and noticed its end (the event's time_ns is the notice).
  Ns launch_ns = -1;
  Ns gpu_start_ns = -1;
  Ns gpu_end_ns = -1;
};

/// What a live platform measured of one unit, handed to the run core with its finish.
struct UnitStamps {
  Ns launch_ns = -1;     // host: the unit was enqueued
  Ns gpu_start_ns = -1;  // GPU, on the host clock
  Ns gpu_end_ns = -1;    // GPU, on the host clock
};

/// What observers need to name things; valid for the whole run.
struct RunInfo {
  std::string scheduler;
  std::uint64_t seed = 0;
  Ns duration_ns = 0;
  std::vector<std::string> task_names;
  std::vector<std::size_t> task_model;               // task -> index into unit_names
  std::vector<std::vector<std::string>> unit_names;  // per model: the units the scheduler runs (stages, or the whole model)
  std::vector<std::string> partition_names;
  std::vector<int> partition_sms;
  int max_parallel = 1;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_run_start(const RunInfo& info) { (void)info; }
  virtual void on_event(const RunEvent& event) = 0;
  /// False when the observer never reads RunEvent::stage_deadline_ns (saves the
  /// lookup on every event of a long run).
  virtual bool wants_stage_deadlines() const { return true; }
  /// False when the observer ignores kDecision events (a third of a run's events): the run core
  /// then skips them for all observers when none wants them.
  virtual bool wants_decisions() const { return true; }
  /// False when the observer ignores kStart, kFinish and kCancel events (two thirds of a run's
  /// events): the run core then skips them for all observers when none wants them.
  virtual bool wants_stage_events() const { return true; }
  /// `end_ns`: the instant the last job was decided (releases stop at RunInfo::duration_ns).
  virtual void on_run_end(Ns end_ns) { (void)end_ns; }
};

}  // namespace sgprs::sim
