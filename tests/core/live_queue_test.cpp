// The live platform's side of queued units (Platform::queue_unit): a busy stream's job is
// launched at once, the device runs it when the stream frees, and the core hears of its
// end only after it has started it, whatever order the device reports ends in.
#include "conformance_worlds.hpp"

#include <gtest/gtest.h>

namespace sgprs::sim::test {
namespace {

const std::string kLiveThreeTasks = R"({"schema": "sgprs.taskset/1", "tasks": [
    {"name": "T0", "model": "chain3", "period_ns": 10000}, {"name": "T1", "model": "chain3", "period_ns": 10000},
    {"name": "T2", "model": "chain3", "period_ns": 10000}]})";

/// Per task, what the live platform measured of its one job's unit.
class StampRecorder final : public Observer {
 public:
  void on_event(const RunEvent& e) override {
    if (e.kind == EventKind::kFinish) stamps[static_cast<std::size_t>(e.task)] = {e.launch_ns, e.gpu_start_ns, e.gpu_end_ns};
  }
  std::vector<std::vector<Ns>> stamps = std::vector<std::vector<Ns>>(3);
};

/// Reports every completion at once when nothing is left in flight, the last end first: the
/// worst order a device could hand them over in.
class LastEndFirstExecutor final : public live::StageExecutor {
 public:
  explicit LastEndFirstExecutor(live::FakeStageExecutor& inner) : inner_(inner) {}
  void launch(const live::UnitLaunch& unit, Ns now_ns) override { inner_.launch(unit, now_ns); }
  void wait(Ns until_ns, std::vector<live::UnitCompletion>& out) override {
    std::vector<live::UnitCompletion> got;
    inner_.wait(until_ns, got);
    while (inner_.in_flight() > 0) inner_.wait(kNever, got);
    for (live::UnitCompletion& c : got) c.noticed_ns = got.back().noticed_ns;  // noticed together
    out.insert(out.end(), got.rbegin(), got.rend());
  }
  int in_flight() const override { return inner_.in_flight(); }
  const live::SetupReport& setup_report() const override { return inner_.setup_report(); }

 private:
  live::FakeStageExecutor& inner_;
};

struct LiveResult {
  std::vector<std::string> lines;
  std::vector<std::vector<Ns>> stamps;
  std::int64_t launches = 0;
};

LiveResult run_streams(bool stream_queue, bool last_end_first) {
  ConformanceCase c{kLiveThreeTasks, {16}, 1, 10000, {{"chain3", 1000}}};
  c.scheduler = "streams";
  c.options = {{"streams", "1"}, {"stream_queue", stream_queue ? "on" : "off"}};
  StampRecorder stamps;
  ExecutorWrapper wrap;
  if (last_end_first) wrap = [](live::FakeStageExecutor& fake) { return std::make_unique<LastEndFirstExecutor>(fake); };
  const LiveFakeRun run = run_on_fake_device(c, wrap, {&stamps});
  return {run.lines, stamps.stamps, run.stats.launches};
}

TEST(LiveQueue, ABusyStreamsJobsAreLaunchedAtTheirReleaseAndRunBackToBack) {
  const LiveResult r = run_streams(true, false);
  EXPECT_EQ(r.launches, 3);
  // {launch, GPU start, GPU end}: T1 and T2 went onto the stream at 0, behind T0.
  EXPECT_EQ(r.stamps, (std::vector<std::vector<Ns>>{{0, 0, 1000}, {0, 1000, 2000}, {0, 2000, 3000}}));
}

TEST(LiveQueue, WithoutTheQueueAJobIsLaunchedWhenItsStreamsPreviousJobEnded) {
  const LiveResult r = run_streams(false, false);
  EXPECT_EQ(r.launches, 3);
  EXPECT_EQ(r.stamps, (std::vector<std::vector<Ns>>{{0, 0, 1000}, {1000, 1000, 2000}, {2000, 2000, 3000}}));
  EXPECT_EQ(r.lines, run_streams(true, false).lines);  // the same events either way on an exact device
}

TEST(LiveQueue, AQueuedUnitsEndReportedBeforeTheEndAheadOfItWaitsUntilTheCoreStartedIt) {
  // All three ends come back at 3000 in one batch, T2's first: T2 and T1 are held back until
  // T0's finish has started T1 and T1's has started T2.
  const LiveResult r = run_streams(true, true);
  EXPECT_EQ(r.lines, (std::vector<std::string>{
                         "0 release T0 0", "0 assign T0 chain3 s0", "0 start T0 chain3 s0", "0 release T1 0",
                         "0 assign T1 chain3 s0", "0 release T2 0", "0 assign T2 chain3 s0",
                         "3000 finish T0 chain3 s0", "3000 start T1 chain3 s0", "3000 end T0 0 on_time",
                         "3000 finish T1 chain3 s0", "3000 start T2 chain3 s0", "3000 end T1 0 on_time",
                         "3000 finish T2 chain3 s0", "3000 end T2 0 on_time"}));
  EXPECT_EQ(r.stamps[2], (std::vector<Ns>{0, 2000, 3000}));
}

/// Per stage (by unit index), what the live platform measured of it: {launch, GPU start, GPU end}.
class UnitStampRecorder final : public Observer {
 public:
  void on_event(const RunEvent& e) override {
    if (e.kind == EventKind::kFinish) stamps[static_cast<std::size_t>(e.stage)] = {e.launch_ns, e.gpu_start_ns, e.gpu_end_ns};
  }
  std::vector<std::vector<Ns>> stamps = std::vector<std::vector<Ns>>(3);
};

TEST(LiveQueue, AChainedStageIsLaunchedWhenItsPredecessorStartsAndRunsRightBehindIt) {
  // sgprs-best's moldable blocks with chain=always, one block: b goes onto the block's stream when
  // a starts (0), c when b starts (1000); each runs on the GPU the instant its predecessor ends.
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 10000}]})",
                    {16}, 1, 1000, {{"a", 1000}, {"b", 2000}, {"c", 500}}};
  c.scheduler = "sgprs-best";
  c.options = {{"binding", "late"}, {"slot_sms", "moldable"}, {"block_sms", "16"}, {"chain", "always"}};
  UnitStampRecorder stamps;
  const LiveFakeRun run = run_on_fake_device(c, {}, {&stamps});
  EXPECT_EQ(run.stats.launches, 3);
  EXPECT_EQ(stamps.stamps, (std::vector<std::vector<Ns>>{{0, 0, 1000}, {0, 1000, 3000}, {1000, 3000, 3500}}));
  c.options.back().second = "off";  // launched when the core starts it, after its predecessor's end
  UnitStampRecorder unchained;
  EXPECT_EQ(run_on_fake_device(c, {}, {&unchained}).lines, run.lines);
  EXPECT_EQ(unchained.stamps, (std::vector<std::vector<Ns>>{{0, 0, 1000}, {1000, 1000, 3000}, {3000, 3000, 3500}}));
}

}  // namespace
}  // namespace sgprs::sim::test
