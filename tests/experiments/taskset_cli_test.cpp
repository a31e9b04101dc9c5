// `sgprs taskset` through the real binary: a mixed family at a load scale is its base set with every
// count multiplied and rounded, a bound fraction is rounded as the sweep rounds it, a random family's
// set depends on the seed only, and bad input is one line on stderr, exit 2, no file.
#include "common/json_io.hpp"

#include "tests/experiments/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using sgprs::test::CliResult;
using sgprs::test::slurp;

class TasksetCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sgprs-taskset-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult taskset(const std::string& args) { return sgprs::test::run_sgprs("taskset " + args, dir_); }
  std::string out(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(TasksetCli, AMixedFamilyAtAScaleIsItsBaseSetWithEveryCountScaled) {
  const CliResult r = taskset("--experiment mixed-camera --load 0.55 --out " + out("camera.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const sgprs::Json set = sgprs::Json::parse(slurp(out("camera.json")));
  const sgprs::Json base = sgprs::Json::parse(slurp(fs::path(SGPRS_SOURCE_DIR) / "traces/tasksets/mixed-camera.json"));
  EXPECT_EQ(set.at("name"), "mixed-camera@0.55");
  ASSERT_EQ(set.at("tasks").size(), base.at("tasks").size());
  for (std::size_t i = 0; i < base.at("tasks").size(); ++i) {
    const sgprs::Json& b = base.at("tasks")[i];
    const sgprs::Json& t = set.at("tasks")[i];
    EXPECT_EQ(t.at("model"), b.at("model"));
    EXPECT_EQ(t.at("deadline_ns"), b.at("deadline_ns"));
    EXPECT_EQ(t.at("offset_ns"), "random");  // the live run's --seed draws them
    EXPECT_EQ(t.at("count").get<int>(), static_cast<int>(std::round(b.at("count").get<int>() * 0.55))) << i;
  }
  EXPECT_NE(r.out.find("load scale 0.55 = 0.405 of the throughput bound's largest scale 1.358"), std::string::npos)
      << r.out;
}

TEST_F(TasksetCli, ABoundFractionIsRoundedAsTheSweepRoundsIt) {
  const CliResult r = taskset("--experiment traces/experiments/mixed-heavy.json --bound-fraction 0.5 --out " +
                           out("heavy.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  // 0.5 x 1.41353 = 0.707 (three decimals), as in traces/results/mixed-heavy's loads.
  EXPECT_EQ(sgprs::Json::parse(slurp(out("heavy.json"))).at("name"), "mixed-heavy@0.707");
}

TEST_F(TasksetCli, ARandomFamilysSetDependsOnTheSeedOnly) {
  ASSERT_EQ(taskset("--experiment random-mixed --load 1.5 --seed 4 --out " + out("a.json")).status, 0);
  ASSERT_EQ(taskset("--experiment random-mixed --load 1.5 --seed 4 --out " + out("b.json")).status, 0);
  ASSERT_EQ(taskset("--experiment random-mixed --load 1.5 --seed 5 --out " + out("c.json")).status, 0);
  EXPECT_EQ(slurp(out("a.json")), slurp(out("b.json")));
  EXPECT_NE(slurp(out("a.json")), slurp(out("c.json")));
  const CliResult r = taskset("--experiment random-mixed --load 1.5 --seed 4 --out " + out("d.json"));
  EXPECT_NE(r.out.find("24 tasks, total utilisation 1.500"), std::string::npos) << r.out;
}

TEST_F(TasksetCli, BadInputIsOneLineExitTwoAndNoFile) {
  for (const std::string& args : {std::string("--experiment no-such-family --load 1"),
                                  std::string("--experiment mixed-camera"),
                                  std::string("--experiment mixed-camera --load 1 --bound-fraction 1"),
                                  std::string("--experiment mixed-camera --load -1"),
                                  std::string("--experiment random-mixed --bound-fraction 0.5"),
                                  std::string("--experiment random-mixed --load 100")}) {
    const CliResult r = taskset(args + " --out " + out("bad.json"));
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(out("bad.json"))) << args;
  }
}

}  // namespace
