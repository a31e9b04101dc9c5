// The sgprs policy's decision rules on tiny hand-worked cases. Times from
// tests/data/sim/profile.json (isolated, synthetic), chain3 stages:
//            4 SMs   8 SMs  12 SMs  16 SMs
//   a         4000    2000    2000    1000
//   b         8000    4000    4000    2000
//   c         2000    1000    1000     500
// Pool {4, 12} (p0, p1): the reference partition is p1, C = 2000, 4000, 1000.
#include "simulator/policy/registry.hpp"

#include "common/taskset.hpp"
#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace sgprs::sim {
namespace {

using test::only;

std::string one_chain3(Ns period) {
  return R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": )" +
         std::to_string(period) + "}]}";
}

TEST(SgprsScheduler, Pass1TakesTheFirstSufficientIdlePartitionInPoolOrder) {
  // T = 100000: S = 28285, 84857, 99000. p0 (4 SMs) is first and suffices for
  // every stage: a 0+4000 < 28285, b 4000+8000 < 84857, c 12000+2000 < 99000.
  const auto trace = test::run_case(one_chain3(100000), test::sizes_layout({4, 12}, 1), test::isolated_options("sgprs", 1));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T a p0", "4000 start T b p0", "12000 start T c p0"}));
  EXPECT_EQ(trace.lines.back(), "14000 end T 0 on_time");
}

TEST(SgprsScheduler, Pass1SkipsPartitionsTooSlowForTheStageDeadline) {
  // T = 10000: Q = 9900, S = floor(P x 9900 / 7000) = 2828, 8485, 9900.
  //   a: p0 0+4000 >= 2828, p1 0+2000 < 2828          -> p1 [0, 2000]
  //   b: p0 2000+8000 >= 8485, p1 2000+4000 < 8485    -> p1 [2000, 6000]
  //   c: p0 6000+2000 < 9900                          -> p0 [6000, 8000], on time
  const auto trace = test::run_case(one_chain3(10000), test::sizes_layout({4, 12}, 1), test::isolated_options("sgprs", 1));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T a p1", "2000 start T b p1", "6000 start T c p0"}));
  EXPECT_EQ(trace.lines.back(), "8000 end T 0 on_time");
}

TEST(SgprsScheduler, Pass2TakesTheFastestIdlePartitionWhenNoneSuffices) {
  // T = 5000: Q = 4950, S = 1414, 4242, 4950. No partition meets any stage
  // deadline, so each stage goes to the fastest idle one, p1:
  //   job 0: a [0,2000], b [2000,6000], c [6000,7000]: late (deadline 5000).
  //   job 1 (nominal 5000) is not skipped (7000 <= 5000 + 5000): released at
  //   7000, a [7000,9000], b [9000,13000], c [13000,14000]: late (deadline 10000).
  const auto trace = test::run_case(one_chain3(5000), test::sizes_layout({4, 12}, 1), test::isolated_options("sgprs", 5001));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T a p1", "2000 start T b p1", "6000 start T c p1", "7000 start T a p1",
                                      "9000 start T b p1", "13000 start T c p1"}));
  EXPECT_NE(std::find(trace.lines.begin(), trace.lines.end(), "7000 release T 1"), trace.lines.end());
  EXPECT_EQ(trace.summary.tasks[0].response_max_ns, 9000);  // 14000 - 5000
  EXPECT_EQ(trace.summary.jobs_on_time, 0);
}

TEST(SgprsScheduler, Pass3TakesTheEarliestPredictedCompletionWhenAllAreBusy) {
  // Three chain3 tasks released at 0, T = 100000, pool {4, 12}, one slot each.
  //   T0.a -> p0 (pass 1). T1.a -> p1 (p0 busy; p1 idle, 2000 < 28285).
  //   T2.a: none idle; F(p0)+occ = (0+4000)+4000 = 8000, F(p1)+occ = (0+2000)+2000
  //     = 4000 -> p1, waits. 2000: T1.a done, T2.a starts on p1.
  //   T1.b (2000): F(p0)+8000 = 12000; F(p1) = 2000 (T2.a's start) + 2000, +4000 = 8000 -> p1, waits.
  //   4000: T0.a and T2.a both finish; T0.a started first, so it goes first:
  //     T0.b -> p0, now idle (pass 1). Then T2.a's slot goes to the waiting T1.b.
  //   T2.b (4000): F(p0) = 4000+8000, +8000 = 20000; F(p1) = 4000+4000, +4000 = 12000 -> p1, waits.
  //   8000: T1.b done -> T2.b starts; T1.c: F(p0)+2000 = 14000, F(p1)+1000 = 13000 -> p1, waits.
  //   12000: T0.b done -> T0.c on idle p0; T2.b done -> T1.c starts; T2.c -> p1 (16000 vs 14000).
  //   13000: T1.c done -> T2.c starts. 14000: T0.c and T2.c done.
  const std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 100000}, {"name": "T1", "model": "chain3", "period_ns": 100000},
      {"name": "T2", "model": "chain3", "period_ns": 100000}]})";
  const auto trace = test::run_case(ts, test::sizes_layout({4, 12}, 1), test::isolated_options("sgprs", 1));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T0 a p0", "0 start T1 a p1", "2000 start T2 a p1", "4000 start T0 b p0",
                                      "4000 start T1 b p1", "8000 start T2 b p1", "12000 start T0 c p0",
                                      "12000 start T1 c p1", "13000 start T2 c p1"}));
  EXPECT_EQ(only(trace.lines, "end"),
            (std::vector<std::string>{"13000 end T1 0 on_time", "14000 end T0 0 on_time", "14000 end T2 0 on_time"}));
  EXPECT_TRUE(only(trace.lines, "defer").empty());  // stage a's earliest start is before its release
}

const char* kDeferralTaskSet = R"({"schema": "sgprs.taskset/1", "tasks": [
    {"name": "T0", "model": "chain3", "period_ns": 100000},
    {"name": "T1", "model": "chain3", "period_ns": 100000, "offset_ns": 2000}]})";

TEST(SgprsScheduler, AStageAheadOfScheduleWaitsWhenNoPartitionIsIdle) {
  // One 16-SM partition, two slots; no_defer_last = 0 so stage c may wait.
  // Reference = p0 (16 SMs): C = 1000, 2000, 500; Q = 99000; S = 28285, 84857,
  // 99000; r_c = 14143; c's earliest start e_c = 99000 - 2 x 14143 = 70714.
  //   T0.a [0,1000] alone; T0.b starts 1000 alone (2000 ns at 16 SMs).
  //   2000: T1 released, T1.a starts beside T0.b: 8 SMs each. T0.b has half left,
  //     now 4000 ns at 8 SMs -> ends 2000 + 2000 = 4000; T1.a 2000 ns at 8 -> 4000.
  //   4000: T0.b finishes first (started first). T0.c is ready, the partition
  //     still holds T1.a: not idle, so T0.c waits until 70714.
  //     T1.a finishes; T1.b finds the partition idle: [4000,6000]; T1.c [6000,6500].
  //   70714: T0.c starts, alone: ends 71214, on time (deadline 100000).
  RunOptions options = test::isolated_options("sgprs", 50000);
  options.scheduler_options.no_defer_last = 0;
  const auto trace = test::run_case(kDeferralTaskSet, test::sizes_layout({16}, 2), options);
  EXPECT_EQ(trace.lines, (std::vector<std::string>{
                             "0 release T0 0", "0 assign T0 a p0", "0 start T0 a p0", "1000 finish T0 a p0",
                             "1000 assign T0 b p0", "1000 start T0 b p0", "2000 release T1 0", "2000 assign T1 a p0",
                             "2000 start T1 a p0", "4000 finish T0 b p0", "4000 defer T0 c 70714",
                             "4000 finish T1 a p0", "4000 assign T1 b p0", "4000 start T1 b p0",
                             "6000 finish T1 b p0", "6000 assign T1 c p0", "6000 start T1 c p0",
                             "6500 finish T1 c p0", "6500 end T1 0 on_time", "70714 assign T0 c p0",
                             "70714 start T0 c p0", "71214 finish T0 c p0", "71214 end T0 0 on_time"}));
}

TEST(SgprsScheduler, LastStagesAndHighPriorityTasksNeverWait) {
  // Same case with the paper's no_defer_last = 2: c is among the last two, so it
  // is sent at once (4000, beside T1.a). Same again with no_defer_last = 0 but T0
  // high priority: no wait either.
  const auto paper = test::run_case(kDeferralTaskSet, test::sizes_layout({16}, 2), test::isolated_options("sgprs", 50000));
  EXPECT_TRUE(only(paper.lines, "defer").empty());
  EXPECT_NE(std::find(paper.lines.begin(), paper.lines.end(), "4000 start T0 c p0"), paper.lines.end());

  RunOptions options = test::isolated_options("sgprs", 50000);
  options.scheduler_options.no_defer_last = 0;
  std::string high = kDeferralTaskSet;
  high.replace(high.find("\"period_ns\": 100000}"), 20, "\"period_ns\": 100000, \"priority\": \"high\"}");
  const auto trace = test::run_case(high, test::sizes_layout({16}, 2), options);
  EXPECT_TRUE(only(trace.lines, "defer").empty());
  EXPECT_NE(std::find(trace.lines.begin(), trace.lines.end(), "4000 start T0 c p0"), trace.lines.end());
}

TEST(SgprsScheduler, WaitingOrderPicksWhoGetsAFreedSlot) {
  // One 16-SM slot; three tasks released at 0 with T = 100000, 90000, 50000.
  // T0.a runs [0,1000]; T1.a and T2.a wait (in that order). Stage-a deadlines:
  // T1 25457 (1000 x 89100 / 3500), T2 14142 (1000 x 49500 / 3500).
  //   fifo -> T1.a next; edf -> T2.a; least-slack (deadline - 1000) -> T2.a.
  const std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 100000}, {"name": "T1", "model": "chain3", "period_ns": 90000},
      {"name": "T2", "model": "chain3", "period_ns": 50000}]})";
  for (const auto& [order, expected] : std::vector<std::pair<WaitingOrder, std::string>>{
           {WaitingOrder::kFifo, "1000 start T1 a p0"},
           {WaitingOrder::kEdf, "1000 start T2 a p0"},
           {WaitingOrder::kLeastSlack, "1000 start T2 a p0"}}) {
    RunOptions options = test::isolated_options("sgprs", 1);
    options.scheduler_options.waiting_order = order;
    const auto starts = only(test::run_case(ts, test::sizes_layout({16}, 1), options).lines, "start");
    ASSERT_GE(starts.size(), 2u);
    EXPECT_EQ(starts[1], expected) << to_string(order);
  }
}

// Exposes the protected F(p) estimate on a policy that always picks p0.
class Probe final : public Scheduler {
 public:
  using Scheduler::Scheduler;
  using Scheduler::predicted_free_ns;

 protected:
  Choice on_stage_ready(const StageRef&, Ns, bool) override { return Choice{0, -1}; }
};

TEST(SgprsScheduler, CompletionEstimateSerialAndParallel) {
  // One 8-SM partition, two slots. At 0: T0.a (2000) and T1.b (4000) start,
  // T2.c (1000) and T3.a (2000) wait.
  //   serial at 1000: head T0.a started 0 and is predicted running (2000 >= 1000):
  //     0 + 2000 + 4000 + 1000 + 2000 = 9000. At 2500 the head is predicted done: 2500 + 9000.
  //   parallel at 1000: slots free at 2000 and 4000; T2.c takes 2000 -> 3000;
  //     T3.a takes 3000 -> 5000; first free slot then: 4000.
  const std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 100000, "count": 4}]})";
  const Workload work = make_workload(TaskSet::from_json(Json::parse(ts), "inline"), test::test_profile(),
                                      test::test_models_dir(), 1);
  for (CompletionEstimate estimate : {CompletionEstimate::kSerial, CompletionEstimate::kParallel}) {
    RunOptions run = test::isolated_options("sgprs", 1);
    run.scheduler_options.completion_estimate = estimate;
    const PolicyPlan plan(test::test_profile(), work, test::sizes_layout({8}, 2), false, run.scheduler_options,
                          run.predicted_times);
    Probe probe(run.scheduler_options);
    probe.reset(plan);
    std::vector<Decision> out;
    for (const auto& [task, unit] : std::vector<std::pair<int, int>>{{0, 0}, {1, 1}, {2, 2}, {3, 0}})
      probe.stage_ready(StageRef{task, unit, 0, 0, 100000}, 0, out);
    int starts = 0;
    for (const Decision& d : out) starts += d.kind == Decision::Kind::kStart;
    EXPECT_EQ(starts, 2);
    if (estimate == CompletionEstimate::kSerial) {
      EXPECT_EQ(probe.predicted_free_ns(0, 1000), 9000);
      EXPECT_EQ(probe.predicted_free_ns(0, 2500), 11500);
    } else {
      EXPECT_EQ(probe.predicted_free_ns(0, 1000), 4000);
    }
  }
}

}  // namespace
}  // namespace sgprs::sim
