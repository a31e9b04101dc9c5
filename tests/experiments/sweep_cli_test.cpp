// `sgprs sweep` through the real binary: a sweep writes its tables, gives the
// same runs.csv with one or two threads, resumes without rerunning, and every
// bad experiment file gives one line on stderr, exit status 2 and no output folder.
#include "common/json_io.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments";

struct Result {
  int status;
  std::string err;
};

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sgprs-sweep-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// The shipped tiny experiment, with absolute paths, edited by `change`, written to the temp folder.
  template <class Change>
  std::string config(Change change) {
    sgprs::Json doc = sgprs::Json::parse(slurp(kData + "/identical.json"));
    doc["profile"] = kData + "/profile-hand.json";
    doc["models_dir"] = kData + "/models";
    change(doc);
    const std::string path = (dir_ / "experiment.json").string();
    std::ofstream(path) << doc.dump();
    return path;
  }
  Result sweep(const std::string& config_path, const std::string& out, const std::string& args = "") {
    const std::string err = (dir_ / "stderr.txt").string();
    const std::string cmd = std::string(SGPRS_BINARY) + " sweep --config " + config_path + " --out " +
                            (dir_ / out).string() + " --no-plots --quiet " + args + " > /dev/null 2> " + err;
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
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << "no output folder after bad input";
  }
  fs::path dir_;
};

TEST_F(SweepCli, WritesTablesIdenticallyForOneAndTwoThreadsAndResumes) {
  const std::string cfg = config([](sgprs::Json&) {});
  ASSERT_EQ(sweep(cfg, "one", "--jobs 1").status, 0);
  const Result two = sweep(cfg, "two", "--jobs 2");
  ASSERT_EQ(two.status, 0) << two.err;
  const std::string runs = slurp(dir_ / "one" / "runs.csv");
  EXPECT_EQ(runs, slurp(dir_ / "two" / "runs.csv"));
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 25);  // header + 2 layouts x 2 schedulers x 3 loads x 2 sets
  const std::string summary = slurp(dir_ / "one" / "summary.csv");
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 13);  // header + 12 points
  EXPECT_TRUE(fs::exists(dir_ / "one" / "sweep.json"));

  const Result again = sweep(cfg, "one", "--resume");
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("24 runs (24 resumed, 0 simulated"), std::string::npos) << again.err;
  EXPECT_EQ(slurp(dir_ / "one" / "runs.csv"), runs);
  // Aggregated from rows read back from runs.csv, the summary is the fresh one to the last digit.
  EXPECT_EQ(slurp(dir_ / "one" / "summary.csv"), summary);

  // Interrupted after 10 runs: the rest is simulated, and both tables come out as a fresh sweep's.
  {
    std::istringstream in(runs);
    std::string kept, line;
    for (int i = 0; i < 11 && std::getline(in, line); ++i) kept += line + "\n";
    std::ofstream(dir_ / "one" / "runs.csv") << kept;
  }
  const Result partial = sweep(cfg, "one", "--resume");
  EXPECT_EQ(partial.status, 0) << partial.err;
  EXPECT_NE(partial.err.find("(10 resumed"), std::string::npos) << partial.err;
  EXPECT_EQ(slurp(dir_ / "one" / "runs.csv"), runs);
  EXPECT_EQ(slurp(dir_ / "one" / "summary.csv"), summary);
}

TEST_F(SweepCli, ResumeDropsACutLastRowAndRefusesRowsItCannotMatch) {
  const std::string cfg = config([](sgprs::Json&) {});
  ASSERT_EQ(sweep(cfg, "out", "--jobs 1").status, 0);
  const std::string runs = slurp(dir_ / "out" / "runs.csv");
  // Stopped inside the last row's final number: "...,123" of "...,1234\n" would still parse.
  std::ofstream(dir_ / "out" / "runs.csv", std::ios::binary) << runs.substr(0, runs.size() - 2);
  const Result resumed = sweep(cfg, "out", "--resume");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("(23 resumed"), std::string::npos) << resumed.err;
  EXPECT_EQ(slurp(dir_ / "out" / "runs.csv"), runs);

  // Without sweep.json nothing says which experiment the rows belong to: refused, one line, before
  // the plan is printed, and runs.csv untouched.
  fs::remove(dir_ / "out" / "sweep.json");
  const Result orphan = sweep(cfg, "out", "--resume");
  EXPECT_EQ(orphan.status, 2) << orphan.err;
  EXPECT_NE(orphan.err.find("sweep.json: is missing"), std::string::npos) << orphan.err;
  EXPECT_EQ(std::count(orphan.err.begin(), orphan.err.end(), '\n'), 1) << orphan.err;
  EXPECT_EQ(slurp(dir_ / "out" / "runs.csv"), runs);
}

TEST_F(SweepCli, OutputsBlockedByAFolderAndBadJobsAreOneLineBeforeThePlan) {
  const std::string cfg = config([](sgprs::Json&) {});
  fs::create_directories(dir_ / "blocked" / "sweep.json");
  const Result blocked = sweep(cfg, "blocked");
  EXPECT_EQ(blocked.status, 2) << blocked.err;
  EXPECT_NE(blocked.err.find("sweep.json' exists and is not a file"), std::string::npos) << blocked.err;
  EXPECT_EQ(std::count(blocked.err.begin(), blocked.err.end(), '\n'), 1) << blocked.err;
  EXPECT_FALSE(fs::exists(dir_ / "blocked" / "runs.csv"));

  expect_input_error(sweep(cfg, "out", "--jobs 1.5"), "sgprs: error: --jobs: must be a whole number from 0 to 1024 (got '1.5')");
  expect_input_error(sweep(cfg, "out", "--jobs -1"), "--jobs");
  expect_input_error(sweep(cfg, "out", "--no-such-flag"), "--no-such-flag");
}

TEST_F(SweepCli, UnknownGenerator) {
  expect_input_error(sweep(config([](sgprs::Json& d) { d["generator"]["kind"] = "bursty"; }), "out"),
                     "unknown generator 'bursty'");
}

TEST_F(SweepCli, EmptySweep) {
  expect_input_error(sweep(config([](sgprs::Json& d) { d["schedulers"] = sgprs::Json::array(); }), "out"), "empty");
}

TEST_F(SweepCli, UnreachableLoad) {
  expect_input_error(sweep(config([](sgprs::Json& d) { d["loads"] = {1, 0}; }), "out"), "loads[1]");
}

TEST_F(SweepCli, ModelMissingFromProfile) {
  expect_input_error(sweep(config([](sgprs::Json& d) { d["generator"]["model"] = "alexnet"; }), "out"),
                     "no model 'alexnet'");
}

TEST_F(SweepCli, BadSchedulerOption) {
  expect_input_error(sweep(config([](sgprs::Json& d) {
                       d["schedulers"] = sgprs::Json::parse(R"([{"name": "sgprs", "options": {"waiting_order": "random"}}])");
                     }),
                           "out"),
                     "waiting_order");
}

TEST_F(SweepCli, OptionThatDoesNotFitALayoutStopsBeforeTheFirstRun) {
  // Partition 2 exists on no two-partition layout: found when each scheduler is planned on each
  // layout, before any run, so no runs.csv or sweep.json is left behind.
  expect_input_error(sweep(config([](sgprs::Json& d) {
                       d["layouts"] = sgprs::Json::parse(R"(["equal:2:1.0x"])");
                       d["schedulers"] = sgprs::Json::parse(R"([{"name": "sgprs", "options": {"reference_partition": "2"}}])");
                     }),
                           "out"),
                     "'schedulers[0]': 'sgprs' cannot run on layout 'equal:2:1.0x'");
}

}  // namespace
