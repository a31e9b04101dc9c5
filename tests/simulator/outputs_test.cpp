// The timeline writer: one process per partition, one thread per slot, slices
// of one thread never overlap; the summary table.
#include "simulator/outputs/summary_table.hpp"
#include "simulator/outputs/timeline_writer.hpp"

#include "common/taskset.hpp"
#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace sgprs::sim {
namespace {

TEST(TimelineWriter, ConcurrentStagesOfOnePartitionGetSeparateSlots) {
  // The deferral case (sgprs_scheduler_test.cpp): T0.b runs [1000,4000] and T1.a
  // [2000,4000] side by side on p0; T1.b then reuses the first free slot.
  const TaskSet set = TaskSet::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/taskset-deferral.json");
  const Workload work = make_workload(set, test::test_profile(), test::test_models_dir(), 1);
  const std::string path = ::testing::TempDir() + "sgprs-timeline-slots.json";
  TimelineWriter timeline(path);
  RunOptions options = test::isolated_options("sgprs", 50000);
  options.scheduler_options.no_defer_last = 0;
  simulate(test::test_profile(), work, test::sizes_layout({16}, 2), options, {&timeline});
  timeline.commit();
  std::ifstream in(path);
  const Json trace = Json::parse(in);
  std::map<std::string, std::pair<int, double>> slices;  // name -> (tid, ts)
  std::vector<std::string> process_names;
  std::vector<std::string> jobs;
  for (const Json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "M" && e.at("name") == "process_name") process_names.push_back(e.at("args").at("name"));
    if (e.at("ph") != "X") continue;
    if (e.at("cat") == "job") {  // jobs process: one thread per task
      EXPECT_EQ(e.at("pid"), 2);
      jobs.push_back(e.at("name").get<std::string>() + " @" + std::to_string(e.at("ts").get<double>()));
      continue;
    }
    EXPECT_EQ(e.at("pid"), 1);
    slices[e.at("name").get<std::string>()] = {e.at("tid").get<int>(), e.at("ts").get<double>()};
  }
  EXPECT_EQ(process_names, (std::vector<std::string>{"p0 (16 SMs)", "jobs"}));
  EXPECT_EQ(jobs, (std::vector<std::string>{"T1 #0 on_time @2.000000", "T0 #0 on_time @0.000000"}));
  ASSERT_EQ(slices.size(), 6u);
  EXPECT_EQ(slices["T0/b"], std::make_pair(1, 1.0));  // ts in microseconds
  EXPECT_EQ(slices["T1/a"], std::make_pair(2, 2.0));
  EXPECT_EQ(slices["T1/b"], std::make_pair(1, 4.0));  // T0.b's slot, freed at 4000 first
  EXPECT_EQ(slices["T0/c"], std::make_pair(1, 70.714));
}

// Counts events by kind; says whether it wants decisions.
class KindCounter final : public Observer {
 public:
  explicit KindCounter(bool decisions) : decisions_(decisions) {}
  void on_event(const RunEvent& e) override { ++counts[static_cast<int>(e.kind)]; }
  bool wants_decisions() const override { return decisions_; }
  std::map<int, std::int64_t> counts;

 private:
  bool decisions_;
};

TEST(RunCore, DecisionEventsSkippedOnlyWhenNoObserverWantsThem) {
  const TaskSet set = TaskSet::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/taskset-small.json");
  const Workload work = make_workload(set, test::test_profile(), test::test_models_dir(), 1);
  const RunOptions options = test::isolated_options("sgprs", 2'000'000);
  const Layout layout = test::sizes_layout({8, 8}, 2);
  const auto decision = static_cast<int>(EventKind::kDecision);

  KindCounter without(false);
  const Summary alone = simulate(test::test_profile(), work, layout, options, {&without});
  EXPECT_EQ(without.counts.count(decision), 0u);
  EXPECT_GT(without.counts[static_cast<int>(EventKind::kStart)], 0);

  KindCounter quiet(false), wanting(true);  // one observer that wants them: every observer sees them
  const Summary both = simulate(test::test_profile(), work, layout, options, {&quiet, &wanting});
  EXPECT_GT(wanting.counts[decision], 0);
  EXPECT_EQ(quiet.counts[decision], wanting.counts[decision]);
  // The run and its event count are the same either way.
  EXPECT_EQ(alone.events_processed, both.events_processed);
  EXPECT_EQ(alone.jobs_on_time, both.jobs_on_time);
  std::int64_t seen = 0;
  for (const auto& [kind, n] : wanting.counts) seen += n;
  EXPECT_EQ(seen, both.events_processed);
}

TEST(SummaryTable, HasARowPerTaskAndPartitionAndTheTotals) {
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "cam", "model": "chain3", "period_ns": 2000}]})",
      test::sizes_layout({16}, 1), test::isolated_options("sgprs", 10001));
  const std::string table = format_summary_table(trace.summary);
  EXPECT_NE(table.find("cam"), std::string::npos);
  EXPECT_NE(table.find("p0"), std::string::npos);
  EXPECT_NE(table.find("total: 6 released, 4 completed, 0 on time, 2 skipped, 0 aborted; miss ratio 1.0000"),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace sgprs::sim
