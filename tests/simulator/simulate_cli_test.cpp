// `sgprs simulate` through the real binary: outputs, determinism, a golden
// event log, and every bad input giving one line on stderr, exit status 2 and
// no output folder.
#include "common/json_io.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const std::string kSource = SGPRS_SOURCE_DIR;
const std::string kData = kSource + "/tests/data/sim";

struct Result {
  int status;
  std::string err;
};

class SimulateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sgprs-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `sgprs simulate` on the synthetic test inputs plus `args`.
  Result run(const std::string& args, const std::string& out_name = "out") {
    const std::string err = (dir_ / "stderr.txt").string();
    const std::string cmd = std::string(SGPRS_BINARY) + " simulate --profile " + kData + "/profile.json --models " +
                            kData + "/models --out " + (dir_ / out_name).string() + " " + args + " > " +
                            (dir_ / "stdout.txt").string() + " 2> " + err;
    const int raw = std::system(cmd.c_str());
    return Result{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(err)};
  }
  static std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void expect_input_error(const Result& r, const std::string& must_contain) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(must_contain), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
    EXPECT_FALSE(fs::exists(dir_ / "out")) << "no output folder after bad input";
  }
  fs::path dir_;
};

TEST_F(SimulateCli, WritesSummaryEventsAndTimeline) {
  const Result r = run("--taskset " + kData + "/taskset-small.json --layout equal:2:1.5x --duration 0.05 --seed 3");
  ASSERT_EQ(r.status, 0) << r.err;
  const sgprs::Json summary = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(summary.at("schema"), "sgprs.summary/1");
  EXPECT_GT(summary.at("jobs_released").get<int>(), 0);
  EXPECT_EQ(summary.at("provenance").at("seed"), 3);
  EXPECT_EQ(summary.at("provenance").at("gpu_times"), "isolated");
  EXPECT_EQ(summary.at("provenance").at("predicted_times"), "occupied");
  // tests/data/sim/profile.json has no "precision" field and no dtype: strict fp32.
  EXPECT_EQ(summary.at("provenance").at("profile").at("precision"), "fp32");
  std::ifstream events(dir_ / "out/events.jsonl");
  std::string header;
  std::getline(events, header);
  EXPECT_EQ(sgprs::Json::parse(header).at("schema"), "sgprs.events/1");
  const sgprs::Json timeline = sgprs::Json::parse(slurp(dir_ / "out/timeline.json"));
  EXPECT_GT(timeline.at("traceEvents").size(), 10u);
  EXPECT_FALSE(fs::exists(dir_ / "out/events.jsonl.tmp"));
  const std::string table = slurp(dir_ / "stdout.txt");
  EXPECT_NE(table.find("cam#0"), std::string::npos);
  EXPECT_NE(table.find("busy%"), std::string::npos);
  EXPECT_NE(table.find("precision fp32"), std::string::npos) << table;

  // The throughput bound, by hand from tests/data/sim/profile.json (16 SMs; least SM-ns per run,
  // always at 4 SMs here): resnetlike 4 x (300+400+350+350+400+60) us = 7.44 SM-ms per job,
  // forkjoin 4 x (2+8+4+2) us = 0.064 SM-ms. Offered: 8 x 100 + 1 / 50 us = 800 + 20000 jobs/s,
  // keeping 800 x 7.44e-3 + 20000 x 6.4e-5 = 7.232 SMs busy; scale 16 / 7.232.
  const sgprs::Json& bound = summary.at("throughput_bound");
  EXPECT_NEAR(bound.at("offered_jobs_per_s").get<double>(), 20800.0, 1e-6);
  EXPECT_NEAR(bound.at("offered_sms").get<double>(), 7.232, 1e-9);
  EXPECT_NEAR(bound.at("max_jobs_per_s").get<double>(), 20800.0 * 16.0 / 7.232, 1e-6);
  EXPECT_NEAR(bound.at("sustainable_jobs_per_s").get<double>(), 20800.0, 1e-6);  // under the bound: offered
  EXPECT_NEAR(summary.at("share_of_bound").get<double>(), summary.at("throughput_jobs_per_s").get<double>() / 20800.0,
              1e-12);
  EXPECT_NE(table.find("bound: this mix can complete at most 46017.7 jobs/s"), std::string::npos) << table;
}

TEST_F(SimulateCli, AJobQueuedOnItsStreamIsMarkedAndReachesTheGpuWithoutTheStageOverhead) {
  // One stream, three chain3 jobs (3500 ns whole on the test GPU's 16 SMs) released at 0, 100 ns of
  // host time per start: T0 starts at 0 and reaches the GPU at 100; T1 and T2 go onto the stream
  // behind it (stream_queue=on) and run the instant the job ahead ends, with no host time.
  const fs::path set = dir_ / "three.json";
  std::ofstream(set) << R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 100000}, {"name": "T1", "model": "chain3", "period_ns": 100000},
      {"name": "T2", "model": "chain3", "period_ns": 100000}]})";
  const Result r = run("--taskset " + set.string() + " --layout full --scheduler streams --option streams=1 "
                       "--stage-overhead-ns 100 --duration 0.00001");
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream events(dir_ / "out/events.jsonl");
  std::string line;
  std::getline(events, line);
  std::vector<std::string> starts, ends;
  while (std::getline(events, line)) {
    const sgprs::Json e = sgprs::Json::parse(line);
    const std::string what = e.at("task").get<std::string>() + "@" + std::to_string(e.at("t_ns").get<long long>());
    if (e.at("ev") == "start") starts.push_back(what + (e.value("queued", false) ? " queued" : ""));
    if (e.at("ev") == "job_end") ends.push_back(what);
  }
  EXPECT_EQ(starts, (std::vector<std::string>{"T0@0", "T1@3600 queued", "T2@7100 queued"}));
  EXPECT_EQ(ends, (std::vector<std::string>{"T0@3600", "T1@7100", "T2@10600"}));
}

TEST_F(SimulateCli, OccupiedGpuTimesAreSlower) {
  // chain3's occupied times are twice its isolated ones (tests/data/sim/profile.json):
  // the same single job then takes twice as long.
  const std::string ts = kData + "/taskset-deadline-over-period.json --allow-deadline-over-period --layout full --duration 0.00001";
  ASSERT_EQ(run("--taskset " + ts, "iso").status, 0);
  ASSERT_EQ(run("--taskset " + ts + " --gpu-times occupied", "occ").status, 0);
  const sgprs::Json iso = sgprs::Json::parse(slurp(dir_ / "iso/summary.json"));
  const sgprs::Json occ = sgprs::Json::parse(slurp(dir_ / "occ/summary.json"));
  EXPECT_EQ(iso.at("tasks")[0].at("response_max_ns"), 3500);  // 1000 + 2000 + 500 at 16 SMs
  EXPECT_EQ(occ.at("tasks")[0].at("response_max_ns"), 7000);
  EXPECT_EQ(occ.at("provenance").at("gpu_times"), "occupied");
}

TEST_F(SimulateCli, NoEventsWritesOnlyTheSummary) {
  ASSERT_EQ(run("--taskset " + kData + "/taskset-small.json --duration 0.05 --no-events").status, 0);
  EXPECT_TRUE(fs::exists(dir_ / "out/summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "out/events.jsonl"));
  EXPECT_FALSE(fs::exists(dir_ / "out/timeline.json"));
}

TEST_F(SimulateCli, SameSeedGivesIdenticalFiles) {
  const std::string args = "--taskset " + kData + "/taskset-small.json --layout stepwise:2:1.0x --duration 0.05 --seed 9";
  ASSERT_EQ(run(args, "a").status, 0);
  ASSERT_EQ(run(args, "b").status, 0);
  for (const char* file : {"events.jsonl", "timeline.json"})
    EXPECT_EQ(slurp(dir_ / "a" / file), slurp(dir_ / "b" / file)) << file;
  sgprs::Json a = sgprs::Json::parse(slurp(dir_ / "a/summary.json"));
  sgprs::Json b = sgprs::Json::parse(slurp(dir_ / "b/summary.json"));
  a.erase("wall_time_s");
  b.erase("wall_time_s");
  EXPECT_EQ(a, b);
}

TEST_F(SimulateCli, DeferralCaseMatchesItsGoldenEventLog) {
  // The hand-worked case of SgprsScheduler.AStageAheadOfScheduleWaitsWhenNoPartitionIsIdle
  // (tests/simulator/sgprs_scheduler_test.cpp), written by the CLI.
  const Result r = run("--taskset " + kData + "/taskset-deferral.json --layout full --max-parallel 2 "
                       "--estimates isolated --option no_defer_last=0 --duration 0.00005");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "out/events.jsonl"), slurp(kData + "/golden/deferral.events.jsonl"));
}

TEST_F(SimulateCli, LayoutFileWithOverlappingPieces) {
  const Result r = run("--taskset " + kData + "/taskset-small.json --layout " + kData + "/layout-overlap.json --duration 0.02");
  ASSERT_EQ(r.status, 0) << r.err;
  const sgprs::Json summary = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(summary.at("partitions")[0].at("name"), "left");
  EXPECT_EQ(summary.at("partitions")[0].at("sms"), 12);
  EXPECT_EQ(summary.at("partitions")[1].at("sms"), 8);
  EXPECT_EQ(summary.at("provenance").at("pool").at("max_parallel"), 2);
}

TEST_F(SimulateCli, LayoutFileWithAPieceTheGpuLacks) {
  const fs::path layout = dir_ / "layout.json";
  std::ofstream(layout) << R"({"schema": "sgprs.layout/1", "partitions": [{"pieces": [0, 7]}]})";
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --layout " + layout.string()), "partitions[0].pieces");
}

TEST_F(SimulateCli, ShippedDefaultsRunFromTheSourceTree) {
  // No --taskset/--profile/--models/--layout/--scheduler: the shipped defaults,
  // relative to the repository root (shortened to 0.2 s).
  if (!fs::exists(kSource + "/traces/profiles/h100-fp32.json")) GTEST_SKIP() << "no shipped H100 profile";
  const std::string cmd = "cd " + kSource + " && " + std::string(SGPRS_BINARY) + " simulate --duration 0.2 --no-events --out " +
                          (dir_ / "out").string() + " > " + (dir_ / "stdout.txt").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(dir_ / "stdout.txt");
  const sgprs::Json summary = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(summary.at("provenance").at("scheduler"), "sgprs");
  EXPECT_EQ(summary.at("provenance").at("layout").at("name"), "equal:2:1.0x");
  EXPECT_EQ(summary.at("provenance").at("profile").at("sm_count"), 132);
  EXPECT_EQ(summary.at("tasks").size(), 90u);
  EXPECT_GT(summary.at("jobs_completed").get<int>(), 0);
}

TEST_F(SimulateCli, ShippedDefaultsRunFromAnyFolder) {
  // From a folder with no traces/ in it, the defaults come from the source tree the binary was
  // built from; an explicit path that does not exist is still reported under its own name.
  if (!fs::exists(kSource + "/traces/profiles/h100-fp32.json")) GTEST_SKIP() << "no shipped H100 profile";
  const std::string in_dir = "cd " + dir_.string() + " && " + std::string(SGPRS_BINARY) + " simulate ";
  const std::string cmd = in_dir + "--duration 0.2 --no-events --out out > stdout.txt 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(dir_ / "stdout.txt");
  EXPECT_EQ(sgprs::Json::parse(slurp(dir_ / "out/summary.json")).at("tasks").size(), 90u);

  const std::string missing = in_dir + "--profile traces/profiles/none.json --out out2 > stdout.txt 2> stderr.txt";
  const int raw = std::system(missing.c_str());
  EXPECT_EQ(WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, 2);
  EXPECT_NE(slurp(dir_ / "stderr.txt").find("traces/profiles/none.json"), std::string::npos);
}

TEST_F(SimulateCli, NoEventsRemovesAnEarlierRunsLogAndTimeline) {
  ASSERT_EQ(run("--taskset " + kData + "/taskset-small.json --duration 0.01 --seed 1").status, 0);
  ASSERT_TRUE(fs::exists(dir_ / "out/events.jsonl"));
  ASSERT_EQ(run("--taskset " + kData + "/taskset-small.json --duration 0.01 --seed 5 --no-events").status, 0);
  EXPECT_TRUE(fs::exists(dir_ / "out/summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "out/events.jsonl")) << "seed 1's log beside seed 5's summary";
  EXPECT_FALSE(fs::exists(dir_ / "out/timeline.json"));
}

TEST_F(SimulateCli, AFolderWhereAnOutputFileGoesIsAnInputError) {
  fs::create_directories(dir_ / "blocked/timeline.json");
  const Result r = run("--taskset " + kData + "/taskset-small.json --duration 0.01", "blocked");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("timeline.json' exists and is not a file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "blocked/summary.json")) << "nothing written";
}

TEST_F(SimulateCli, NegativeSeedIsRefused) {
  const Result r = run("--taskset " + kData + "/taskset-small.json --seed -1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(SimulateCli, HardwareQueuesSetTheCalibrationsRunningLimitAndAreCheckedAsQueues) {
  // A calibration whose running_limit is 2 units at 32 queues: the default 32 gives 2 (the
  // provenance says so), 16 gives 1; 0 or 33 queues are refused in one line.
  std::ofstream(dir_ / "limit.json") << R"json({"schema": "sgprs.sharing/1", "device": "test-gpu (synthetic)",
    "precision": "fp32", "contention": [{"units": 1, "factor": 1.0}], "running_limit": [{"queues": 32, "running": 2}]})json";
  const std::string base = "--taskset " + kData + "/taskset-small.json --duration 0.001 --no-events --sharing packed "
                           "--sharing-calibration " + (dir_ / "limit.json").string();
  ASSERT_EQ(run(base).status, 0);
  sgprs::Json summary = sgprs::Json::parse(std::ifstream(dir_ / "out" / "summary.json"));
  EXPECT_EQ(summary["provenance"]["running_limit"], sgprs::Json({{"hardware_queues", 32}, {"units", 2}}));
  ASSERT_EQ(run(base + " --hardware-queues 16", "sixteen").status, 0);
  summary = sgprs::Json::parse(std::ifstream(dir_ / "sixteen" / "summary.json"));
  EXPECT_EQ(summary["provenance"]["running_limit"], sgprs::Json({{"hardware_queues", 16}, {"units", 1}}));
  for (const char* bad : {" --hardware-queues 0", " --hardware-queues 33"}) {
    const Result r = run(base + bad, "bad");
    EXPECT_EQ(r.status, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--hardware-queues"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "bad"));
  }
}

TEST_F(SimulateCli, UnknownScheduler) {
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --scheduler fastest"), "--scheduler");
}

TEST_F(SimulateCli, ModelStageMissingFromProfile) {
  const Result r = run("--taskset " + kData + "/taskset-unknown-stage.json");
  expect_input_error(r, "profile.json");
  EXPECT_NE(r.err.find("'zz'"), std::string::npos) << r.err;
}

TEST_F(SimulateCli, ModelMissingFromProfile) {
  const fs::path ts = dir_ / "ts.json";
  std::ofstream(ts) << R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "ghost", "period_ns": 1000}]})";
  expect_input_error(run("--taskset " + ts.string()), "tasks[0].model");
}

TEST_F(SimulateCli, LayoutLargerThanTheGpu) {
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --layout equal:9:1.0x"), "--layout");
}

TEST_F(SimulateCli, DeadlineOverPeriodUnlessAllowed) {
  expect_input_error(run("--taskset " + kData + "/taskset-deadline-over-period.json"), "tasks[0].deadline_ns");
  EXPECT_EQ(run("--taskset " + kData + "/taskset-deadline-over-period.json --allow-deadline-over-period --duration 0.001")
                .status,
            0);
}

TEST_F(SimulateCli, BadSchedulerOptionsAndDuration) {
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --option waiting_order=random"), "waiting_order");
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --waiting-order random"), "--waiting-order");
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --option nonsense"), "--option");
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --duration -1"), "--duration");
}

TEST_F(SimulateCli, ErrorsFoundWhilePlanningLeaveNoFolder) {
  // The reference partition is checked against the pool when the run is planned.
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --reference-partition 7"), "reference_partition");
}

TEST_F(SimulateCli, OutputPathThatIsAFile) {
  std::ofstream(dir_ / "out") << "not a folder";
  const Result r = run("--taskset " + kData + "/taskset-small.json --duration 0.001");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
}

TEST_F(SimulateCli, UsageAndConversionErrorsAreOneLineNamingTheFlag) {
  const std::string ts = "--taskset " + kData + "/taskset-small.json ";
  expect_input_error(run(ts + "--bogus 1"), "--bogus");
  expect_input_error(run(ts + "--duration abc"), "--duration: must be a number above 0, at most 1e+06 (got 'abc')");
  expect_input_error(run(ts + "--max-parallel 2147483647"), "--max-parallel: must be a whole number from 0 to 1024");
  expect_input_error(run(ts + "--seed 1.5"), "--seed: must be a whole number from 0 to 18446744073709551615");
  // A newline inside a value is written as \n: the error stays one line.
  expect_input_error(run(ts + "--scheduler \"$(printf 'a\\nb')\""), "unknown scheduler 'a\\nb'");
}

TEST_F(SimulateCli, DeepOrHugeInputsAreRefusedBeforeWork) {
  const fs::path ts = dir_ / "deep.json";
  std::ofstream(ts) << R"({"schema": "sgprs.taskset/1", "comment": )" << std::string(100000, '[')
                    << std::string(100000, ']') << R"(, "tasks": [{"model": "chain3", "period_ns": 1000}]})";
  expect_input_error(run("--taskset " + ts.string()), "deep.json: nests arrays and objects deeper than 64 levels");
  const fs::path busy = dir_ / "busy.json";
  std::ofstream(busy) << R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "chain3", "period_ns": 1}]})";
  expect_input_error(run("--taskset " + busy.string() + " --duration 1"), "would release more than 100000000 jobs");
}

TEST_F(SimulateCli, InterruptedRunLeavesNothingBehind) {
  // SIGINT and SIGTERM half way through a run that streams its event log and timeline: the
  // temporaries go, and so does the folder the run created.
  for (const char* signal : {"INT", "TERM"}) {
    const std::string cmd = std::string("timeout -s ") + signal + " 0.5 " + SGPRS_BINARY + " simulate --profile " +
                            kData + "/profile.json --models " + kData + "/models --taskset " + kData +
                            "/taskset-small.json --duration 20 --quiet --out " + (dir_ / "out").string() +
                            " > /dev/null 2>&1";
    const int raw = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(raw));
    EXPECT_EQ(WEXITSTATUS(raw), 124) << "the run ended before the signal";
    EXPECT_FALSE(fs::exists(dir_ / "out")) << signal;
  }
}

TEST_F(SimulateCli, TruncatedTaskSet) {
  const fs::path ts = dir_ / "ts.json";
  std::ofstream(ts) << R"({"schema": "sgprs.taskset/1", "tasks": [)";
  expect_input_error(run("--taskset " + ts.string()), "ts.json");
}

}  // namespace

TEST_F(SimulateCli, StageOverheadDelaysEveryStageAndIsRecorded) {
  // One chain3 job at 16 SMs: 1000 + 2000 + 500 ns of GPU time plus 3 x 250 ns of host time.
  const std::string ts = kData + "/taskset-deadline-over-period.json --allow-deadline-over-period --layout full --duration 0.00001";
  ASSERT_EQ(run("--taskset " + ts + " --stage-overhead-ns 250").status, 0);
  const sgprs::Json s = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(s.at("tasks")[0].at("response_max_ns"), 4250);
  EXPECT_EQ(s.at("provenance").at("stage_overhead_ns"), 250);
  EXPECT_EQ(s.at("provenance").at("interference"), "none");
}

TEST_F(SimulateCli, InterferenceRuleMustBeKnownAndStartFromIsolatedTimes) {
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --interference lots"), "--interference");
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --interference profile --gpu-times occupied"),
                     "--interference");
  expect_input_error(run("--taskset " + kData + "/taskset-small.json --stage-overhead-ns -5"), "--stage-overhead-ns");
}

TEST_F(SimulateCli, TheGpuRunsTheGpuTimesProfileWhileTheSchedulerPredictsFromTheRunsProfile) {
  // A second measurement of the same GPU in which chain3's stages take three times as long (as a
  // cold-L2 profile would): one chain3 job at 16 SMs takes 3 x (1000 + 2000 + 500) ns.
  sgprs::Json slow = sgprs::Json::parse(slurp(kData + "/profile.json"));
  for (sgprs::Json& model : slow.at("models"))
    if (model.at("name") == "chain3")
      for (sgprs::Json& stage : model.at("stages"))
        for (sgprs::Json& t : stage.at("median_ns")) t = 3 * t.get<std::int64_t>();
  const fs::path slow_file = dir_ / "slow.json";
  std::ofstream(slow_file) << slow.dump();
  const std::string ts = "--taskset " + kData + "/taskset-deadline-over-period.json --allow-deadline-over-period " +
                         "--layout full --duration 0.00001";
  ASSERT_EQ(run(ts + " --gpu-times-profile " + slow_file.string()).status, 0);
  const sgprs::Json s = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(s.at("tasks")[0].at("response_max_ns"), 10500);
  EXPECT_EQ(s.at("provenance").at("gpu_times_profile").at("source"), slow_file.string());
  // The predictions still read --profile: the stage deadlines in the log come from the run's own
  // occupied times (8000 + 16000 + 4000 ns at 4 SMs), so they are the same as without the flag.
  ASSERT_EQ(run(ts, "plain").status, 0);
  const auto stage_deadlines = [&](const fs::path& events) {
    std::ifstream in(events);
    std::string line, found;
    while (std::getline(in, line))
      if (line.find("\"ev\":\"decision\"") != std::string::npos)
        found += std::to_string(sgprs::Json::parse(line).at("stage_deadline_ns").get<std::int64_t>()) + " ";
    return found;
  };
  EXPECT_EQ(stage_deadlines(dir_ / "out/events.jsonl"), stage_deadlines(dir_ / "plain/events.jsonl"));
  EXPECT_FALSE(stage_deadlines(dir_ / "out/events.jsonl").empty());
  fs::remove_all(dir_ / "out");

  // Another GPU, another precision, a model or stage the run uses missing: one line naming the field.
  const auto write_variant = [&](const std::function<void(sgprs::Json&)>& change) {
    sgprs::Json variant = slow;
    change(variant);
    std::ofstream(slow_file) << variant.dump();
  };
  write_variant([](sgprs::Json& p) { p["device"]["name"] = "another GPU"; });
  expect_input_error(run(ts + " --gpu-times-profile " + slow_file.string()), "device.name");
  write_variant([](sgprs::Json& p) { p["precision"] = "fp16"; });
  expect_input_error(run(ts + " --gpu-times-profile " + slow_file.string()), "precision");
  write_variant([](sgprs::Json& p) { p["models"][0]["stages"].erase(1); });
  expect_input_error(run(ts + " --gpu-times-profile " + slow_file.string()), "no stage 'b'");
  write_variant([](sgprs::Json& p) { p["models"].erase(0); });
  expect_input_error(run(ts + " --gpu-times-profile " + slow_file.string()), "no model 'chain3'");
  expect_input_error(run(ts + " --gpu-times-profile " + (dir_ / "none.json").string()), "none.json");
}

TEST_F(SimulateCli, PackedSharingNeedsACalibrationOfTheProfilesGpuAndIsRecorded) {
  const std::string ts = "--taskset " + kData + "/taskset-small.json --layout full --scheduler streams --duration 0.05";
  expect_input_error(run(ts + " --sharing lots"), "--sharing");
  // The default calibration sits beside the profile; the test profile has none.
  expect_input_error(run(ts + " --sharing packed"), "profile.sharing.json");
  const fs::path calibration = dir_ / "gpu.sharing.json";
  const auto write = [&](const std::string& device) {
    std::ofstream(calibration) << R"({"schema": "sgprs.sharing/1", "device": ")" << device
                               << R"(", "precision": "fp32", "contention": [{"units": 1, "factor": 1.0}, {"units": 4, "factor": 2.0}]})";
  };
  write("another GPU");
  expect_input_error(run(ts + " --sharing packed --sharing-calibration " + calibration.string()), "device");
  write("test-gpu (synthetic)");
  ASSERT_EQ(run(ts + " --sharing packed --sharing-calibration " + calibration.string()).status, 0);
  const sgprs::Json packed = sgprs::Json::parse(slurp(dir_ / "out/summary.json"));
  EXPECT_EQ(packed.at("provenance").at("sharing"), "packed");
  EXPECT_EQ(packed.at("provenance").at("sharing_calibration"), calibration.string());
  ASSERT_EQ(run(ts, "even").status, 0);
  const sgprs::Json even = sgprs::Json::parse(slurp(dir_ / "even/summary.json"));
  EXPECT_EQ(even.at("provenance").at("sharing"), "even-step");
  // Streams that overlap under a contention of up to 2x: the same jobs take longer.
  EXPECT_GT(packed.at("tasks")[0].at("response_p99_ns").get<std::int64_t>(),
            even.at("tasks")[0].at("response_p99_ns").get<std::int64_t>());
}
