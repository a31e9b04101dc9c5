// naive, sequential and static on hand-worked cases (chain3 times as in
// sgprs_scheduler_test.cpp; whole chain3 job: 14000 ns at 4 SMs, 7000 at 8,
// 3500 at 16).
#include "common/taskset.hpp"
#include "sim_test_support.hpp"
#include "simulator/policy/planned_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::sim {
namespace {

using test::only;

std::string chain3_tasks(const std::vector<Ns>& periods) {
  std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [)";
  for (std::size_t i = 0; i < periods.size(); ++i)
    ts += (i ? "," : "") + std::string(R"({"name": "T)") + std::to_string(i) +
          R"(", "model": "chain3", "period_ns": )" + std::to_string(periods[i]) + "}";
  return ts + "]}";
}

TEST(NaiveScheduler, WholeJobsOnOverlappingWholeGpuPartitions) {
  // equal:2 -> two partitions of all 16 SMs; T0, T2 on p0 and T1 on p1.
  // Three whole jobs share 16 SMs: 16/3 = 5.33 each -> the step at 4 SMs:
  // 14000 ns each, all end at 14000 (ties in start order).
  const auto trace = test::run_case(chain3_tasks({100000, 100000, 100000}), test::sizes_layout({8, 8}, 3),
                                    test::isolated_options("naive", 1));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T0 chain3 p0", "0 start T1 chain3 p1", "0 start T2 chain3 p0"}));
  EXPECT_EQ(only(trace.lines, "finish"), (std::vector<std::string>{"14000 finish T0 chain3 p0",
                                                                   "14000 finish T1 chain3 p1",
                                                                   "14000 finish T2 chain3 p0"}));
  ASSERT_EQ(trace.summary.partitions.size(), 2u);
  EXPECT_EQ(trace.summary.partitions[0].sms, 16);
}

TEST(NaiveScheduler, TwoJobsSplitTheGpu) {
  // Two whole jobs at 8 SMs each: 7000 ns.
  const auto trace = test::run_case(chain3_tasks({100000, 100000}), test::sizes_layout({8, 8}, 3),
                                    test::isolated_options("naive", 1));
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"7000 end T0 0 on_time", "7000 end T1 0 on_time"}));
}

TEST(SequentialScheduler, OneStageAtATimeEarliestJobDeadlineFirst) {
  // Whole GPU, one slot; deadlines T0 100000, T1 90000, T2 50000, all released at 0.
  // A freed slot goes to the waiting stage with the earliest job deadline, before
  // the finishing job's next stage is even ready:
  //   0 T0.a [0,1000]; 1000 T2.a (T1.a, T2.a waiting); 2000 T1.a (T0.b 100000 waits too);
  //   3000 T2.b [3000,5000]; 5000 T1.b [5000,7000]; 7000 T2.c [7000,7500];
  //   7500 T1.c [7500,8000]; 8000 T0.b [8000,10000]; 10000 T0.c [10000,10500].
  const auto trace = test::run_case(chain3_tasks({100000, 90000, 50000}), test::sizes_layout({4, 4}, 3),
                                    test::isolated_options("sequential", 1));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start T0 a p0", "1000 start T2 a p0", "2000 start T1 a p0",
                                      "3000 start T2 b p0", "5000 start T1 b p0", "7000 start T2 c p0",
                                      "7500 start T1 c p0", "8000 start T0 b p0", "10000 start T0 c p0"}));
  EXPECT_EQ(trace.summary.partitions.size(), 1u);
  EXPECT_EQ(trace.summary.partitions[0].sms, 16);
}

TEST(StaticScheduler, RoundRobinPinning) {
  // Pool {4, 12}: T0 -> p0 (job 14000 ns), T1 -> p1 (7000 ns), side by side.
  const auto trace = test::run_case(chain3_tasks({100000, 100000}), test::sizes_layout({4, 12}, 1),
                                    test::isolated_options("static", 1));
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"7000 end T1 0 on_time", "14000 end T0 0 on_time"}));
  for (const std::string& l : only(trace.lines, "start")) EXPECT_EQ(l.back(), l.find("T0") != std::string::npos ? '0' : '1') << l;
}

TEST(StaticScheduler, BalancedPinningFillsTheLeastLoadedPartition) {
  // Predicted utilisation of one job: 14000/100000 = 0.14 on p0, 0.07 on p1.
  // T0: 0.14 vs 0.07 -> p1. T1: 0.14 vs 0.07 + 0.07 = 0.14: tie -> lower index p0.
  RunOptions options = test::isolated_options("static", 1);
  options.scheduler_options.static_assignment = StaticAssignment::kBalanced;
  const auto trace = test::run_case(chain3_tasks({100000, 100000}), test::sizes_layout({4, 12}, 1), options);
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"7000 end T0 0 on_time", "14000 end T1 0 on_time"}));
}

TEST(StreamsScheduler, OneStreamRunsJobsInFifoOrderAndSkipsLateReleases) {
  // streams=1: T0 and T1 share one whole-GPU stream (3500 ns a job), T = D = 5000.
  // T0 job 0 [0, 3500]; T1 job 0 waits, [3500, 7000], late. At 7000 T1 job 1's instant
  // (5000) has passed: skip-late skips it (release-late would run it). T0 job 1 (released
  // at 5000) runs [7000, 10500], late; at 10500 its job 2 (10000) is skipped; T1 job 2
  // (released at 10000) runs [10500, 14000], on time.
  RunOptions run = test::isolated_options("streams", 15000);
  run.scheduler_options.streams = 1;
  const auto trace = test::run_case(chain3_tasks({5000, 5000}), test::sizes_layout({8, 8}, 1), run);
  EXPECT_EQ(only(trace.lines, "skip"), (std::vector<std::string>{"7000 skip T1 1", "10500 skip T0 2"}));
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"3500 end T0 0 on_time", "7000 end T1 0 late",
                                                                "10500 end T0 1 late", "14000 end T1 2 on_time"}));
  ASSERT_EQ(trace.summary.partitions.size(), 1u);
  EXPECT_EQ(trace.summary.partitions[0].name, "s0");
  EXPECT_EQ(trace.summary.partitions[0].sms, 16);

  // The paper's rule instead (overrun release-late): T1 job 1 is released at 7000.
  run.scheduler_options.overrun = OverrunPolicy::kReleaseLate;
  const auto late = test::run_case(chain3_tasks({5000, 5000}), test::sizes_layout({8, 8}, 1), run);
  EXPECT_EQ(only(late.lines, "release")[2], "5000 release T0 1");
  EXPECT_EQ(only(late.lines, "release")[3], "7000 release T1 1");
}

TEST(StreamsScheduler, TasksGoRoundRobinOverTheStreams) {
  RunOptions run = test::isolated_options("streams", 1);
  run.scheduler_options.streams = 2;
  const auto trace = test::run_case(chain3_tasks({100000, 100000, 100000}), test::sizes_layout({16}, 1), run);
  EXPECT_EQ(only(trace.lines, "assign"), (std::vector<std::string>{"0 assign T0 chain3 s0", "0 assign T1 chain3 s1",
                                                                   "0 assign T2 chain3 s0"}));
}

bool queues_on_streams(const std::string& scheduler, const std::vector<std::pair<std::string, std::string>>& options,
                       int max_parallel = 1) {
  RunOptions run = test::isolated_options(scheduler, 1);
  for (const auto& [name, value] : options) set_scheduler_option(run.scheduler_options, name, value, "test");
  const TaskSet set = TaskSet::from_json(Json::parse(chain3_tasks({100000, 100000, 100000})), "test");
  const Workload workload = make_workload(set, test::test_profile(), test::test_models_dir(), run.seed);
  const PlannedRun planned = plan_run(test::test_profile(), workload, test::sizes_layout({16}, max_parallel),
                                      run.scheduler, run.scheduler_options, run.predicted_times);
  return planned.scheduler->queues_on_streams();
}

TEST(StreamsScheduler, QueuesABusyStreamsJobOnItUnlessTurnedOffOrJobsCanBeDropped) {
  EXPECT_TRUE(queues_on_streams("streams", {}));
  EXPECT_FALSE(queues_on_streams("streams", {{"stream_queue", "off"}}));
  // A job on a GPU stream cannot be taken back: nothing is queued where jobs are dropped at their deadline.
  EXPECT_FALSE(queues_on_streams("streams", {{"miss_policy", "abort"}}));
  EXPECT_FALSE(queues_on_streams("static", {}));
  EXPECT_FALSE(queues_on_streams("sgprs", {}, 3));
}

TEST(StreamsScheduler, AQueuedJobIsAnnouncedOnceAfterItsAssignmentAndStartsWhenTheStreamFrees) {
  // streams=1: T0 starts at 0, T1 and T2 are queued behind it (kQueue right after their kAssign).
  RunOptions run = test::isolated_options("streams", 100000);
  run.scheduler_options.streams = 1;
  const TaskSet set = TaskSet::from_json(Json::parse(chain3_tasks({100000, 100000, 100000})), "test");
  const Workload workload = make_workload(set, test::test_profile(), test::test_models_dir(), run.seed);
  const PlannedRun planned = plan_run(test::test_profile(), workload, test::sizes_layout({16}, 1), run.scheduler,
                                      run.scheduler_options, run.predicted_times);
  Scheduler& scheduler = *planned.scheduler;
  std::vector<Decision> out;
  std::string kinds;
  for (int t = 0; t < 3; ++t) scheduler.stage_ready(StageRef{t, 0, 0, 0, 100000}, 0, out);
  scheduler.stage_finished(StageRef{0, 0, 0, 0, 100000}, 0, 3500, out);
  for (const Decision& d : out)
    kinds += std::string(d.kind == Decision::Kind::kAssign  ? "assign"
                         : d.kind == Decision::Kind::kStart ? "start"
                         : d.kind == Decision::Kind::kQueue ? "queue"
                                                            : "defer") +
             " T" + std::to_string(d.stage.task) + ";";
  EXPECT_EQ(kinds, "assign T0;start T0;assign T1;queue T1;assign T2;queue T2;start T1;");
}

}  // namespace
}  // namespace sgprs::sim
