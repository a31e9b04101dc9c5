// The sweep runner with a stand-in run function (a pure function of the run's
// key and seed), so the runner's own promises are tested apart from the
// simulator: identical runs.csv whatever the thread count, resume without
// redoing finished runs, and a failing run reaching the caller.
#include "simulator/experiments/sweep_runner.hpp"

#include "common/errors.hpp"
#include "simulator/experiments/run_table.hpp"
#include "simulator/experiments/simulated_run.hpp"
#include "simulator/experiments/sweep_summary.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace sgprs::exp {
namespace {

namespace fs = std::filesystem;
const std::string kExperimentsDir = std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments/";

PreparedExperiment prepared() {
  return prepare_experiment(read_experiment(kExperimentsDir + "identical.json"), {"sgprs", "naive", "sequential", "static"});
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Deterministic metrics from the key; uneven sleeps make threads finish out of order.
RunFunction fake_run(const PreparedExperiment& prep, std::atomic<int>* calls = nullptr) {
  return [&prep, calls](const RunKey& key) {
    if (calls) ++*calls;
    std::this_thread::sleep_for(std::chrono::microseconds(200 * ((key.index * 7) % 5)));
    const auto n = static_cast<std::int64_t>(prep.loads[key.load]);
    RunMetrics m;
    m.jobs_released = 20 * n;
    m.jobs_completed = 20 * n - static_cast<std::int64_t>(key.scheduler) * n;
    m.jobs_on_time = m.jobs_completed - key.repetition;
    m.miss_ratio = static_cast<double>(m.jobs_released - m.jobs_on_time) / static_cast<double>(m.jobs_released);
    m.throughput_jobs_per_s = static_cast<double>(m.jobs_completed) / 0.02;
    m.events_processed = static_cast<std::int64_t>(prep.seeds[prep.set_index(key.load, key.repetition)] % 1000);
    return m;
  };
}

class SweepRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sgprs-sweep-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  SweepOptions options(const std::string& sub, int jobs) {
    SweepOptions o;
    o.out_dir = (root_ / sub).string();
    o.jobs = jobs;
    o.progress = false;
    return o;
  }
  fs::path root_;
};

TEST_F(SweepRunner, RunsCsvIsIdenticalForOneAndTwoThreads) {
  const PreparedExperiment prep = prepared();
  run_sweep(prep, options("one", 1), fake_run(prep));
  const SweepResult two = run_sweep(prep, options("two", 2), fake_run(prep));
  EXPECT_EQ(two.threads, 2);
  const std::string a = slurp(root_ / "one" / "runs.csv");
  EXPECT_EQ(a, slurp(root_ / "two" / "runs.csv"));
  EXPECT_EQ(slurp(root_ / "one" / "summary.csv"), slurp(root_ / "two" / "summary.csv"));
  // Header + 24 runs, in the canonical order: first layout, first scheduler, load 1, repetition 0.
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 25);
  EXPECT_NE(a.find("\ntiny-identical,equal:2:1.0x,sgprs,1,0,"), std::string::npos);
}

TEST_F(SweepRunner, SimulatedSweepIsIdenticalForOneAndTwoThreads) {
  // The same promise end to end, with the real simulator on the tiny test data.
  for (const char* file : {"identical.json", "random.json"}) {
    const PreparedExperiment prep = prepare_experiment(read_experiment(kExperimentsDir + file), simulator_scheduler_names());
    const RunFunction run = make_simulated_run(prep);
    run_sweep(prep, options("one", 1), run);
    run_sweep(prep, options("two", 2), run);
    const std::string a = slurp(root_ / "one" / "runs.csv");
    EXPECT_EQ(a, slurp(root_ / "two" / "runs.csv")) << file;
    EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), static_cast<std::ptrdiff_t>(prep.runs() + 1)) << file;
  }
}

TEST_F(SweepRunner, IdenticalRunsAreSimulatedOnceWithTheSameRows) {
  // identical.json: naive replaces both layouts (equal and stepwise, 2 partitions)
  // by two whole-GPU partitions, so its 6 task sets x 2 layouts are 6 distinct
  // runs; sgprs sees two different pools: 12. 18 of the 24 runs are simulated.
  const PreparedExperiment prep = prepare_experiment(read_experiment(kExperimentsDir + "identical.json"), simulator_scheduler_names());
  const RunFunction run = make_simulated_run(prep);
  const SweepResult all = run_sweep(prep, options("all", 2), run);
  const SweepResult shared = run_sweep(prep, options("shared", 2), run, make_simulated_signature(prep));
  EXPECT_EQ(all.runs_simulated, 24u);
  EXPECT_EQ(shared.runs_simulated, 18u);
  EXPECT_EQ(shared.runs_executed, 24u);
  EXPECT_EQ(slurp(root_ / "all" / "runs.csv"), slurp(root_ / "shared" / "runs.csv"));
}

TEST_F(SweepRunner, ResumeRunsOnlyWhatIsMissing) {
  const PreparedExperiment prep = prepared();
  run_sweep(prep, options("whole", 2), fake_run(prep));

  // An interrupted sweep: the 10th run to start fails, after some rows are written.
  std::atomic<int> started{0};
  const RunFunction ok = fake_run(prep);
  const RunFunction dies = [&](const RunKey& key) {
    if (++started == 10) throw std::runtime_error("interrupted");
    return ok(key);
  };
  EXPECT_THROW(run_sweep(prep, options("cut", 1), dies), std::runtime_error);
  const std::string partial = slurp(root_ / "cut" / "runs.csv");
  const auto kept = std::count(partial.begin(), partial.end(), '\n') - 1;
  EXPECT_EQ(kept, 9);

  std::atomic<int> calls{0};
  SweepOptions resume = options("cut", 2);
  resume.resume = true;
  const SweepResult r = run_sweep(prep, resume, fake_run(prep, &calls));
  EXPECT_EQ(r.runs_resumed, 9u);
  EXPECT_EQ(calls.load(), 24 - 9);
  EXPECT_EQ(slurp(root_ / "cut" / "runs.csv"), slurp(root_ / "whole" / "runs.csv"));

  // Resuming a finished sweep runs nothing.
  calls = 0;
  run_sweep(prep, resume, fake_run(prep, &calls));
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(SweepRunner, ResumeRefusesAnotherExperimentsFolder) {
  const PreparedExperiment prep = prepared();
  run_sweep(prep, options("x", 1), fake_run(prep));
  PreparedExperiment other = prepare_experiment(read_experiment(kExperimentsDir + "random.json"), {"sgprs"});
  SweepOptions o = options("x", 1);
  o.resume = true;
  EXPECT_THROW(run_sweep(other, o, fake_run(other)), InputError);
}

TEST_F(SweepRunner, CutLastLineIsIgnoredOnResume) {
  const PreparedExperiment prep = prepared();
  run_sweep(prep, options("x", 1), fake_run(prep));
  // Chop the file inside its last row, as a kill during a write would.
  const fs::path runs = root_ / "x" / "runs.csv";
  std::string text = slurp(runs);
  text.resize(text.size() - 10);
  std::ofstream(runs, std::ios::trunc) << text;
  std::atomic<int> calls{0};
  SweepOptions o = options("x", 1);
  o.resume = true;
  run_sweep(prep, o, fake_run(prep, &calls));
  EXPECT_EQ(calls.load(), 1);
}

TEST(SweepSummary, MeanCiAndSchedulabilityPerGroup) {
  // Two repetitions of one point: throughputs 100 and 200, one of them miss-free.
  RunRow a, b;
  a.layout = b.layout = "full";
  a.scheduler = b.scheduler = "sgprs";
  a.load = b.load = "3";
  a.bound_jobs_per_s = b.bound_jobs_per_s = 300;
  a.metrics.throughput_jobs_per_s = 100;
  b.metrics.throughput_jobs_per_s = 200;
  b.repetition = 1;
  b.metrics.miss_ratio = 0.25;
  const auto rows = summarise({a, b});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].throughput.mean, 150);
  // sd = 70.71; t(1 dof) = 12.706; half-width = 12.706 x 70.71 / sqrt(2) = 635.3
  EXPECT_NEAR(rows[0].throughput.half_width, 635.3, 0.1);
  EXPECT_DOUBLE_EQ(rows[0].schedulability_ratio, 0.5);
  EXPECT_DOUBLE_EQ(rows[0].share_of_bound, 0.5);
  EXPECT_DOUBLE_EQ(rows[0].miss_ratio.mean, 0.125);
}

TEST(RunTable, RowRoundTripsThroughCsv) {
  RunRow r;
  r.experiment = "has,comma";
  r.layout = "equal:2:1.0x";
  r.scheduler = "sgprs \"edf\"";
  r.load = "0.35";
  r.seed = 18446744073709551615ull;
  r.utilisation = 0.123456789012;
  r.metrics.jobs_aborted = 4;
  r.metrics.throughput_jobs_per_s = 612.5;
  const auto back = parse_run_row(format_run_row(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(format_run_row(*back), format_run_row(r));
  EXPECT_EQ(back->experiment, "has,comma");
  EXPECT_EQ(back->scheduler, "sgprs \"edf\"");
  EXPECT_EQ(back->seed, r.seed);
  EXPECT_FALSE(parse_run_row("a,b,c").has_value());
}

TEST(RunTable, RowsReadBackExactlySoResumedSummariesMatchFreshOnes) {
  // 2 / 3 and 1e5 / 3 need 16-17 significant digits; 10 would lose the last bits, and a resumed
  // sweep (which reads its finished rows back) would then aggregate other means than a fresh one.
  RunRow row;
  row.experiment = "e";
  row.layout = "equal:2:1.0x";
  row.scheduler = "sgprs";
  row.load = "17";
  row.utilisation = 2.0 / 3.0;
  row.offered_jobs_per_s = 510.0;
  row.bound_jobs_per_s = 1e5 / 3.0;
  row.metrics.miss_ratio = 1.0 / 7.0;
  row.metrics.throughput_jobs_per_s = 2963.7000000000003;
  row.metrics.on_time_jobs_per_s = 0.1;
  const std::string line = format_run_row(row);
  const std::optional<RunRow> back = parse_run_row(line);
  ASSERT_TRUE(back.has_value()) << line;
  EXPECT_EQ(back->utilisation, row.utilisation) << line;
  EXPECT_EQ(back->bound_jobs_per_s, row.bound_jobs_per_s) << line;
  EXPECT_EQ(back->metrics.miss_ratio, row.metrics.miss_ratio) << line;
  EXPECT_EQ(back->metrics.throughput_jobs_per_s, row.metrics.throughput_jobs_per_s) << line;
  // Values that 10 digits hold stay short.
  EXPECT_NE(line.find(",510,"), std::string::npos) << line;
  EXPECT_NE(line.find(",0.1,"), std::string::npos) << line;
}

}  // namespace
}  // namespace sgprs::exp

namespace sgprs::exp {
namespace {

// The shard rule (sweep_shard.hpp) on a grid of 3 layouts x 2 schedulers x 5 loads x 4 repetitions:
// 40 groups of 3 runs. Every run is in exactly one shard, a group never spans two shards, and the
// shards' sizes differ by at most one group.
TEST(SweepShard, PartitionIsExactBalancedAndKeepsLayoutTwinsTogether) {
  const RunGrid grid{3, 2, 5, 4};
  for (int count : {1, 3, 4, 7, 40, 41}) {
    std::vector<int> shard_of_run;
    std::map<std::tuple<std::size_t, std::size_t, int>, int> shard_of_group;
    std::vector<std::size_t> sizes(static_cast<std::size_t>(count), 0);
    for (std::size_t l = 0; l < grid.layouts; ++l)
      for (std::size_t s = 0; s < grid.schedulers; ++s)
        for (std::size_t load = 0; load < grid.loads; ++load)
          for (int rep = 0; rep < grid.repetitions; ++rep) {
            const int shard = shard_of(grid, RunKey{0, l, s, load, rep}, count);
            ASSERT_GE(shard, 0);
            ASSERT_LT(shard, count);
            ++sizes[static_cast<std::size_t>(shard)];
            const auto [it, fresh] = shard_of_group.emplace(std::tuple{s, load, rep}, shard);
            EXPECT_EQ(it->second, shard) << "layout twins split across shards";
          }
    const auto [smallest, largest] = std::minmax_element(sizes.begin(), sizes.end());
    EXPECT_LE(*largest - *smallest, grid.layouts) << count << " shards";
    std::size_t total = 0;
    for (std::size_t n : sizes) total += n;
    EXPECT_EQ(total, 120u);
  }
  // 4 shards divide the 4 repetitions: each shard holds one task set of every (scheduler, load).
  for (std::size_t s = 0; s < grid.schedulers; ++s)
    for (std::size_t load = 0; load < grid.loads; ++load) {
      std::set<int> shards;
      for (int rep = 0; rep < grid.repetitions; ++rep) shards.insert(shard_of(grid, RunKey{0, 0, s, load, rep}, 4));
      EXPECT_EQ(shards.size(), 4u);
    }
}

TEST(SweepShard, ParsesIOfNAndRejectsTheRest) {
  const ShardSpec spec = parse_shard("2/5", "--shard");
  EXPECT_EQ(spec.index, 2);
  EXPECT_EQ(spec.count, 5);
  EXPECT_EQ(spec.text(), "2/5");
  for (const char* bad : {"5/5", "2", "2/", "/5", "x/5", "2/5/1", "-1/5", "0/0", " 1/2"})
    EXPECT_THROW(parse_shard(bad, "--shard"), InputError) << bad;
}

// Shards of a sweep hold the unsharded sweep's rows, each once, in the canonical order.
TEST_F(SweepRunner, ShardsWriteTheWholeSweepsRowsOnce) {
  const PreparedExperiment prep = prepared();
  run_sweep(prep, options("whole", 2), fake_run(prep));
  std::istringstream whole(slurp(root_ / "whole" / "runs.csv"));
  std::string line;
  std::getline(whole, line);
  std::vector<std::string> expected;
  while (std::getline(whole, line)) expected.push_back(line);
  std::vector<std::string> from_shards;
  for (int i = 0; i < 3; ++i) {
    SweepOptions o = options("shard" + std::to_string(i), 1);
    o.shard = ShardSpec{i, 3};
    const SweepResult r = run_sweep(prep, o, fake_run(prep));
    EXPECT_EQ(r.runs_total, shard_runs(prep, o.shard).size());
    EXPECT_FALSE(fs::exists(root_ / ("shard" + std::to_string(i)) / "summary.csv"));
    const Json record = Json::parse(slurp(root_ / ("shard" + std::to_string(i)) / "shard.json"));
    EXPECT_EQ(record["shard"]["index"], i);
    EXPECT_EQ(record["runs"], r.runs_total);
    std::istringstream rows(slurp(root_ / ("shard" + std::to_string(i)) / "runs.csv"));
    std::getline(rows, line);
    std::vector<std::string> own;
    while (std::getline(rows, line)) own.push_back(line);
    EXPECT_TRUE(std::is_sorted(own.begin(), own.end(), [&](const std::string& a, const std::string& b) {
      return std::find(expected.begin(), expected.end(), a) < std::find(expected.begin(), expected.end(), b);
    })) << "a shard's rows keep the canonical order";
    from_shards.insert(from_shards.end(), own.begin(), own.end());
  }
  std::sort(from_shards.begin(), from_shards.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(from_shards, expected);
}

}  // namespace
}  // namespace sgprs::exp
