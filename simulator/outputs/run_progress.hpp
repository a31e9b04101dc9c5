#pragma once
// Observer that tells a person waiting on a long run how far it is. A watcher thread wakes once a
// second; once the run has taken kFirstReportS of wall time it prints one line on `out` every
// kEveryS: "simulate: preparing a run of 1000000 tasks, 10 s so far" until the first event, then
// "simulate: 3.2 of 10 s simulated (32%), 1.8e+07 events, 21 s so far". Short runs print nothing.
// on_event() only stores two relaxed atomics, so the run pays next to nothing for it.
// Thread safety: on_event() from the run's thread; the watcher reads what it stores.
#include "simulator/core/run_event.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace sgprs::sim {

class RunProgress final : public Observer {
 public:
  static constexpr double kFirstReportS = 5;
  static constexpr double kEveryS = 10;

  /// `enabled` false: no thread, no output.
  RunProgress(std::FILE* out, Ns duration_ns, std::size_t tasks, bool enabled);
  ~RunProgress() override;
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  bool wants_stage_deadlines() const override { return false; }
  void on_event(const RunEvent& event) override {
    events_.store(events_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    now_ns_.store(event.time_ns, std::memory_order_relaxed);
  }
  /// Stops the watcher; a last line when any was printed.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void watch();
  void report(double elapsed_s);

  std::FILE* out_;
  Ns duration_ns_;
  std::size_t tasks_;
  Clock::time_point start_ = Clock::now();
  std::atomic<std::uint64_t> events_{0};
  std::atomic<Ns> now_ns_{0};
  bool printed_ = false;  // watcher thread until it is joined
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace sgprs::sim
