// Miss, skip and abort accounting; fork-join stages; summary and determinism.
#include "simulator/outputs/event_log_writer.hpp"
#include "simulator/outputs/timeline_writer.hpp"

#include "common/taskset.hpp"
#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace sgprs::sim {
namespace {

using test::only;

const char* kOverloaded = R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 2000}]})";

TEST(Accounting, LateJobsRunToCompletionAndWhollyElapsedPeriodsAreSkipped) {
  // A 3500 ns job (16 SMs) every 2000 ns; releases r < 10001: jobs 0..5.
  //   job 0 [0,3500] late.        job 1 (r 2000): 3500 <= 4000 -> starts 3500, ends 7000, late.
  //   job 2 (r 4000): 7000 > 6000 -> skipped.   job 3 (r 6000) starts 7000, ends 10500, late.
  //   job 4 (r 8000): 10500 > 10000 -> skipped. job 5 (r 10000) starts 10500, ends 14000, late.
  // Responses from nominal release: 3500, 5000, 4500, 4000 -> p50 4000 (rank 2 of 4), max 5000.
  const auto trace = test::run_case(kOverloaded, test::sizes_layout({16}, 1), test::isolated_options("sgprs", 10001));
  EXPECT_EQ(only(trace.lines, "end"), (std::vector<std::string>{"3500 end T 0 late", "7000 end T 1 late",
                                                                "10500 end T 3 late", "14000 end T 5 late"}));
  EXPECT_EQ(only(trace.lines, "skip"), (std::vector<std::string>{"7000 skip T 2", "10500 skip T 4"}));
  const Summary& s = trace.summary;
  EXPECT_EQ(s.jobs_released, 6);
  EXPECT_EQ(s.jobs_completed, 4);
  EXPECT_EQ(s.jobs_on_time, 0);
  EXPECT_EQ(s.jobs_skipped, 2);
  EXPECT_EQ(s.jobs_aborted, 0);
  EXPECT_DOUBLE_EQ(s.miss_ratio, 1.0);
  EXPECT_EQ(s.tasks[0].response_p50_ns, 4000);
  EXPECT_EQ(s.tasks[0].response_p99_ns, 5000);
  EXPECT_EQ(s.tasks[0].response_max_ns, 5000);
  EXPECT_EQ(s.end_ns, 14000);
  // Busy all the time within [0, 10001): the partition never idles.
  EXPECT_DOUBLE_EQ(s.partitions[0].busy_fraction, 1.0);
  EXPECT_DOUBLE_EQ(s.throughput_jobs_per_s, 4 / 10001e-9);
}

TEST(Accounting, AbortDropsAJobAtItsDeadline) {
  // Same task, miss policy abort: job k runs a [r, r+1000], b from r+1000 and is
  // stopped at its deadline r+2000; job k+1 is released at that same instant
  // (deadline before release). Six jobs, all aborted.
  RunOptions options = test::isolated_options("sgprs", 10001);
  options.scheduler_options.miss_policy = MissPolicy::kAbort;
  const auto trace = test::run_case(kOverloaded, test::sizes_layout({16}, 1), options);
  const std::vector<std::string> at_2000(trace.lines.begin() + 6, trace.lines.begin() + 11);
  EXPECT_EQ(at_2000, (std::vector<std::string>{"2000 cancel T b p0", "2000 end T 0 aborted", "2000 release T 1",
                                               "2000 assign T a p0", "2000 start T a p0"}));
  EXPECT_EQ(trace.summary.jobs_released, 6);
  EXPECT_EQ(trace.summary.jobs_aborted, 6);
  EXPECT_EQ(trace.summary.jobs_completed, 0);
  EXPECT_EQ(trace.summary.jobs_skipped, 0);
  EXPECT_EQ(trace.lines.back(), "12000 end T 5 aborted");
}

TEST(Accounting, AbortKeepsJobsThatFinishExactlyAtTheirDeadline) {
  // chain3 takes 3500 ns at 16 SMs; with D = T = 3500 it ends on its deadline: on time.
  RunOptions options = test::isolated_options("sgprs", 3500);
  options.scheduler_options.miss_policy = MissPolicy::kAbort;
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 3500}]})",
      test::sizes_layout({16}, 1), options);
  EXPECT_EQ(only(trace.lines, "end"), std::vector<std::string>{"3500 end T 0 on_time"});
}

TEST(Accounting, ForkJoinStagesRunInParallelAndJoin) {
  // forkjoin on two 8-SM partitions: a [0,1000] p0; b and c become ready at 1000:
  // b -> p0 (idle, 1000+4000 < 41250), c -> p1 (p0 busy; 1000+2000 < 24750).
  // c ends 3000, but d waits for b too: d starts 5000 on p0, ends 6000.
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "F", "model": "forkjoin", "period_ns": 50000}]})",
      test::sizes_layout({8, 8}, 1), test::isolated_options("sgprs", 1));
  EXPECT_EQ(only(trace.lines, "start"), (std::vector<std::string>{"0 start F a p0", "1000 start F b p0",
                                                                  "1000 start F c p1", "5000 start F d p0"}));
  EXPECT_EQ(trace.lines.back(), "6000 end F 0 on_time");
}

TEST(Accounting, OversubscribedPartitionsShareTheirSms) {
  // equal:2:2.0x on the 16-SM test GPU: two partitions of all 16 SMs (the same
  // pieces). T0.a -> p0 and T1.a -> p1 (both idle at 0, pass 1); they share the
  // 16 SMs, 8 each: stage a takes 2000 ns at 8 SMs, so both finish at 2000 (not
  // 1000, as either would alone).
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T0", "model": "chain3", "period_ns": 100000},
                                                 {"name": "T1", "model": "chain3", "period_ns": 100000}]})",
      parse_layout("equal:2:2.0x", test::test_profile().gpu()), test::isolated_options("sgprs", 1));
  const auto finishes = only(trace.lines, "finish");
  ASSERT_GE(finishes.size(), 2u);
  EXPECT_EQ(finishes[0], "2000 finish T0 a p0");
  EXPECT_EQ(finishes[1], "2000 finish T1 a p1");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Determinism, SameSeedSameLogsAndTimelines) {
  const TaskSet set = TaskSet::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/taskset-small.json");
  const auto dir = std::filesystem::temp_directory_path() / ("sgprs-determinism-" + std::to_string(::getpid()));
  std::vector<std::string> logs, timelines;
  std::vector<Json> summaries;
  for (int run = 0; run < 3; ++run) {
    const std::uint64_t seed = run < 2 ? 7 : 8;
    const Workload work = make_workload(set, test::test_profile(), test::test_models_dir(), seed);
    RunOptions options;
    options.duration_ns = 50 * kNsPerMs;
    options.seed = seed;
    const std::string log_path = (dir / ("events" + std::to_string(run) + ".jsonl")).string();
    EventLogWriter log(log_path);
    const std::string timeline_path = (dir / ("timeline" + std::to_string(run) + ".json")).string();
    TimelineWriter timeline(timeline_path);
    Summary s = simulate(test::test_profile(), work, parse_layout("equal:2:1.5x", test::test_profile().gpu()), options,
                         {&log, &timeline});
    log.commit();
    timeline.commit();
    logs.push_back(read_file(log_path));
    timelines.push_back(read_file(timeline_path));
    Json j = s.to_json();
    j.erase("wall_time_s");  // the only field that depends on the machine
    summaries.push_back(j);
  }
  std::filesystem::remove_all(dir);
  EXPECT_GT(logs[0].size(), 1000u);
  EXPECT_EQ(logs[0], logs[1]);
  EXPECT_EQ(timelines[0], timelines[1]);
  // Streamed piece by piece, the timeline is still one JSON document with every slice in it.
  const Json trace = Json::parse(timelines[0]);
  EXPECT_GT(trace.at("traceEvents").size(), 10u);
  EXPECT_EQ(trace.at("otherData").at("seed"), 7);
  EXPECT_EQ(summaries[0], summaries[1]);
  EXPECT_NE(logs[0], logs[2]);  // another seed draws other offsets
}

TEST(Determinism, ConcurrentRunsOnOneWorkloadAgreeWithASerialRun) {
  // simulate() owns all its state: four threads on the same Profile and Workload
  // must each get the serial answer.
  const TaskSet set = TaskSet::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/taskset-small.json");
  const Workload work = make_workload(set, test::test_profile(), test::test_models_dir(), 5);
  const Layout layout = parse_layout("stepwise:2:1.5x", test::test_profile().gpu());
  RunOptions options;
  options.duration_ns = 20 * kNsPerMs;
  auto run = [&] {
    Json j = simulate(test::test_profile(), work, layout, options).to_json();
    j.erase("wall_time_s");
    return j;
  };
  const Json serial = run();
  std::vector<Json> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) threads.emplace_back([&, i] { results[i] = run(); });
  for (std::thread& t : threads) t.join();
  for (const Json& r : results) EXPECT_EQ(r, serial);
}

TEST(Summary, JsonHasTheSchemaAndEveryCount) {
  const auto trace = test::run_case(kOverloaded, test::sizes_layout({16}, 1), test::isolated_options("sgprs", 10001));
  const Json j = trace.summary.to_json();
  EXPECT_EQ(j.at("schema"), "sgprs.summary/1");
  for (const char* key : {"jobs_released", "jobs_completed", "jobs_on_time", "jobs_skipped", "miss_ratio",
                          "throughput_jobs_per_s", "events_processed", "wall_time_s", "tasks", "partitions"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.at("tasks")[0].at("response_p50_ns"), 4000);
  EXPECT_EQ(j.at("provenance").at("scheduler"), "sgprs");
  EXPECT_EQ(j.at("provenance").at("scheduler_options").at("deadline_fraction"), 0.99);
  EXPECT_EQ(j.at("provenance").at("duration_ns"), 10001);
  // 6 releases/skips... every event counted: 4 jobs x (release + 3 x (assign, start, finish) + end) + 2 skips.
  EXPECT_EQ(trace.summary.events_processed, 4 * (1 + 9 + 1) + 2);
  EXPECT_EQ(trace.summary.stage_events, 4 * 3 * 2);
}

}  // namespace
}  // namespace sgprs::sim
