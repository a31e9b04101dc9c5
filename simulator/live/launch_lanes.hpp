#pragma once
// Work handed from the live control thread to a few launcher threads, so that the ~10-40 us a
// CUDA graph launch costs on the host is no longer spent on the thread that makes the
// scheduling decisions (docs/live.md, "Launcher threads"). Work is posted to a lane (a stream);
// lane l runs on thread l mod threads, so the work of one lane runs in the order it was posted,
// which keeps a stream's launches in the order the policy chose. A thread with nothing to do
// keeps looking for LaunchLanes::kLingerNs, then sleeps in short naps (a wake-up through a
// condition variable is late by tens of microseconds).
//
//   LaunchLanes lanes(2, [](void* context, void* item) { ... }, this);
//   lanes.post(stream_index, slot);      // returns at once
//   lanes.flush();                       // every posted item has run
#include "common/time.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace sgprs::live {

/// Launcher threads when --launch-threads is not given (kAutoLaunchThreads): two where units are
/// stages, one where every unit is a whole model. Measured on the H200 (docs/live.md, ninth and
/// twelfth sessions): with stage units the second thread took sgprs-best's misses at ResNet-18
/// N = 210 from 0.38% to 0.00-0.12% and moldable blocks' from 5.1% to 3.0% on a slow host; with whole
/// models (streams-32) it added misses (sixth session: 9.7-10.3% against 8.5-9.0%).
inline constexpr int kAutoLaunchThreads = -1;
int auto_launch_threads(bool whole_models);

/// Polling threads when --polling-threads is not given (ExecutorSetup::polling_threads says why four).
inline constexpr int kDefaultPollingThreads = 4;

class LaunchLanes {
 public:
  using Work = void (*)(void* context, void* item);
  static constexpr Ns kLingerNs = 500 * kNsPerUs;

  /// `threads` >= 1 workers calling `work(context, item)` for each posted item. `work` must not
  /// throw (report failures through `context`).
  LaunchLanes(int threads, Work work, void* context);
  /// Runs what was posted, then joins the threads.
  ~LaunchLanes();
  LaunchLanes(const LaunchLanes&) = delete;
  LaunchLanes& operator=(const LaunchLanes&) = delete;

  void post(int lane, void* item);
  /// Returns once every item posted so far has run.
  void flush() const;
  int threads() const { return static_cast<int>(workers_.size()); }

 private:
  struct Worker {
    std::mutex mutex;
    std::deque<void*> items;
    // Items posted and not yet taken: an idle worker reads this instead of taking the mutex on
    // every look, so that post() on the control thread seldom finds the mutex held.
    std::atomic<std::size_t> pending{0};
    std::thread thread;
  };
  void run(Worker& worker);

  Work work_;
  void* context_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> posted_{0};
  std::atomic<std::uint64_t> done_{0};
};

}  // namespace sgprs::live
