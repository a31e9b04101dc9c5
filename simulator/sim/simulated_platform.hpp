#pragma once
// The simulated world: a discrete-event engine over int64 ns behind the run
// core's Platform interface. Timers wait in an TimerQueue; units run on the
// GpuModel (SM sharing, sim/gpu_model.hpp) for the times of UnitTimes. The engine
// moves its clock to the earliest of the next unit finish and the next timer (a
// finish first within a nanosecond, core/platform.hpp) and hands it to the core.
// It can stop running units, so the abort policy cancels them at the deadline.
//
//   SimulatedPlatform platform(plan, times, profile.gpu());
//   RunCore core(plan, scheduler, platform, observers, duration_ns);
//   const Ns end_ns = platform.run(core);
#include "simulator/core/platform.hpp"
#include "simulator/core/queued_units.hpp"
#include "simulator/core/run_core.hpp"
#include "simulator/core/timer_queue.hpp"
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/unit_times.hpp"

#include <deque>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

namespace sgprs::sim {

class SimulatedPlatform final : public Platform {
 public:
  /// std::invalid_argument when the pool does not fit `gpu`. With `occupied` and `interference`
  /// (both outliving the platform), stages follow the interference rule between `times`
  /// (isolated) and `occupied`.
  SimulatedPlatform(const PolicyPlan& plan, const UnitTimes& times, const GpuShape& gpu,
                    const UnitTimes* occupied = nullptr, const Interference* interference = nullptr);
  /// Each unit reaches the GPU `overhead_ns` after it is started (RunOptions::stage_overhead_ns).
  void delay_gpu_starts(Ns overhead_ns) { overhead_ns_ = overhead_ns; }
  /// Shares SMs by the packed rule (sim/packed_sharing.hpp); `contention` outlives the platform.
  void use_packed_sharing(const SharingContention* contention) { gpu_.use_packed_sharing(contention); }
  /// Spreads shared units' times around the packed rule (sim/sharing_spread.hpp); `spread` outlives the platform.
  void use_sharing_spread(const SharingSpread* spread, std::uint64_t seed) { gpu_.use_sharing_spread(spread, seed); }
  /// Weighs each unit in the packed rule's split by its model's share weight w(m)
  /// (sim/packed_sharing.hpp): `by_model[i]` for the plan's model i; empty: 1 for every model.
  void use_share_weights(std::vector<double> by_model) { share_weights_ = std::move(by_model); }
  /// At most `units` units run on the GPU at once (sim/running_limit.hpp); one that would be more
  /// waits, unstarted, first come first started, until a running unit ends. 0: no limit.
  void limit_running_units(int units) { running_limit_ = units; }
  /// Splits SMs between streams of different priority by the strict rule (sim/priority_sharing.hpp).
  void use_strict_priorities(const Layout& pool, bool floor) { gpu_.use_strict_priorities(pool, floor); }
  /// Runs `core` (built on this platform) to the end; returns the instant the last released job ended.
  Ns run(RunCore& core);

  void start_unit(Ns now, int task, int unit, std::int64_t job, int partition) override;
  /// A queued unit is on its stream already: it reaches the GPU when it starts, without the overhead.
  void queue_unit(Ns now, int task, int unit, std::int64_t job, int partition) override;
  void arm_timer(const Timer& timer) override { queue_.push(timer); }
  bool can_stop_units() const override { return true; }
  void stop_task_units(Ns now, int task, std::vector<StoppedUnit>& out) override;

 private:
  const PolicyPlan& plan_;
  const UnitTimes& times_;
  const UnitTimes* occupied_;
  GpuModel gpu_;
  TimerQueue queue_;
  std::vector<FinishedStage> cancelled_;
  struct PendingStart {  // a unit on its way to the GPU
    Ns time_ns;
    std::uint64_t seq;
    int task, unit, partition;
    std::int64_t job;
    bool operator>(const PendingStart& o) const { return std::tie(time_ns, seq) > std::tie(o.time_ns, o.seq); }
  };
  // Fields, not a PendingStart: the direct path (no overhead) would store them into one and load
  // task and unit back as one 8-byte word, a load no store can forward (a stall on every start).
  void start_on_gpu(Ns now, int task, int unit, std::int64_t job, int partition);
  void start_running(Ns now, int task, int unit, std::int64_t job, int partition);
  /// Starts held units while fewer than the limit run.
  void start_held(Ns now);
  Ns overhead_ns_ = 0;
  std::vector<double> share_weights_;  // per model of the plan; empty: all 1
  QueuedUnits queued_;  // noted only with an overhead to skip
  std::uint64_t pending_seq_ = 0;
  std::priority_queue<PendingStart, std::vector<PendingStart>, std::greater<>> pending_;
  int running_limit_ = 0;  // 0: none
  int running_ = 0;        // units on the GPU model now
  struct HeldUnit {        // at the GPU, waiting for the running limit
    int task, unit, partition;
    std::int64_t job;
  };
  std::deque<HeldUnit> held_;
};

}  // namespace sgprs::sim
