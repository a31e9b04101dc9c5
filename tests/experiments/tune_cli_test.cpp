// `sgprs tune` through the real binary: a small search prints its best configuration and the
// command to run it; bad input is one line on stderr and exit status 2.
#include "tests/experiments/cli_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using sgprs::test::CliResult;
using sgprs::test::slurp;

class TuneCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sgprs-tune-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "set.json") << R"({"schema": "sgprs.taskset/1", "name": "two", "tasks": [
      {"name": "fast", "model": "resnet18", "rate_hz": 120, "deadline_ns": 4000000, "count": 6},
      {"name": "slow", "model": "vit_b16", "rate_hz": 10, "deadline_ns": 50000000, "count": 2}]})";
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult tune(const std::string& args) { return sgprs::test::run_sgprs("tune " + args, dir_); }
  std::string set() const { return (dir_ / "set.json").string(); }

  fs::path dir_;
};

TEST_F(TuneCli, PrintsTheBestConfigurationAndHowToRunIt) {
  const CliResult r = tune("--taskset " + set() + " --layouts full,equal:2:1.0x --duration 0.5 --repetitions 1 --steps 3 --jobs 2 --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("best: sgprs-best, layout "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run it: sgprs simulate --taskset " + set()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("throughput bound: load scale"), std::string::npos) << r.out;
}

TEST_F(TuneCli, SearchesUnderTheSimulatedGpuRulesItIsGivenAndPrintsThem) {
  // A large host overhead per stage makes every stage late: the margin falls, and the printed
  // command carries the rules so that it reproduces the search's runs.
  const std::string common = "--taskset " + set() + " --layouts full --duration 0.5 --repetitions 1 --steps 4 --jobs 2 --quiet";
  const CliResult plain = tune(common);
  const CliResult ruled = tune(common + " --sharing auto --interference profile --stage-overhead-ns 2000000");
  ASSERT_EQ(plain.status, 0) << plain.err;
  ASSERT_EQ(ruled.status, 0) << ruled.err;
  EXPECT_NE(ruled.err.find("simulated GPU: --interference profile --stage-overhead-ns 2000000 --sharing auto"),
            std::string::npos) << ruled.err;
  EXPECT_NE(ruled.out.find("--layout full --interference profile --stage-overhead-ns 2000000 --sharing auto"),
            std::string::npos) << ruled.out;
  EXPECT_EQ(plain.out.find("--interference"), std::string::npos) << plain.out;
  const auto margin = [](const std::string& out) {
    const std::size_t at = out.find("miss-free up to load scale ");
    return at == std::string::npos ? -1.0 : std::stod(out.substr(at + 27));
  };
  EXPECT_GT(margin(plain.out), margin(ruled.out)) << plain.out << ruled.out;
  const CliResult bad = tune(common + " --sharing fluid");
  EXPECT_EQ(bad.status, 2) << bad.err;
  EXPECT_NE(bad.err.find("--sharing"), std::string::npos) << bad.err;
}

TEST_F(TuneCli, SearchesOnTheGpuTimesProfileItIsGiven) {
  // The profile's own file as the GPU's times finds what the search without it finds; the co-run
  // times (the L2 cold, and per stage a measured slowdown beside busy blocks in place of the
  // profile's occupied point) move the margin; the printed command carries the file; a profile of
  // another GPU is refused before the plan line.
  const std::string common = "--taskset " + set() +
                             " --layouts full --duration 0.5 --repetitions 1 --steps 4 --jobs 2 --quiet --interference profile";
  const std::string corun = std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h200-tf32.corun.json";
  const std::string profile = std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h200-tf32.json";
  const CliResult own = tune(common);
  const CliResult same = tune(common + " --gpu-times-profile " + profile);
  const CliResult measured = tune(common + " --gpu-times-profile " + corun);
  ASSERT_EQ(own.status, 0) << own.err;
  ASSERT_EQ(same.status, 0) << same.err;
  ASSERT_EQ(measured.status, 0) << measured.err;
  EXPECT_NE(measured.out.find("--interference profile --gpu-times-profile " + corun), std::string::npos) << measured.out;
  const auto margin = [](const std::string& out) {
    const std::size_t at = out.find("miss-free up to load scale ");
    return at == std::string::npos ? -1.0 : std::stod(out.substr(at + 27));
  };
  EXPECT_EQ(margin(own.out), margin(same.out)) << own.out << same.out;
  EXPECT_GT(margin(own.out), 0) << own.out;
  EXPECT_NE(margin(own.out), margin(measured.out)) << own.out << measured.out;
  const CliResult other =
      tune(common + " --gpu-times-profile " + std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h100-fp32.json");
  EXPECT_EQ(other.status, 2) << other.err;
  EXPECT_NE(other.err.find("h100-fp32.json"), std::string::npos) << other.err;
  EXPECT_EQ(other.out, "") << other.out;
}

TEST_F(TuneCli, BadInputIsOneLineAndExitTwo) {
  for (const std::string& args : {"--taskset " + (dir_ / "missing.json").string(),
                                  "--taskset " + set() + " --layouts equal:0",
                                  "--taskset " + set() + " --jobs -1",
                                  "--taskset " + set() + " --scheduler fastest",
                                  "--taskset " + set() + " --duration 0",
                                  "--taskset " + set() + " --duration 1e-300",  // 0 ns: refused before the plan line
                                  // A model missing from --models: refused before the plan line.
                                  "--taskset " + set() + " --models " + dir_.string(),
                                  std::string("--profile nowhere.json")}) {
    const CliResult r = tune(args + " --quiet");
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
}

}  // namespace
