#pragma once
// A platform for the run core's conformance suite: every unit takes exactly the
// time the test gives it (no SM sharing, no noise), timers fire in the order of
// core/platform.hpp, and stopping units can be switched off to exercise the
// abort policy of a platform that cannot preempt (a GPU).
#include "simulator/core/platform.hpp"
#include "simulator/core/run_core.hpp"

#include <functional>
#include <vector>

namespace sgprs::sim::test {

/// Duration of `unit` of `task` on `partition`.
using UnitDuration = std::function<Ns(int task, int unit, int partition)>;

class ScriptedPlatform final : public Platform {
 public:
  ScriptedPlatform(UnitDuration duration, bool can_stop) : duration_(std::move(duration)), can_stop_(can_stop) {}
  /// Runs `core` to the end; returns the last instant.
  Ns run(RunCore& core);

  void start_unit(Ns now, int task, int unit, std::int64_t job, int partition) override;
  void arm_timer(const Timer& timer) override;
  bool can_stop_units() const override { return can_stop_; }
  void stop_task_units(Ns now, int task, std::vector<StoppedUnit>& out) override;

 private:
  struct Running {
    int task, unit, partition;
    Ns finish_ns;
    std::uint64_t seq;
  };
  struct Armed {
    Timer timer;
    std::uint64_t seq;
  };
  UnitDuration duration_;
  bool can_stop_;
  std::vector<Running> running_;
  std::vector<Armed> timers_;
  std::uint64_t seq_ = 0;
};

}  // namespace sgprs::sim::test
