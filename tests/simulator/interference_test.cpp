// The interference rule (sim/interference.hpp) and the per-stage host overhead of the simulated
// platform (RunOptions::stage_overhead_ns), on hand-worked cases. Profiles here are synthetic.
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/interference.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::sim {
namespace {

/// Test GPU (16 SMs, 4 pieces of 4); stage a: 2000 ns isolated / 4000 ns occupied at 8 SMs, measured
/// beside a background of 16 SMs at 8 SMs covering the whole measurement (B = 16), 8 SMs covering
/// half of it at 4 SMs (B = 4), none at 16.
Profile interference_profile() {
  return Profile::from_json(Json::parse(R"({"schema": "sgprs.profile/1",
    "device": {"name": "test", "sm_count": 16, "piece_sms": 4, "pieces": 4, "remainder_sms": 0},
    "sm_counts": [4, 8, 12, 16], "occupied_background_sms": [8, 16, 4, 0],
    "models": [{"name": "m", "stages": [{"name": "a",
      "median_ns": [4000, 2000, 2000, 1000], "occupied_median_ns": [8000, 4000, 4000, 2000],
      "occupied_background_coverage": [0.5, 1.0, 1.0, -1]}]}]})"),
                            "interference-test");
}

Layout two_halves() {
  Layout layout;
  layout.name = "halves";
  layout.max_parallel = 1;
  layout.partitions = {Partition{"p0", 8, {0, 1}}, Partition{"p1", 8, {2, 3}}};
  return layout;
}

TEST(Interference, WeightIsBusySmsElsewhereOverTheMeasuredBackgroundCappedAtOne) {
  const Profile profile = interference_profile();
  const Interference rule(profile, {4, 8, 16});
  EXPECT_TRUE(rule.active());
  EXPECT_DOUBLE_EQ(rule.weight(0, 2), 0.5);   // B(4) = 8 x 0.5 = 4
  EXPECT_DOUBLE_EQ(rule.weight(1, 8), 0.5);   // B(8) = 16
  EXPECT_DOUBLE_EQ(rule.weight(1, 32), 1.0);  // never beyond the occupied time
  EXPECT_DOUBLE_EQ(rule.weight(2, 8), 0.0);   // nothing measured at 16 SMs
  EXPECT_FALSE(Interference(test::test_profile(), {8}).active());  // a profile without a background
}

TEST(Interference, AStageSlowsWhileAnotherPartitionIsBusyAndRecoversAfter) {
  const Profile profile = interference_profile();
  const SpeedupCurve& iso = profile.model("m").find_stage("a")->isolated;
  const SpeedupCurve& occ = profile.model("m").find_stage("a")->occupied;
  const ShareTimeTable iso_table(iso, 16), occ_table(occ, 16);
  const Interference rule(profile, {8, 8});
  GpuModel gpu(two_halves(), profile.gpu());
  gpu.use_interference(&rule);
  gpu.start(0, 0, iso_table, StageTag{0, 0, 0}, &occ_table);
  EXPECT_EQ(gpu.next_finish_ns(), 2000);  // alone on the GPU: isolated
  // At 1000 p1 turns busy: 8 SMs elsewhere, w = 8 / 16 = 0.5, t = 2000 + 0.5 x 2000 = 3000 for both.
  // p0 has half its work left: it ends at 1000 + 0.5 x 3000 = 2500.
  gpu.start(1000, 1, iso_table, StageTag{1, 0, 0}, &occ_table);
  EXPECT_EQ(gpu.next_finish_ns(), 2500);
  EXPECT_EQ(gpu.finish_next(2500).tag.task, 0);
  // p1 did 1500 of 3000 ns (half); alone again it needs 0.5 x 2000 = 1000 more.
  EXPECT_EQ(gpu.next_finish_ns(), 3500);
}

TEST(Interference, StagesWithoutAnOccupiedTableIgnoreIt) {
  const Profile profile = interference_profile();
  const ShareTimeTable iso_table(profile.model("m").find_stage("a")->isolated, 16);
  const Interference rule(profile, {8, 8});
  GpuModel gpu(two_halves(), profile.gpu());
  gpu.use_interference(&rule);
  gpu.start(0, 0, iso_table, StageTag{0, 0, 0});
  gpu.start(0, 1, iso_table, StageTag{1, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 2000);
}

TEST(StageOverhead, EveryUnitReachesTheGpuThatLongAfterItsStart) {
  // chain3 on 8 SMs: a 2000, b 4000, c 1000; 500 ns of host time before each: ends at 8500.
  RunOptions options = test::isolated_options("static", 1);
  options.stage_overhead_ns = 500;
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 100000}]})",
      test::sizes_layout({8}, 1), options);
  EXPECT_EQ(test::only(trace.lines, "finish"),
            (std::vector<std::string>{"2500 finish T a p0", "7000 finish T b p0", "8500 finish T c p0"}));
  EXPECT_EQ(test::only(trace.lines, "end"), std::vector<std::string>{"8500 end T 0 on_time"});
}

TEST(StageOverhead, AnAbortStopsAUnitStillOnItsWayToTheGpu) {
  // Deadline 300: stage a is started at 0 and would reach the GPU at 500; the abort at 300 stops it.
  RunOptions options = test::isolated_options("static", 1);
  options.stage_overhead_ns = 500;
  options.scheduler_options.miss_policy = MissPolicy::kAbort;
  const auto trace = test::run_case(
      R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "T", "model": "chain3", "period_ns": 100000,
          "deadline_ns": 300}]})",
      test::sizes_layout({8}, 1), options);
  EXPECT_EQ(test::only(trace.lines, "cancel"), std::vector<std::string>{"300 cancel T a p0"});
  EXPECT_EQ(test::only(trace.lines, "end"), std::vector<std::string>{"300 end T 0 aborted"});
  EXPECT_TRUE(test::only(trace.lines, "finish").empty());
}

}  // namespace
}  // namespace sgprs::sim
