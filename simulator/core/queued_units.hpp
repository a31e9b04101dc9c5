#pragma once
// What a platform remembers of the units queued on a partition's stream (Platform::queue_unit):
// per task the one unit it has there, if any (a task runs one job at a time), until the core
// starts it. The simulated and the live platform both keep one.
#include <cstdint>
#include <vector>

namespace sgprs::sim {

class QueuedUnits {
 public:
  void note(int task, int unit, std::int64_t job) {
    if (of_task_.size() <= static_cast<std::size_t>(task)) of_task_.resize(static_cast<std::size_t>(task) + 1);
    of_task_[static_cast<std::size_t>(task)] = Entry{unit, job};
  }
  /// Whether this unit was queued and is not started yet.
  bool holds(int task, int unit, std::int64_t job) const {
    if (static_cast<std::size_t>(task) >= of_task_.size()) return false;
    const Entry& e = of_task_[static_cast<std::size_t>(task)];
    return e.unit == unit && e.job == job;
  }
  /// The core starts it: true when it had been queued (and forgets it).
  bool take(int task, int unit, std::int64_t job) {
    if (!holds(task, unit, job)) return false;
    of_task_[static_cast<std::size_t>(task)] = Entry{};
    return true;
  }

 private:
  struct Entry {
    int unit = -1;
    std::int64_t job = -1;
  };
  std::vector<Entry> of_task_;
};

}  // namespace sgprs::sim
