// Properties of every run, on random task sets and layouts drawn from a seed and run through
// the public simulate(): whatever the scheduler, layout, periods or offsets, no stage starts
// before its job's release, no partition runs more stages than its slots, a partition is busy
// at most the whole run (and disjoint partitions at most the GPU's SMs), no more jobs complete
// than are released, and the same seed gives the same event log byte for byte.
#include "common/errors.hpp"
#include "common/rng.hpp"
#include "common/taskset.hpp"
#include "sim_test_support.hpp"
#include "simulator/outputs/event_log_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace sgprs::sim {
namespace {

/// Checks the stream as it goes and keeps the per-partition busy time (union of its stage runs).
class InvariantObserver final : public Observer {
 public:
  void on_run_start(const RunInfo& info) override {
    info_ = info;
    running_.assign(info.partition_names.size(), 0);
    busy_since_.assign(info.partition_names.size(), -1);
    busy_ns_.assign(info.partition_names.size(), 0);
  }
  void on_event(const RunEvent& e) override {
    ASSERT_GE(e.time_ns, last_ns_) << "events out of time order";
    last_ns_ = e.time_ns;
    const auto job = std::make_pair(e.task, e.job);
    switch (e.kind) {
      case EventKind::kRelease:
        EXPECT_TRUE(released_.emplace(job, e.release_ns).second) << "job released twice";
        EXPECT_GE(e.time_ns, e.release_ns);
        break;
      case EventKind::kStart: {
        ASSERT_TRUE(released_.count(job)) << "a stage of a job never released started";
        EXPECT_GE(e.time_ns, released_.at(job)) << "stage started before its job's release";
        const auto p = static_cast<std::size_t>(e.partition);
        EXPECT_LT(running_[p], info_.max_parallel) << "partition " << p << " over its slots at " << e.time_ns;
        if (running_[p]++ == 0) busy_since_[p] = e.time_ns;
        break;
      }
      case EventKind::kFinish:
      case EventKind::kCancel: {
        const auto p = static_cast<std::size_t>(e.partition);
        ASSERT_GT(running_[p], 0) << "a stage finished on an idle partition";
        if (--running_[p] == 0) busy_ns_[p] += e.time_ns - busy_since_[p];
        break;
      }
      case EventKind::kSkip:  // counted as released (and missed) without a release event
        ++skipped_;
        break;
      case EventKind::kJobEnd:
        EXPECT_TRUE(released_.count(job)) << "a job that was never released ended";
        EXPECT_TRUE(ended_.insert(job).second) << "a job ended twice";
        if (e.outcome != JobOutcome::kAborted) ++completed_;
        break;
      default:
        break;
    }
  }

  RunInfo info_;
  Ns last_ns_ = 0;
  std::map<std::pair<int, std::int64_t>, Ns> released_;
  std::set<std::pair<int, std::int64_t>> ended_;
  std::int64_t completed_ = 0;
  std::int64_t skipped_ = 0;
  std::vector<int> running_;
  std::vector<Ns> busy_since_;
  std::vector<Ns> busy_ns_;
};

/// A task set of 1-5 entries over the test models, periods 20 us .. 2 ms, deadlines 0.5-1 x T.
std::string random_taskset(Rng& rng) {
  const char* models[] = {"chain3", "forkjoin", "resnetlike"};
  Json tasks = Json::array();
  const auto entries = rng.uniform_int(1, 5);
  for (std::int64_t i = 0; i < entries; ++i) {
    const std::string model = models[rng.uniform_int(0, 2)];
    const Ns period = model == "resnetlike" ? rng.uniform_int(2'000'000, 6'000'000) : rng.uniform_int(20'000, 2'000'000);
    Json task{{"name", "t" + std::to_string(i)}, {"model", model}, {"period_ns", period},
              {"deadline_ns", static_cast<Ns>(static_cast<double>(period) * rng.uniform(0.5, 1.0))},
              {"count", rng.uniform_int(1, 4)}};
    if (rng.uniform01() < 0.5) task["offset_ns"] = "random";
    else task["offset_ns"] = rng.uniform_int(0, period);
    tasks.push_back(task);
  }
  return Json{{"schema", "sgprs.taskset/1"}, {"name", "random"}, {"tasks", tasks}}.dump();
}

struct Drawn {
  Workload workload;
  Layout layout;
  RunOptions options;
  bool disjoint = false;
};

Drawn draw_run(std::uint64_t seed) {
  Rng rng(seed);
  const std::string text = random_taskset(rng);
  const TaskSet set = TaskSet::from_json(Json::parse(text), "random.json");
  const char* layouts[] = {"full", "equal:2:1.0x", "stepwise:2:1.0x", "equal:4:1.0x", "equal:2:1.5x", "equal:3:2.0x"};
  const std::size_t which = static_cast<std::size_t>(rng.uniform_int(0, 5));
  Drawn d{make_workload(set, test::test_profile(), test::test_models_dir(), seed),
          parse_layout(layouts[which], test::test_profile().gpu(), static_cast<int>(rng.uniform_int(1, 3))), {}, which < 4};
  const std::vector<std::string> schedulers = scheduler_names();
  d.options.scheduler = schedulers[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(schedulers.size()) - 1))];
  d.options.duration_ns = rng.uniform_int(1'000'000, 8'000'000);
  d.options.seed = seed;
  return d;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SimulatorProperties, HoldOnRandomTaskSetsAndLayouts) {
  int runs = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Drawn d = draw_run(seed);
    InvariantObserver check;
    Summary summary;
    try {
      summary = simulate(test::test_profile(), d.workload, d.layout, d.options, {&check});
    } catch (const InputError& e) {
      continue;  // a scheduler that cannot use this layout refuses it before the first event
    }
    ++runs;
    EXPECT_LE(summary.jobs_completed, summary.jobs_released);
    EXPECT_LE(summary.jobs_on_time, summary.jobs_completed);
    EXPECT_EQ(static_cast<std::int64_t>(check.released_.size()) + check.skipped_, summary.jobs_released);
    EXPECT_EQ(check.skipped_, summary.jobs_skipped);
    EXPECT_EQ(check.completed_, summary.jobs_completed);
    Ns sm_busy = 0;
    for (std::size_t p = 0; p < check.busy_ns_.size(); ++p) {
      EXPECT_EQ(check.running_[p], 0) << "stages still running after the run";
      EXPECT_LE(check.busy_ns_[p], check.last_ns_) << "partition busy longer than the run";
      EXPECT_GE(summary.partitions[p].busy_fraction, 0.0);
      EXPECT_LE(summary.partitions[p].busy_fraction, 1.0);
      sm_busy += check.busy_ns_[p] * summary.partitions[p].sms;
    }
    // naive and streams run on whole-GPU partitions of their own (overlapping), not the drawn layout.
    const bool runs_drawn_layout = d.options.scheduler != "naive" && d.options.scheduler != "streams";
    if (d.disjoint && runs_drawn_layout) {
      EXPECT_LE(sm_busy, check.last_ns_ * test::test_profile().gpu().sm_count);
    }
  }
  EXPECT_GE(runs, 30) << "most draws must run, or the properties were barely exercised";
}

TEST(SimulatorProperties, SameSeedSameEventLogBytes) {
  const std::string dir = ::testing::TempDir();
  for (std::uint64_t seed : {3u, 11u, 29u}) {
    std::vector<std::string> logs;
    for (int copy = 0; copy < 2; ++copy) {
      const Drawn d = draw_run(seed);
      const std::string path = dir + "sgprs-property-" + std::to_string(seed) + "-" + std::to_string(copy) + ".jsonl";
      EventLogWriter log(path);
      try {
        simulate(test::test_profile(), d.workload, d.layout, d.options, {&log});
      } catch (const InputError&) {
        break;
      }
      log.commit();
      logs.push_back(slurp(path));
      std::filesystem::remove(path);
    }
    if (logs.size() == 2) {
      EXPECT_GT(logs[0].size(), 100u);
      EXPECT_EQ(logs[0], logs[1]) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace sgprs::sim
