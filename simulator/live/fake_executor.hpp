#pragma once
// A StageExecutor without a GPU: each launched unit "runs" for the time the caller
// gives it and is reported complete when that time has passed. Two clocks:
//   - virtual (tests, conformance): wait() moves a VirtualClock straight to the next
//     completion or deadline, so a live run is exact and instant;
//   - real (the control loop against host timers, `sgprs live --fake-device`):
//     wait() sleeps on the steady clock until then.
// Completions come back in (end time, launch order); GPU start = launch, GPU end =
// launch + duration, noticed = the clock when wait() returned them. With one stream per
// partition (one_stream_per_partition(), a pool of max_parallel 1) a unit launched while
// its partition's previous unit runs starts when that one ends, as on a CUDA stream.
#include "simulator/live/host_clock.hpp"
#include "simulator/live/stage_executor.hpp"

#include <functional>
#include <vector>

namespace sgprs::live {

class FakeStageExecutor final : public StageExecutor {
 public:
  using Duration = std::function<Ns(const UnitLaunch&)>;
  /// Virtual time: `clock` is moved by wait().
  FakeStageExecutor(Duration duration, VirtualClock& clock);
  /// Real time: wait() sleeps on `clock`.
  FakeStageExecutor(Duration duration, const SteadyHostClock& clock);

  /// Each partition is one stream: its units run one after another in launch order.
  void one_stream_per_partition() { one_stream_ = true; }

  void launch(const UnitLaunch& unit, Ns now_ns) override;
  void wait(Ns until_ns, std::vector<UnitCompletion>& out) override;
  int in_flight() const override { return static_cast<int>(running_.size()); }
  const SetupReport& setup_report() const override { return report_; }

 private:
  struct Running {
    UnitLaunch unit;
    Ns launch_ns;
    Ns start_ns;
    Ns end_ns;
    std::uint64_t seq;
  };
  Ns now() const;
  void advance_to(Ns t);

  Duration duration_;
  VirtualClock* virtual_clock_ = nullptr;
  const SteadyHostClock* steady_clock_ = nullptr;
  std::vector<Running> running_;
  std::uint64_t seq_ = 0;
  bool one_stream_ = false;
  std::vector<Ns> stream_free_ns_;  // one_stream_: per partition, when its last unit ends
  SetupReport report_;
};

}  // namespace sgprs::live
