#pragma once
// Observers run on a thread of their own. The live control thread must not format and write
// the event log: measured on the H200 (docs/live.md, third session), writing it on that thread
// made the scheduler call 23 us (p50) instead of 0.5 us and stalled releases at 30,000 stage
// launches/s. BackgroundObservers hands each event to a worker thread that calls the wrapped
// observers in the same order, so their outputs are the same bytes as when called directly.
//
//   BackgroundObservers logged(outputs.observers());   // event log, timeline
//   run with {&logged, &counter};                       // counter stays on the run's thread
//   logged.drain();                                     // after a fault: everything handed over is written
//
// on_run_start and on_run_end call the wrapped observers on the calling thread (on_run_end
// after the queue is empty). The wrapped observers are started with a copy of the RunInfo that
// lives as long as this object: events are delivered after the caller's RunInfo may be gone
// (a GPU fault unwinds the run that owned it while the log is still being written). An exception thrown by a wrapped observer on the worker is rethrown
// on the run's thread at its next call (on_event, on_run_end or drain), and no later event is
// delivered. The queue holds at most kMaxQueued events; past that the run's thread waits.
// on_event wakes nobody: the worker looks at the queue every kPickUpEvery (and at once when
// kWakeAt events wait, or on drain), because waking a sleeping thread is a system call on the
// live control thread's decision path (a few microseconds each, against a 5-us target).
#include "common/time.hpp"
#include "simulator/core/run_event.hpp"

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace sgprs::sim {

class BackgroundObservers final : public Observer {
 public:
  static constexpr std::size_t kMaxQueued = std::size_t{1} << 20;
  static constexpr std::size_t kWakeAt = std::size_t{1} << 14;
  static constexpr Ns kPickUpEvery = kNsPerMs;

  explicit BackgroundObservers(std::vector<Observer*> observers);
  ~BackgroundObservers() override;  // drains, swallowing a pending error
  BackgroundObservers(const BackgroundObservers&) = delete;
  BackgroundObservers& operator=(const BackgroundObservers&) = delete;

  void on_run_start(const RunInfo& info) override;
  void on_event(const RunEvent& event) override;
  bool wants_stage_deadlines() const override { return wants_stage_deadlines_; }
  bool wants_decisions() const override { return wants_decisions_; }
  bool wants_stage_events() const override { return wants_stage_events_; }
  void on_run_end(Ns end_ns) override;
  /// Waits until every event handed over was delivered; rethrows a wrapped observer's error.
  void drain();

 private:
  void work();
  void rethrow_if_failed();  // caller holds mutex_
  // Wakes the worker and waits until the queue is delivered or a wrapped observer failed.
  void wait_until_delivered(std::unique_lock<std::mutex>& lock);

  std::vector<Observer*> observers_;
  RunInfo info_;  // what the wrapped observers were started with; they may keep pointers into it
  bool wants_stage_deadlines_ = false;
  bool wants_decisions_ = false;
  bool wants_stage_events_ = false;
  std::mutex mutex_;
  std::condition_variable wake_worker_;
  std::condition_variable wake_producer_;
  std::vector<RunEvent> queued_;
  bool busy_ = false;  // the worker holds a batch it has not finished delivering
  bool stop_ = false;
  bool hurry_ = false;  // drain() waits: the worker should not sleep out its pick-up period
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace sgprs::sim
