// The `sequential` baseline: one partition with the whole GPU, one stage at a
// time, the waiting stages in earliest-job-deadline-first order (ties: the
// earlier assigned). The requested layout only names the GPU.
#include "simulator/policy/registry.hpp"

namespace sgprs::sim {

namespace {

class SequentialScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;

 protected:
  Choice on_stage_ready(const StageRef&, Ns, bool) override { return Choice{0, -1}; }
  WaitingOrder waiting_order() const override { return WaitingOrder::kJobEdf; }
  Layout on_make_pool(const Layout&, const GpuShape& gpu, std::size_t) const override {
    return layout_from_sizes("sequential", {gpu.sm_count}, gpu, 1);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_sequential_scheduler(const SchedulerOptions& options) {
  return std::make_unique<SequentialScheduler>(options);
}

}  // namespace sgprs::sim
