#pragma once
// The runs a sweep still has to simulate, handed out one at a time to whoever
// computes them: local threads (work()) or a dispatcher that sends them to other
// processes (take() and complete()), both at once if need be.
//
//   WorkQueue queue(items, run, done);
//   std::thread helper([&] { queue.work(); });
//   queue.work();
//   helper.join();
//   queue.rethrow_if_failed();
//
// Thread-safe: every member may be called from any thread. `done(i, metrics)` is
// called once per item, from the thread that completed it, possibly concurrently.
// The first failure (an exception in a run, or fail()) stops the hand-out.
#include "simulator/experiments/run_table.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace sgprs::exp {

using RunFunction = std::function<RunMetrics(const RunKey&)>;
using ItemDone = std::function<void(std::size_t item, const RunMetrics& metrics)>;

class WorkQueue {
 public:
  WorkQueue(const std::vector<RunKey>& items, const RunFunction& run, const ItemDone& done);

  /// Runs items on this thread until none is left or one failed.
  void work();
  /// The next item to hand out; nullopt when none is left or one failed.
  std::optional<std::size_t> take();
  /// Reports the metrics of an item handed out by take().
  void complete(std::size_t item, const RunMetrics& metrics);
  /// Stops the hand-out; the first failure is the one rethrown.
  void fail(std::exception_ptr failure);

  const std::vector<RunKey>& items() const { return items_; }
  /// Items not handed out yet.
  std::size_t left() const { return items_.size() - std::min(next_.load(), items_.size()); }
  bool failed() const { return failed_.load(); }
  /// Every item completed.
  bool finished() const { return completed_.load() == items_.size(); }
  void rethrow_if_failed() const;

 private:
  const std::vector<RunKey>& items_;
  const RunFunction& run_;
  const ItemDone& done_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> completed_{0};
  std::atomic<bool> failed_{false};
  mutable std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

/// Runs every item of `queue` on `threads` threads, the caller's among them;
/// rethrows the first failure. Returns the number of threads used.
int run_on_threads(WorkQueue& queue, int threads);

}  // namespace sgprs::exp
