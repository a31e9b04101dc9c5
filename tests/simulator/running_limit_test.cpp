// The hardware-queue limit (sim/running_limit.hpp): C(Q) by hand, the file's "running_limit", the
// queues a live run's notes name, and the simulated platform holding units beyond the limit.
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "sim_test_support.hpp"
#include "simulator/sim/running_limit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace sgprs::sim {
namespace {

using test::only;

TEST(RunningLimit, MeasuredMeansRoundToTheUnitsThatRunAndScaleWithQueuesBeyondThem) {
  const RunningLimit limit({{8, 4.61}, {16, 9.3}, {32, 18.93}});
  EXPECT_EQ(limit.units(8), 5);    // 4.61
  EXPECT_EQ(limit.units(16), 9);   // 9.3
  EXPECT_EQ(limit.units(32), 19);  // 18.93
  EXPECT_EQ(limit.units(12), 7);   // halfway between 4.61 and 9.3: 6.955
  EXPECT_EQ(limit.units(24), 14);  // halfway between 9.3 and 18.93: 14.115
  EXPECT_EQ(limit.units(4), 2);    // below the first: 4.61 x 4 / 8 = 2.305
  EXPECT_EQ(limit.units(1), 1);    // 0.58, but one unit always runs
  EXPECT_EQ(RunningLimit({{32, 18.93}}).units(64), 38);  // beyond the last: 18.93 x 2
  EXPECT_EQ(RunningLimit().units(32), 0);  // no points: no limit
  EXPECT_FALSE(RunningLimit().active());
  EXPECT_THROW(limit.units(0), std::invalid_argument);
}

TEST(RunningLimit, MalformedPointsAreRefused) {
  EXPECT_THROW(RunningLimit({{0, 1.0}}), std::invalid_argument);              // no queues
  EXPECT_THROW(RunningLimit({{16, 9.0}, {8, 4.6}}), std::invalid_argument);   // not ascending
  EXPECT_THROW(RunningLimit({{8, 4.6}, {8, 4.7}}), std::invalid_argument);    // twice
  EXPECT_THROW(RunningLimit({{8, 0.0}}), std::invalid_argument);              // none running
  EXPECT_THROW(RunningLimit({{8, 16.5}}), std::invalid_argument);             // beyond 2 x queues
}

TEST(RunningLimit, TheFileMayCarryItAndAMalformedOneNamesTheField) {
  const Json with = Json::parse(R"({"running_limit": [{"queues": 8, "running": 4.6}, {"queues": 32, "running": 19}]})");
  EXPECT_EQ(RunningLimit::from_json(JsonView(with, "cal.json")).units(32), 19);
  EXPECT_FALSE(RunningLimit::from_json(JsonView(Json::parse("{}"), "cal.json")).active());
  const Json bad = Json::parse(R"({"running_limit": [{"queues": 8, "running": 4.6}, {"queues": 4, "running": 2}]})");
  try {
    RunningLimit::from_json(JsonView(bad, "cal.json"));
    FAIL() << "a descending running_limit was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cal.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("running_limit"), std::string::npos) << e.what();
  }
  const Json extra = Json::parse(R"({"running_limit": [{"queues": 8, "running": 4.6, "units": 5}]})");
  EXPECT_THROW(RunningLimit::from_json(JsonView(extra, "cal.json")), InputError);
}

TEST(RunningLimit, ALiveRunsNotesNameItsQueues) {
  EXPECT_EQ(hardware_queues_in_notes("driver CUDA 13.0, runtime CUDA 13.0, tf32, CUDA_DEVICE_MAX_CONNECTIONS=32, split"), 32);
  EXPECT_EQ(hardware_queues_in_notes("tf32, CUDA_DEVICE_MAX_CONNECTIONS=12, split 15 x 8"), 12);
  EXPECT_EQ(hardware_queues_in_notes("tf32, CUDA_DEVICE_MAX_CONNECTIONS=default, split"), 8);  // the driver's
  EXPECT_EQ(hardware_queues_in_notes("CUDA_DEVICE_MAX_CONNECTIONS=64"), 32);  // the driver takes no more
  EXPECT_EQ(hardware_queues_in_notes("tf32, split 15 x 8"), 0);
  EXPECT_EQ(hardware_queues_in_notes("CUDA_DEVICE_MAX_CONNECTIONS=x"), 0);
}

// Four tasks of chain3 (a, b, c: 4000, 8000, 2000 ns at 4 SMs), pinned by `static` to four
// disjoint partitions of 4 SMs, one job each: without a limit all four end at 14000.
std::string four_tasks(Ns deadline_of_last) {
  std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [)";
  for (int i = 0; i < 4; ++i)
    ts += (i ? "," : "") + std::string(R"({"name": "T)") + std::to_string(i) +
          R"(", "model": "chain3", "period_ns": 100000, "deadline_ns": )" +
          std::to_string(i == 3 ? deadline_of_last : 100000) + "}";
  return ts + "]}";
}

RunOptions limited(int queues) {
  RunOptions options = test::isolated_options("static", 1);
  options.sharing = SharingRule::kPacked;
  options.sharing_contention = {{1, 1.0}};
  options.running_limit = {{32, 2.0}};  // C = 2 at 32 queues, 1 at 16
  options.hardware_queues = queues;
  return options;
}

TEST(RunningLimit, UnitsBeyondItWaitUnstartedFirstComeFirstStarted) {
  RunOptions unlimited = limited(32);
  unlimited.running_limit.clear();
  const auto free = test::run_case(four_tasks(100000), test::sizes_layout({4, 4, 4, 4}, 1), unlimited);
  EXPECT_EQ(only(free.lines, "end"), (std::vector<std::string>{"14000 end T0 0 on_time", "14000 end T1 0 on_time",
                                                               "14000 end T2 0 on_time", "14000 end T3 0 on_time"}));
  // C = 2. 0: T0.a, T1.a run, T2.a, T3.a wait. 4000: T2.a, T3.a take the places (they came
  // first), T0.b, T1.b wait. 8000: T0.b, T1.b [8000, 16000]. 16000: T2.b, T3.b [16000, 24000].
  // 24000: T0.c, T1.c [24000, 26000]. 26000: T2.c, T3.c [26000, 28000].
  const auto two = test::run_case(four_tasks(100000), test::sizes_layout({4, 4, 4, 4}, 1), limited(32));
  EXPECT_EQ(only(two.lines, "finish"),
            (std::vector<std::string>{"4000 finish T0 a p0", "4000 finish T1 a p1", "8000 finish T2 a p2",
                                      "8000 finish T3 a p3", "16000 finish T0 b p0", "16000 finish T1 b p1",
                                      "24000 finish T2 b p2", "24000 finish T3 b p3", "26000 finish T0 c p0",
                                      "26000 finish T1 c p1", "28000 finish T2 c p2", "28000 finish T3 c p3"}));
  EXPECT_EQ((*two.summary.provenance)["running_limit"]["units"], 2);
  EXPECT_EQ((*two.summary.provenance)["running_limit"]["hardware_queues"], 32);
  // 16 queues: C = 1, one unit at a time in the order they reached the GPU: the a stages
  // [0, 16000], then T0.b, T1.b, T2.b, T3.b to 48000, then the c stages, 2000 each.
  const auto one = test::run_case(four_tasks(100000), test::sizes_layout({4, 4, 4, 4}, 1), limited(16));
  EXPECT_EQ(only(one.lines, "end"), (std::vector<std::string>{"50000 end T0 0 on_time", "52000 end T1 0 on_time",
                                                              "54000 end T2 0 on_time", "56000 end T3 0 on_time"}));
  // The scheduler saw the four a stages start at 0: the wait is the GPU's, not a decision.
  const std::vector<std::string> starts = only(one.lines, "start");
  ASSERT_GE(starts.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(starts[i].substr(0, 2), "0 ") << starts[i];
}

TEST(RunningLimit, AHeldUnitOfAnAbortedJobStopsWhereItWaits) {
  // C = 1; T3's deadline is 6000 while its a stage still waits (behind T1.a, [4000, 8000]):
  // it is stopped unstarted. The rest as without T3: T2.a [8000, 12000], T0.b [12000, 20000],
  // T1.b [20000, 28000], T2.b [28000, 36000], then the c stages.
  RunOptions options = limited(16);
  options.scheduler_options.miss_policy = MissPolicy::kAbort;
  const auto trace = test::run_case(four_tasks(6000), test::sizes_layout({4, 4, 4, 4}, 1), options);
  EXPECT_EQ(only(trace.lines, "cancel"), std::vector<std::string>{"6000 cancel T3 a p3"});
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"6000 end T3 0 aborted", "38000 end T0 0 on_time",
                                                                "40000 end T1 0 on_time", "42000 end T2 0 on_time"}));
  EXPECT_EQ(trace.summary.jobs_aborted, 1);
}

TEST(RunningLimit, OnlyThePackedRuleReadsIt) {
  RunOptions even = limited(16);
  even.sharing = SharingRule::kEvenStep;
  const auto trace = test::run_case(four_tasks(100000), test::sizes_layout({4, 4, 4, 4}, 1), even);
  EXPECT_EQ(only(trace.lines, "end").back(), "14000 end T3 0 on_time");
  EXPECT_FALSE(trace.summary.provenance->contains("running_limit"));
}

}  // namespace
}  // namespace sgprs::sim
