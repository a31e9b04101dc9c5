// Chained stages (sgprs-best's moldable blocks with `chain`) on random task sets, in both abort
// worlds of the run core: a platform that stops running units (the simulator's) and one that
// cannot (a GPU's: a chained stage already on its block's stream runs even when its job is
// dropped, core/run_core.hpp). Stages run 0.8-1.6x their predicted times, so jobs fall late and
// are dropped while a successor waits behind them. Whatever happens: no two running units share a
// piece of the GPU, every released job ends exactly once, the run ends with nothing running (the
// scripted platform calls RunCore::check_ended), and chaining and drops both happen (on seeds 1-24:
// 12,618 chained starts, 1,699 jobs dropped, 4 chained stages run after their dropped job's
// deadline on the GPU's side).
#include "common/rng.hpp"
#include "common/taskset.hpp"
#include "scripted_platform.hpp"
#include "sim_test_support.hpp"
#include "simulator/policy/planned_run.hpp"
#include "simulator/policy/registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace sgprs::sim::test {
namespace {

/// Checks that the blocks of running units never share a piece, and that every job ends once.
class BlockObserver final : public Observer {
 public:
  explicit BlockObserver(const Layout& pool) : pool_(pool) {}
  void on_event(const RunEvent& e) override {
    const auto job = std::make_pair(e.task, e.job);
    switch (e.kind) {
      case EventKind::kRelease: released.insert(job); break;
      case EventKind::kStart:
        for (int piece : pool_.partitions[static_cast<std::size_t>(e.partition)].pieces)
          EXPECT_TRUE(busy_pieces_.insert(piece).second)
              << "piece " << piece << " of two running units at " << e.time_ns << " (task " << e.task << ")";
        queued_starts += e.queued;
        committed_after_drop += e.queued && e.time_ns > e.deadline_ns;  // its job was dropped at its deadline
        break;
      case EventKind::kFinish:
      case EventKind::kCancel:
        for (int piece : pool_.partitions[static_cast<std::size_t>(e.partition)].pieces) busy_pieces_.erase(piece);
        break;
      case EventKind::kJobEnd:
        EXPECT_TRUE(ended.insert(job).second) << "a job ended twice";
        aborted += e.outcome == JobOutcome::kAborted;
        break;
      default: break;
    }
  }
  std::set<std::pair<int, std::int64_t>> released, ended;
  int queued_starts = 0;
  int committed_after_drop = 0;
  int aborted = 0;
  std::size_t still_busy() const { return busy_pieces_.size(); }

 private:
  const Layout& pool_;
  std::set<int> busy_pieces_;
};

std::string random_taskset(Rng& rng) {
  const char* models[] = {"chain3", "resnetlike"};
  Json tasks = Json::array();
  const auto entries = rng.uniform_int(2, 5);
  for (std::int64_t i = 0; i < entries; ++i) {
    const std::string model = models[rng.uniform_int(0, 1)];
    const Ns period = model == "resnetlike" ? rng.uniform_int(2'000'000, 6'000'000) : rng.uniform_int(20'000, 400'000);
    tasks.push_back(Json{{"name", "t" + std::to_string(i)}, {"model", model}, {"period_ns", period},
                         {"deadline_ns", static_cast<Ns>(static_cast<double>(period) * rng.uniform(0.4, 1.0))},
                         {"count", rng.uniform_int(1, 3)}, {"offset_ns", "random"}});
  }
  return Json{{"schema", "sgprs.taskset/1"}, {"name", "random"}, {"tasks", tasks}}.dump();
}

TEST(ChainedStages, BlocksNeverOverlapAndEveryJobEndsOnceWhetherOrNotUnitsCanBeStopped) {
  int queued_starts = 0, aborted = 0, runs = 0, committed_after_drop = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    for (const bool can_stop : {true, false}) {
      SCOPED_TRACE("seed " + std::to_string(seed) + (can_stop ? ", stoppable" : ", a GPU"));
      Rng rng(seed);
      const TaskSet set = TaskSet::from_json(Json::parse(random_taskset(rng)), "random.json");
      const Workload workload = make_workload(set, test_profile(), test_models_dir(), seed);
      SchedulerOptions options = scheduler_default_options("sgprs-best");
      set_scheduler_option(options, "slot_sms", "moldable", "test");
      set_scheduler_option(options, "block_sms", rng.uniform01() < 0.5 ? "4" : "deadlines", "test");
      set_scheduler_option(options, "chain", rng.uniform01() < 0.5 ? "slack" : "always", "test");
      set_scheduler_option(options, "drop_hopeless", rng.uniform01() < 0.5 ? "on" : "slot", "test");
      const double need = rng.uniform01();
      set_scheduler_option(options, "block_need", need < 1.0 / 3 ? "profile" : need < 2.0 / 3 ? "paced" : "paced-model",
                           "test");
      const PlannedRun planned = plan_run(test_profile(), workload, sizes_layout({16}, 1), "sgprs-best", options,
                                          ProfileTimes::kIsolated);
      const PolicyPlan& plan = *planned.plan;
      std::map<int, double> slowness;  // per task: how much slower than predicted its stages run
      for (std::size_t t = 0; t < plan.tasks().size(); ++t) slowness[static_cast<int>(t)] = rng.uniform(0.8, 1.6);
      ScriptedPlatform platform(
          [&](int task, int unit, int partition) {
            const Ns predicted = plan.predicted_ns(plan.tasks()[static_cast<std::size_t>(task)].model, unit, partition);
            return std::max<Ns>(1, static_cast<Ns>(static_cast<double>(predicted) * slowness[task]));
          },
          can_stop);
      BlockObserver check(plan.pool());
      RunCore core(plan, *planned.scheduler, platform, {&check}, rng.uniform_int(2'000'000, 6'000'000));
      platform.run(core);  // throws when a released job never ended
      ++runs;
      EXPECT_EQ(check.ended, check.released);
      EXPECT_EQ(check.still_busy(), 0u);
      queued_starts += check.queued_starts;
      aborted += check.aborted;
      if (can_stop) {
        EXPECT_EQ(check.committed_after_drop, 0) << "a stopped job's chained stage was taken back";
      }
      committed_after_drop += check.committed_after_drop;
    }
  }
  EXPECT_EQ(runs, 48);
  EXPECT_GT(queued_starts, 100) << "chaining was barely exercised";
  EXPECT_GT(aborted, 10) << "drops were barely exercised";
  EXPECT_GT(committed_after_drop, 0) << "no chained stage of a dropped job ran on the GPU's side";
}

}  // namespace
}  // namespace sgprs::sim::test
