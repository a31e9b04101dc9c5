// The throughput bound on tests/data/experiments/profile-hand.json (16 SMs,
// measured at 4, 8 and 16 SMs), worked out by hand:
//   tiny.a isolated 4000, 2000, 1000 ns -> s x t = 16000, 16000, 16000 SM ns: best 4 SMs (tie: smaller)
//   tiny.b isolated 8000, 5000, 4000 ns -> 32000, 40000, 64000 SM ns:        best 4 SMs
//   W_tiny = 48000 SM ns = 4.8e-5 SM s  -> one model alone: 16 / 4.8e-5 = 333333.3 jobs/s
//   wide.c isolated 3000, 1000, 600 ns  -> 12000, 8000, 9600 SM ns:          best 8 SMs, W_wide = 8e-6 SM s
//   tiny.a occupied 8000, 4000, 2000    -> 32000 SM ns each, so with occupied times W_tiny = 64000 SM ns
#include "simulator/experiments/throughput_bound.hpp"

#include "common/errors.hpp"
#include "simulator/experiments/simulation.hpp"

#include <gtest/gtest.h>

namespace sgprs::exp {
namespace {

Profile load_hand_profile() { return Profile::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments/profile-hand.json"); }

Task task(const std::string& model, Ns period) { return Task{model, model, period, period, 0, Priority::kLow}; }

TEST(ThroughputBound, MostEfficientPointIsTheLeastSmSeconds) {
  const Profile p = load_hand_profile();
  const EfficientPoint b = most_efficient_point(p.model("tiny").stages[1].isolated);
  EXPECT_EQ(b.sms, 4);
  EXPECT_EQ(b.time_ns, 8000);
  EXPECT_DOUBLE_EQ(b.sm_seconds, 32000e-9);
  EXPECT_EQ(most_efficient_point(p.model("tiny").stages[0].isolated).sms, 4);  // a three-way tie
  EXPECT_EQ(most_efficient_point(p.model("wide").stages[0].isolated).sms, 8);
}

TEST(ThroughputBound, JobCostSumsTheStagesCheapestRuns) {
  const Profile p = load_hand_profile();
  EXPECT_NEAR(min_sm_seconds_per_job(p.model("tiny")), 48000e-9, 1e-15);
  EXPECT_NEAR(min_sm_seconds_per_job(p.model("tiny"), ProfileTimes::kOccupied), 64000e-9, 1e-15);
  EXPECT_NEAR(min_sm_seconds_per_job(p.model("wide")), 8000e-9, 1e-15);
}

TEST(ThroughputBound, IdenticalCopiesOfOneModel) {
  // 10 tiny tasks at 1 ms: offered 10000 jobs/s, L = 10000 x 4.8e-5 = 0.48 SMs,
  // alpha* = 16 / 0.48 = 33.33, max = 333333.3 jobs/s, sustainable = offered.
  const Profile p = load_hand_profile();
  const std::vector<Task> tasks(10, task("tiny", 1'000'000));
  const ThroughputBound b = throughput_bound(p, tasks);
  EXPECT_NEAR(b.offered_jobs_per_s, 10000, 1e-6);
  EXPECT_NEAR(b.offered_sms, 0.48, 1e-12);
  EXPECT_NEAR(b.max_scale, 100.0 / 3, 1e-9);
  EXPECT_NEAR(b.max_jobs_per_s, 1e6 / 3, 1e-3);
  EXPECT_NEAR(b.sustainable_jobs_per_s, 10000, 1e-6);
  // N <= 16 / (4.8e-5 x 1000) = 333.3.
  EXPECT_EQ(max_identical_tasks(p, "tiny", 1'000'000), 333);
}

TEST(ThroughputBound, OverloadIsCappedAtTheBound) {
  // 400 tiny tasks at 1 ms offer 400000 jobs/s, more than 333333.3: the bound caps it.
  const Profile p = load_hand_profile();
  const ThroughputBound b = throughput_bound(p, std::vector<Task>(400, task("tiny", 1'000'000)));
  EXPECT_NEAR(b.sustainable_jobs_per_s, 1e6 / 3, 1e-3);
  EXPECT_NEAR(b.max_scale, 16.0 / 19.2, 1e-12);
}

TEST(ThroughputBound, MixScalesTheWholeOfferedLoad) {
  // tiny every 1 ms (1000/s) + wide every 0.5 ms (2000/s): offered 3000 jobs/s,
  // L = 1000 x 4.8e-5 + 2000 x 8e-6 = 0.064 SMs, alpha* = 250, max = 750000 jobs/s.
  const Profile p = load_hand_profile();
  const ThroughputBound b = throughput_bound(p, {task("tiny", 1'000'000), task("wide", 500'000)});
  EXPECT_NEAR(b.offered_jobs_per_s, 3000, 1e-9);
  EXPECT_NEAR(b.offered_sms, 0.064, 1e-12);
  EXPECT_NEAR(b.max_scale, 250, 1e-9);
  EXPECT_NEAR(b.max_jobs_per_s, 750000, 1e-6);
}

TEST(ThroughputBound, ExactFitDoesNotRoundDown) {
  // tiny every 3 us: one task keeps 4.8e-5 / 3e-6 = 16 SMs busy, exactly the GPU.
  EXPECT_EQ(max_identical_tasks(load_hand_profile(), "tiny", 3'000), 1);
}

TEST(ThroughputBound, UnknownModelIsAnInputError) {
  EXPECT_THROW(throughput_bound(load_hand_profile(), {task("vgg", 1'000'000)}), InputError);
}

TEST(ThroughputBound, ForAWorkloadAsSimulateSeesIt) {
  // 3 tiny copies at 1 ms + 1 wide at 0.5 ms: offered 5000 jobs/s, L = 3000 x 4.8e-5 + 2000 x 8e-6
  // = 0.16 SMs, alpha* = 100, so the mix could complete 500000 jobs/s.
  const Profile p = load_hand_profile();
  TaskSet set;
  set.source = "test";
  set.specs.push_back(TaskSpec{"t", "tiny", 1'000'000, 1'000'000, 0, false, Priority::kLow, 3});
  set.specs.push_back(TaskSpec{"w", "wide", 500'000, 500'000, 0, false, Priority::kLow, 1});
  const sim::Workload work =
      sim::make_workload(set, p, std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments/models", 1);
  EXPECT_NEAR(throughput_bound_jobs_per_s(p, work), 500000, 1e-6);
}

TEST(ThroughputBound, EmptyTaskSetIsZero) {
  const ThroughputBound b = throughput_bound(load_hand_profile(), {});
  EXPECT_EQ(b.max_jobs_per_s, 0);
  EXPECT_EQ(b.sustainable_jobs_per_s, 0);
}

}  // namespace
}  // namespace sgprs::exp
