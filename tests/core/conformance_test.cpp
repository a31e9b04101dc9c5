// The run core's conformance suite: tiny task sets whose event sequences were
// worked out by hand, run by every world that drives the core. A world is a
// Platform plus the loop that feeds it time; each gets the same unit durations
// (given here, not from a GPU model) and must produce exactly these lines.
// Worlds: the scripted platform that can stop units and the one that cannot (a
// GPU's abort semantics, core/run_core.hpp), and the live platform's control loop
// on a virtual clock and a fake device (worlds.cpp).
//
// Line format: tests/simulator/sim_test_support.hpp. Partitions: the 16-SM test GPU
// of tests/data/sim. Unless a case says otherwise: scheduler sgprs with the paper's
// options, predictions from the profile's isolated times at 16 SMs (chain3: a 1000,
// b 2000, c 500 ns), FIFO waiting order.
#include "conformance_worlds.hpp"

#include <gtest/gtest.h>

namespace sgprs::sim::test {
namespace {

using Lines = std::vector<std::string>;

class Conformance : public ::testing::TestWithParam<World> {
 protected:
  Lines run(const ConformanceCase& c) { return GetParam().run(c); }
  bool can_stop() const { return GetParam().can_stop; }
};

const std::string kChain = R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 10000}]})";

TEST_P(Conformance, ChainRunsItsStagesInOrder) {
  ConformanceCase c{kChain, {16}, 1, 10000, {{"a", 1000}, {"b", 2000}, {"c", 500}}};
  EXPECT_EQ(run(c), (Lines{"0 release T 0", "0 assign T a p0", "0 start T a p0", "1000 finish T a p0",
                           "1000 assign T b p0", "1000 start T b p0", "3000 finish T b p0", "3000 assign T c p0",
                           "3000 start T c p0", "3500 finish T c p0", "3500 end T 0 on_time"}));
}

TEST_P(Conformance, ForkJoinStartsBothBranchesAndJoinsOnTheLastOne) {
  // a, then b and c (two slots), then d once both ended: b (4000) ends after c (2000).
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "F", "model": "forkjoin", "period_ns": 50000}]})",
                    {16}, 2, 50000, {{"a", 1000}, {"b", 4000}, {"c", 2000}, {"d", 1000}}};
  EXPECT_EQ(run(c), (Lines{"0 release F 0", "0 assign F a p0", "0 start F a p0", "1000 finish F a p0",
                           "1000 assign F b p0", "1000 start F b p0", "1000 assign F c p0", "1000 start F c p0",
                           "3000 finish F c p0", "5000 finish F b p0", "5000 assign F d p0", "5000 start F d p0",
                           "6000 finish F d p0", "6000 end F 0 on_time"}));
}

TEST_P(Conformance, OverrunReleasesTheNextJobWhenThePreviousEnds) {
  // T = D = 1000, a job takes 500 + 500 + 300 = 1300: job 1 (nominal 1000) is released at
  // max(1000, 1300) = 1300, keeps its nominal deadline 2000 and ends late at 2600.
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 1000}]})",
                    {16}, 1, 2000, {{"a", 500}, {"b", 500}, {"c", 300}}};
  const Lines lines = run(c);
  EXPECT_EQ(only(lines, "end"), (Lines{"1300 end T 0 late", "2600 end T 1 late"}));
  EXPECT_EQ(only(lines, "release"), (Lines{"0 release T 0", "1300 release T 1"}));
  EXPECT_EQ(lines.size(), 22u);
}

TEST_P(Conformance, APeriodThatPassedWhollyIsSkipped) {
  // A job takes 2600 with T = 1000: when job 0 ends at 2600, job 1's period [1000, 2000]
  // has passed (skip); job 2's [2000, 3000] has not (released at 2600, ends 5200, late).
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 1000}]})",
                    {16}, 1, 3000, {{"a", 1000}, {"b", 1000}, {"c", 600}}};
  const Lines lines = run(c);
  EXPECT_EQ(only(lines, "skip"), (Lines{"2600 skip T 1"}));
  EXPECT_EQ(only(lines, "release"), (Lines{"0 release T 0", "2600 release T 2"}));
  EXPECT_EQ(only(lines, "end"), (Lines{"2600 end T 0 late", "5200 end T 2 late"}));
}

const std::string kTwoTasks = R"({"schema": "sgprs.taskset/1", "tasks": [
    {"name": "T0", "model": "chain3", "period_ns": 10000, "deadline_ns": DEADLINE},
    {"name": "T1", "model": "chain3", "period_ns": 10000}]})";

ConformanceCase abort_case(Ns t0_deadline) {
  std::string ts = kTwoTasks;
  ts.replace(ts.find("DEADLINE"), 8, std::to_string(t0_deadline));
  ConformanceCase c{ts, {16}, 1, 1000, {{"a", 400}, {"b", 400}, {"c", 400}}};
  c.miss_policy_abort = true;
  return c;
}

TEST_P(Conformance, AbortDropsARunningStageAtTheDeadlineOrWhenItEnds) {
  // One slot. T0 a [0, 400], T1 a [400, 800], T0 b [800, ...]: T0's deadline 1000 falls
  // while its b runs. Stoppable: b is cancelled at 1000 and T1 b takes the slot at once.
  // A GPU cannot stop b: the job is dropped when b ends at 1200 (c never starts).
  const Lines lines = run(abort_case(1000));
  const Lines before{"0 release T0 0", "0 assign T0 a p0", "0 start T0 a p0", "0 release T1 0", "0 assign T1 a p0",
                     "400 finish T0 a p0", "400 start T1 a p0", "400 assign T0 b p0", "800 finish T1 a p0",
                     "800 start T0 b p0", "800 assign T1 b p0"};
  ASSERT_GE(lines.size(), before.size());
  EXPECT_EQ(Lines(lines.begin(), lines.begin() + static_cast<long>(before.size())), before);
  const Lines after(lines.begin() + static_cast<long>(before.size()), lines.end());
  if (can_stop())
    EXPECT_EQ(after, (Lines{"1000 cancel T0 b p0", "1000 end T0 0 aborted", "1000 start T1 b p0", "1400 finish T1 b p0",
                            "1400 assign T1 c p0", "1400 start T1 c p0", "1800 finish T1 c p0", "1800 end T1 0 on_time"}));
  else
    EXPECT_EQ(after, (Lines{"1200 finish T0 b p0", "1200 start T1 b p0", "1200 end T0 0 aborted", "1600 finish T1 b p0",
                            "1600 assign T1 c p0", "1600 start T1 c p0", "2000 finish T1 c p0", "2000 end T1 0 on_time"}));
}

TEST_P(Conformance, AbortDiscardsAWaitingStageInEveryWorld) {
  // T0's deadline 700 falls while its b waits for the slot T1 a holds: b is forgotten, the
  // job ends at 700 and T1 runs on alone, the same whether or not units can be stopped.
  const Lines lines = run(abort_case(700));
  EXPECT_EQ(Lines(lines.begin() + 8, lines.end()),
            (Lines{"700 end T0 0 aborted", "800 finish T1 a p0", "800 assign T1 b p0", "800 start T1 b p0",
                   "1200 finish T1 b p0", "1200 assign T1 c p0", "1200 start T1 c p0", "1600 finish T1 c p0",
                   "1600 end T1 0 on_time"}));
}

TEST_P(Conformance, DeferralWaitsUntilTheEarliestStartAndSameNanosecondFinishesKeepStartOrder) {
  // Two slots, no_defer_last 0 so c may wait. Both a's end at 1000 (T0's first: it started
  // first). At 3000 T0 c is ready while T1 b holds the partition: Q = 99000, S_b = 84857,
  // r_c = 14143, so it waits until 99000 - 2 x 14143 = 70714. T1 c, ready the same
  // nanosecond after T1 b ended, finds the partition idle and runs at once.
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 100000}, {"name": "T1", "model": "chain3", "period_ns": 100000}]})",
                    {16}, 2, 100000, {{"a", 1000}, {"b", 2000}, {"c", 500}}};
  c.no_defer_last = 0;
  EXPECT_EQ(run(c), (Lines{"0 release T0 0", "0 assign T0 a p0", "0 start T0 a p0", "0 release T1 0",
                           "0 assign T1 a p0", "0 start T1 a p0", "1000 finish T0 a p0", "1000 assign T0 b p0",
                           "1000 start T0 b p0", "1000 finish T1 a p0", "1000 assign T1 b p0", "1000 start T1 b p0",
                           "3000 finish T0 b p0", "3000 defer T0 c 70714", "3000 finish T1 b p0",
                           "3000 assign T1 c p0", "3000 start T1 c p0", "3500 finish T1 c p0", "3500 end T1 0 on_time",
                           "70714 assign T0 c p0", "70714 start T0 c p0", "71214 finish T0 c p0",
                           "71214 end T0 0 on_time"}));
}

const std::string kThreeTasks = R"({"schema": "sgprs.taskset/1", "tasks": [
    {"name": "T0", "model": "chain3", "period_ns": 10000}, {"name": "T1", "model": "chain3", "period_ns": 10000},
    {"name": "T2", "model": "chain3", "period_ns": 10000}]})";

TEST_P(Conformance, StreamsQueueABusyStreamsJobsBehindItInReleaseOrder) {
  // One stream, three tasks released at 0, whole jobs of 1000: T0 runs, T1 and T2 are queued on
  // the stream (a live platform launches them at 0) and run back to back in release order.
  ConformanceCase c{kThreeTasks, {16}, 1, 10000, {{"chain3", 1000}}};
  c.scheduler = "streams";
  c.options = {{"streams", "1"}};
  const Lines expected{"0 release T0 0", "0 assign T0 chain3 s0", "0 start T0 chain3 s0", "0 release T1 0",
                       "0 assign T1 chain3 s0", "0 release T2 0", "0 assign T2 chain3 s0",
                       "1000 finish T0 chain3 s0", "1000 start T1 chain3 s0", "1000 end T0 0 on_time",
                       "2000 finish T1 chain3 s0", "2000 start T2 chain3 s0", "2000 end T1 0 on_time",
                       "3000 finish T2 chain3 s0", "3000 end T2 0 on_time"};
  EXPECT_EQ(run(c), expected);
  c.options.push_back({"stream_queue", "off"});  // launched at the start instead: the same events
  EXPECT_EQ(run(c), expected);
}

TEST_P(Conformance, SkipLateOnAQueuedStreamSkipsOnlyJobsNotYetOnIt) {
  // Period 1500, jobs of 1000 on one stream: T1's job 0 is queued behind T0's and ends late at
  // 2000, after T1's next release (1500) passed: job 1 is skipped then. T0's job 1, released at
  // 1500 while T1 runs, is queued and ends at 3000, on its deadline.
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 1500}, {"name": "T1", "model": "chain3", "period_ns": 1500}]})",
                    {16}, 1, 3000, {{"chain3", 1000}}};
  c.scheduler = "streams";
  c.options = {{"streams", "1"}};
  const Lines lines = run(c);
  EXPECT_EQ(only(lines, "end"), (Lines{"1000 end T0 0 on_time", "2000 end T1 0 late", "3000 end T0 1 on_time"}));
  EXPECT_EQ(only(lines, "skip"), (Lines{"2000 skip T1 1"}));
}

/// sgprs-best's moldable blocks on the whole 16-SM partition (block_sms=16: one block), chaining
/// every stage's successor behind it, one task of deadline `deadline`.
ConformanceCase chained_case(Ns deadline) {
  ConformanceCase c{R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 10000,
                        "deadline_ns": )" + std::to_string(deadline) + "}]}",
                    {16}, 1, 1000, {{"a", 1000}, {"b", 2000}, {"c", 500}}};
  c.scheduler = "sgprs-best";
  c.options = {{"binding", "late"}, {"slot_sms", "moldable"}, {"block_sms", "16"}, {"chain", "always"}};
  c.miss_policy_abort = true;
  return c;
}

TEST_P(Conformance, AChainedStageStartsOnItsPredecessorsBlockWhenItEnds) {
  // b is put behind a on p0's stream when a starts (a live platform launches it then), c behind
  // b when b starts; the core starts each when its predecessor's end reaches it: the same events
  // as without chaining.
  EXPECT_EQ(run(chained_case(10000)),
            (Lines{"0 release T 0", "0 assign T a p0", "0 start T a p0", "1000 finish T a p0", "1000 assign T b p0",
                   "1000 start T b p0", "3000 finish T b p0", "3000 assign T c p0", "3000 start T c p0",
                   "3500 finish T c p0", "3500 end T 0 on_time"}));
}

TEST_P(Conformance, AChainedStageOfAJobDroppedOnAGpuStillRunsAndTheJobEndsAfterIt) {
  // T's deadline 500 falls while a runs, with b already behind it on p0's stream. Stoppable: a is
  // cancelled and b taken back. A GPU runs b anyway: when a ends, the core starts b (committed,
  // core/run_core.hpp) and drops the job when b ends; nothing is chained behind b (c never starts).
  const Lines lines = run(chained_case(500));
  if (can_stop())
    EXPECT_EQ(lines, (Lines{"0 release T 0", "0 assign T a p0", "0 start T a p0", "500 cancel T a p0",
                            "500 end T 0 aborted"}));
  else
    EXPECT_EQ(lines, (Lines{"0 release T 0", "0 assign T a p0", "0 start T a p0", "1000 finish T a p0",
                            "1000 assign T b p0", "1000 start T b p0", "3000 finish T b p0", "3000 end T 0 aborted"}));
}

INSTANTIATE_TEST_SUITE_P(Worlds, Conformance, ::testing::ValuesIn(conformance_worlds()),
                         [](const ::testing::TestParamInfo<World>& world) { return world.param.name; });

}  // namespace
}  // namespace sgprs::sim::test
