// SGPRS as published (paper §2.4, §4.3, §4.4, and the authors' public code), every open
// detail an option (scheduler_options.hpp):
//   deferral  a low-priority stage that is not among the last `no_defer_last`,
//             ready while no partition is idle, waits until d_j - defer_window x r_j
//             (once: when it wakes it is dispatched without a second check, as the paper's sleep)
//   pass 1    the first idle partition in scan order that finishes it before its
//             stage deadline: now + occ(s, p) < d_j (strict, as the paper)
//   pass 2    else the idle partition with the smallest now + occ(s, p)
//   pass 3    else the partition with the smallest F(p) + occ(s, p) (F: completion_estimate)
// Ties go to the earlier partition in scan order.
#include "simulator/policy/registry.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sgprs::sim {

namespace {

class SgprsScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;

 protected:
  void on_reset() override {
    scan_.resize(static_cast<std::size_t>(partition_count()));
    std::iota(scan_.begin(), scan_.end(), 0);
    if (options().scan_order == ScanOrder::kAscendingSms) {
      const auto& parts = plan().pool().partitions;
      std::stable_sort(scan_.begin(), scan_.end(), [&](int a, int b) {
        return parts[static_cast<std::size_t>(a)].sms < parts[static_cast<std::size_t>(b)].sms;
      });
    }
  }

  Choice on_stage_ready(const StageRef& stage, Ns now, bool after_defer) override {
    const TaskPlan& task = plan().tasks()[static_cast<std::size_t>(stage.task)];
    const Unit& unit = plan().model_of(stage.task).units[static_cast<std::size_t>(stage.unit)];
    const Ns deadline = stage_deadline(stage);
    bool any_idle = false;
    for (int p : scan_) any_idle = any_idle || idle(p);

    if (!after_defer && !any_idle && task.priority == Priority::kLow && unit.depth_to_sink > options().no_defer_last) {
      const Ns slice = task.stage_slice_ns[static_cast<std::size_t>(stage.unit)];
      const Ns earliest = deadline - static_cast<Ns>(std::llround(options().defer_window * static_cast<double>(slice)));
      if (now < earliest) return Choice{-1, earliest};
    }
    for (int p : scan_)
      if (idle(p) && now + predicted_ns(stage, p) < deadline) return Choice{p, -1};
    int best = -1;
    Ns best_finish = kNever;
    if (any_idle) {
      for (int p : scan_) {
        const Ns finish = now + predicted_ns(stage, p);
        if (idle(p) && finish < best_finish) best = p, best_finish = finish;
      }
      return Choice{best, -1};
    }
    for (int p : scan_) {
      const Ns finish = predicted_free_ns(p, now) + predicted_ns(stage, p);
      if (finish < best_finish) best = p, best_finish = finish;
    }
    return Choice{best, -1};
  }

 private:
  std::vector<int> scan_;
};

}  // namespace

std::unique_ptr<Scheduler> make_sgprs_scheduler(const SchedulerOptions& options) {
  return std::make_unique<SgprsScheduler>(options);
}

}  // namespace sgprs::sim
