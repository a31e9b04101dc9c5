// `sgprs sweep` through the real binary: a sweep writes its tables, gives the
// same runs.csv with one or two threads, resumes without rerunning, and every
// bad experiment file gives one line on stderr, exit status 2 and no output folder.
// `sgprs sweep --shard I/N` + `sgprs merge` give the unsharded sweep's bytes, and
// merge refuses missing, duplicated, unfinished and foreign shards in one line.
#include "common/json_io.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
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
  Result merge(const std::string& dirs, const std::string& out) {
    const std::string err = (dir_ / "stderr.txt").string();
    const std::string cmd = std::string(SGPRS_BINARY) + " merge " + dirs + " --out " + (dir_ / out).string() +
                            " --no-plots > /dev/null 2> " + err;
    const int raw = std::system(cmd.c_str());
    return Result{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(err)};
  }
  std::string shard_dirs(const std::string& prefix, std::initializer_list<int> shards, int count) {
    std::string dirs;
    for (int i : shards) dirs += " " + (dir_ / (prefix + std::to_string(i) + "of" + std::to_string(count))).string();
    return dirs;
  }
  void run_shards(const std::string& cfg, const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      const Result r = sweep(cfg, prefix + std::to_string(i) + "of" + std::to_string(count),
                             "--jobs 1 --shard " + std::to_string(i) + "/" + std::to_string(count));
      ASSERT_EQ(r.status, 0) << r.err;
    }
  }
  /// sweep.json less the fields that say how this execution went.
  static sgprs::Json sweep_identity(const fs::path& path) {
    sgprs::Json doc = sgprs::Json::parse(slurp(path));
    for (const char* field : {"command", "threads", "runs_resumed", "runs_executed", "runs_simulated", "wall_time_s"}) {
      EXPECT_TRUE(doc.contains(field)) << field;
      doc.erase(field);
    }
    return doc;
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

TEST_F(SweepCli, FourShardsMergeToTheUnshardedSweepsBytes) {
  const std::string cfg = config([](sgprs::Json&) {});
  ASSERT_EQ(sweep(cfg, "whole", "--jobs 2").status, 0);
  run_shards(cfg, "s", 4);
  // 2 schedulers x 3 loads x 2 repetitions = 12 groups of 2 layouts: 3 groups, 6 runs, per shard.
  for (int i = 0; i < 4; ++i) {
    const fs::path shard = dir_ / ("s" + std::to_string(i) + "of4");
    const std::string runs = slurp(shard / "runs.csv");
    EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 7) << shard;
    EXPECT_FALSE(fs::exists(shard / "summary.csv")) << "a shard's summary would be partial";
  }
  // Any order of the folders.
  const Result merged = merge(shard_dirs("s", {2, 0, 3, 1}, 4), "merged");
  ASSERT_EQ(merged.status, 0) << merged.err;
  for (const char* file : {"runs.csv", "summary.csv"})
    EXPECT_EQ(slurp(dir_ / "merged" / file), slurp(dir_ / "whole" / file)) << file;
  EXPECT_EQ(sweep_identity(dir_ / "merged" / "sweep.json"), sweep_identity(dir_ / "whole" / "sweep.json"));
  EXPECT_EQ(sgprs::Json::parse(slurp(dir_ / "merged" / "sweep.json"))["runs_executed"], 24);

  // An interrupted shard resumes like a sweep and still merges to the same bytes.
  {
    const std::string runs = slurp(dir_ / "s1of4" / "runs.csv");
    std::ofstream(dir_ / "s1of4" / "runs.csv") << runs.substr(0, runs.find('\n', runs.find('\n') + 1) + 1);
  }
  const Result resumed = sweep(cfg, "s1of4", "--shard 1/4 --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("6 runs (1 resumed"), std::string::npos) << resumed.err;
  ASSERT_EQ(merge(shard_dirs("s", {0, 1, 2, 3}, 4), "again").status, 0);
  EXPECT_EQ(slurp(dir_ / "again" / "runs.csv"), slurp(dir_ / "whole" / "runs.csv"));
}

TEST_F(SweepCli, MergeRefusesAHugeShardCountAtOnce) {
  // Found by tools/hostile_campaign.py: a shard.json whose count was edited to INT_MAX made merge
  // allocate a slot per shard (16 GiB) and list every missing index; it ran past 20 s.
  const std::string cfg = config([](sgprs::Json&) {});
  run_shards(cfg, "s", 3);
  const auto set_count = [&](int shard, int count) {
    const fs::path path = dir_ / ("s" + std::to_string(shard) + "of3") / "shard.json";
    sgprs::Json doc = sgprs::Json::parse(slurp(path));
    doc["shard"]["count"] = count;
    std::ofstream(path) << doc.dump();
  };
  set_count(0, 2147483647);
  expect_input_error(merge(shard_dirs("s", {0, 1, 2}, 3), "out"), "into 2147483647");
  set_count(1, 2147483647);
  set_count(2, 2147483647);
  expect_input_error(merge(shard_dirs("s", {0, 1, 2}, 3), "out"),
                     "shard(s) 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ... (2147483644 in all) of 2147483647 missing");
}

TEST_F(SweepCli, MergeRefusesShardCountsPastTheSweepLimits) {
  // Found by tools/hostile_campaign.py: a threads of INT_MAX overflowed the sum over shards (UBSan).
  const std::string cfg = config([](sgprs::Json&) {});
  run_shards(cfg, "s", 2);
  const fs::path path = dir_ / "s1of2" / "shard.json";
  const sgprs::Json good = sgprs::Json::parse(slurp(path));
  for (const char* field : {"threads", "runs_resumed", "runs_executed", "runs_simulated"})
    for (const std::int64_t value : {std::int64_t{2147483647}, std::int64_t{-1}}) {
      sgprs::Json doc = good;
      doc[field] = value;
      std::ofstream(path) << doc.dump();
      expect_input_error(merge(shard_dirs("s", {0, 1}, 2), "out"),
                         "s1of2/shard.json: field '" + std::string(field) + "': must be from 0 to 1000000");
    }
}

TEST_F(SweepCli, MergeRefusesIncompleteForeignAndDuplicatedShards) {
  const std::string cfg = config([](sgprs::Json&) {});
  run_shards(cfg, "s", 3);
  run_shards(cfg, "t", 2);
  auto expect_refused = [&](const Result& r, const std::string& must_contain) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find(must_contain), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out")) << "nothing written";
  };
  expect_refused(merge(shard_dirs("s", {0, 2}, 3), "out"), "shard(s) 1 of 3 missing");
  EXPECT_NE(merge(shard_dirs("s", {0, 2}, 3), "out").err.find("s0of3/shard.json"), std::string::npos)
      << "names the shard it read the count from";
  expect_refused(merge(shard_dirs("s", {0, 1, 2, 1}, 3), "out"), "shard 1/3 given twice");
  expect_refused(merge((dir_ / "nowhere").string(), "out"), "shard.json: missing");
  // A shard folder given to another shard's --resume.
  const Result wrong_resume = sweep(cfg, "s0of3", "--shard 1/3 --resume");
  EXPECT_EQ(wrong_resume.status, 2);
  EXPECT_NE(wrong_resume.err.find("holds another shard"), std::string::npos) << wrong_resume.err;
  EXPECT_EQ(std::count(wrong_resume.err.begin(), wrong_resume.err.end(), '\n'), 1) << "before the plan: "
                                                                                    << wrong_resume.err;

  // An output of merge blocked by a folder: refused before anything is written (none of the three).
  fs::create_directories(dir_ / "blocked" / "sweep.json");
  const Result blocked = merge(shard_dirs("s", {0, 1, 2}, 3), "blocked");
  EXPECT_EQ(blocked.status, 2) << blocked.err;
  EXPECT_NE(blocked.err.find("sweep.json' exists and is not a file"), std::string::npos) << blocked.err;
  EXPECT_FALSE(fs::exists(dir_ / "blocked" / "runs.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "blocked" / "summary.csv"));

  // A shard of another experiment (other loads; the file `cfg` names changes): refused even though
  // the shard numbers fit.
  const std::string other = config([](sgprs::Json& d) { d["loads"] = {1, 4}; });
  ASSERT_EQ(sweep(other, "o2of3", "--shard 2/3").status, 0);
  expect_refused(merge(shard_dirs("s", {0, 1}, 3) + " " + (dir_ / "o2of3").string(), "out"),
                 "a shard of another experiment");
  // Cut into another number of shards.
  expect_refused(merge(shard_dirs("s", {0, 1, 2}, 3) + shard_dirs("t", {0}, 2), "out"), "cut into 2 shards");

  // An unfinished shard: its last row cut in half.
  const std::string runs = slurp(dir_ / "s2of3" / "runs.csv");
  std::ofstream(dir_ / "s2of3" / "runs.csv") << runs.substr(0, runs.size() - 20);
  expect_refused(merge(shard_dirs("s", {0, 1, 2}, 3), "out"), "--shard 2/3 --resume");
}

TEST_F(SweepCli, BadShardFlag) {
  const std::string cfg = config([](sgprs::Json&) {});
  for (const char* bad : {"4/4", "1", "a/3", "-1/3", "0/0"}) {
    const Result r = sweep(cfg, "out", std::string("--shard ") + bad);
    EXPECT_EQ(r.status, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out"));
  }
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
