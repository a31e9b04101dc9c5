// Stage virtual deadlines (policy/policy_plan.hpp), by hand from tests/data/sim/profile.json.
#include "simulator/policy/policy_plan.hpp"

#include "common/errors.hpp"
#include "common/taskset.hpp"
#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::sim {
namespace {

Workload one_task(const std::string& model, Ns period) {
  const std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": ")" + model +
                         R"(", "period_ns": )" + std::to_string(period) + "}]}";
  return make_workload(TaskSet::from_json(Json::parse(ts), "inline"), test::test_profile(), test::test_models_dir(), 1);
}

TEST(PolicyPlan, ChainDeadlinesSplitTheQuotaByStageTimeOnTheLastPartition) {
  // Pool 4 + 12 SMs; reference = last (12 SMs): C = 2000, 4000, 1000 (sum 7000).
  // Q = 0.99 x 100000 = 99000. S = floor(P x Q / 7000) with P = 2000, 6000, 7000:
  //   S_a = 28285 (28285.7), S_b = 84857 (84857.1), S_c = 99000; r = S_j - S_{j-1}.
  const Workload work = one_task("chain3", 100000);
  const PolicyPlan plan(test::test_profile(), work, test::sizes_layout({4, 12}, 1), false,
                     SchedulerOptions{}, ProfileTimes::kIsolated);
  EXPECT_EQ(plan.reference_partition(), 1);
  EXPECT_EQ(plan.tasks()[0].stage_deadline_offset_ns, (std::vector<Ns>{28285, 84857, 99000}));
  EXPECT_EQ(plan.tasks()[0].stage_slice_ns, (std::vector<Ns>{28285, 56572, 14143}));
  EXPECT_EQ(plan.predicted_ns(0, 1, 0), 8000);  // b at 4 SMs
  EXPECT_EQ(plan.predicted_ns(0, 1, 1), 4000);  // b at 12 SMs
}

TEST(PolicyPlan, OccupiedTimesAndOtherReferencePartitions) {
  // Occupied times are twice the isolated ones for chain3: same proportions,
  // same deadlines, but predictions double. Reference 0 (4 SMs): C = 4000, 8000,
  // 2000 (isolated), again the same proportions.
  const Workload work = one_task("chain3", 100000);
  const PolicyPlan plan(test::test_profile(), work, test::sizes_layout({4, 12}, 1), false, SchedulerOptions{},
                        ProfileTimes::kOccupied);
  EXPECT_EQ(plan.predicted_ns(0, 1, 1), 8000);
  EXPECT_EQ(plan.tasks()[0].stage_deadline_offset_ns, (std::vector<Ns>{28285, 84857, 99000}));
  SchedulerOptions first;
  first.reference_partition = 0;
  EXPECT_EQ(PolicyPlan(test::test_profile(), work, test::sizes_layout({4, 12}, 1), false, first, ProfileTimes::kIsolated)
                .reference_partition(),
            0);
  first.reference_partition = 5;
  EXPECT_THROW(PolicyPlan(test::test_profile(), work, test::sizes_layout({4, 12}, 1), false, first, ProfileTimes::kIsolated),
               InputError);
}

TEST(PolicyPlan, ForkJoinDeadlinesFollowTheHeaviestPath) {
  // forkjoin at 8 SMs: a 1000, b 4000, c 2000, d 1000. Heaviest path ending at
  // each: P_a 1000, P_b 5000, P_c 3000, P_d = 1000 + max(5000, 3000) = 6000 = L.
  // Q = 49500 (0.99 x 50000): S = P x 49500 / 6000 = 8250, 41250, 24750, 49500.
  // r: a 8250, b 41250 - 8250 = 33000, c 24750 - 8250 = 16500, d 49500 - 41250 = 8250.
  const Workload work = one_task("forkjoin", 50000);
  const PolicyPlan plan(test::test_profile(), work, test::sizes_layout({8, 8}, 1), false,
                     SchedulerOptions{}, ProfileTimes::kIsolated);
  EXPECT_EQ(plan.tasks()[0].stage_deadline_offset_ns, (std::vector<Ns>{8250, 41250, 24750, 49500}));
  EXPECT_EQ(plan.tasks()[0].stage_slice_ns, (std::vector<Ns>{8250, 33000, 16500, 8250}));
  const auto& units = plan.models()[0].units;
  EXPECT_EQ(units[0].depth_to_sink, 3);  // a -> b -> d
  EXPECT_EQ(units[2].depth_to_sink, 2);
  EXPECT_EQ(units[3].depth_to_sink, 1);
}

TEST(PolicyPlan, WholeJobUnitSumsTheStages) {
  // chain3 as one unit: 7000 ns at 8 SMs (2000 + 4000 + 1000), 3500 at 16.
  const Workload work = one_task("chain3", 100000);
  const PolicyPlan plan(test::test_profile(), work, test::sizes_layout({8, 16}, 1), true,
                     SchedulerOptions{}, ProfileTimes::kIsolated);
  ASSERT_EQ(plan.models()[0].units.size(), 1u);
  EXPECT_EQ(plan.models()[0].units[0].name, "chain3");
  EXPECT_EQ(plan.predicted_ns(0, 0, 0), 7000);
  EXPECT_EQ(plan.predicted_ns(0, 0, 1), 3500);
}

}  // namespace
}  // namespace sgprs::sim
