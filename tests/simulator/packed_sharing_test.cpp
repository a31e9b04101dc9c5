// The packed sharing rule (sim/packed_sharing.hpp) on hand-worked cases: its pieces (demand,
// the fractional curve, the whole-GPU saving, the contention table) and the GPU model under it.
// Curves here are synthetic, on a 16-SM test GPU of 4 pieces.
#include "sim_test_support.hpp"
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/packed_sharing.hpp"

#include "common/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

namespace sgprs::sim {
namespace {

const GpuShape kGpu{16, 4, 4, 0};

// Work A = min(4 x 4000, 8 x 2400, 12 x 2000, 16 x 1600) = 16000 SM-ns: demand 10 SMs on 16.
SpeedupCurve small_unit() { return SpeedupCurve({4, 8, 12, 16}, {4000, 2400, 2000, 1600}); }
// A = 32000: demand 16 (all of the GPU).
SpeedupCurve large_unit() { return SpeedupCurve({4, 8, 12, 16}, {8000, 4000, 2800, 2000}); }
// Faster on the whole GPU than its partitioned points lead to: the line through 8 and 12 SMs
// reaches 1600 at 16, the GPU measured 1200, so a unit sharing the whole GPU saves 400.
SpeedupCurve partition_slowed_unit() { return SpeedupCurve({4, 8, 12, 16}, {4000, 2400, 2000, 1200}); }

// A profile of one model "m" on the test GPU, for the calibration files' device and precision checks.
Profile one_model_profile() {
  return Profile::from_json(Json::parse(R"({"schema": "sgprs.profile/1", "precision": "tf32",
    "device": {"name": "test", "sm_count": 16, "piece_sms": 4, "pieces": 4, "remainder_sms": 0},
    "sm_counts": [4, 8, 12, 16],
    "models": [{"name": "m", "stages": [{"name": "a", "median_ns": [4000, 2400, 2000, 1600]}]}]})"),
                            "packed-test");
}


TEST(PackedSharing, DemandIsTheWorkAtTheMostEfficientSizeOverTheTimeAloneCappedAtThePartition) {
  EXPECT_DOUBLE_EQ(unit_demand(small_unit(), 16), 10.0);  // 16000 / 1600
  EXPECT_DOUBLE_EQ(unit_demand(small_unit(), 8), 16000.0 / 2400.0);
  EXPECT_DOUBLE_EQ(unit_demand(large_unit(), 16), 16.0);
  EXPECT_DOUBLE_EQ(unit_demand(small_unit(), 4), 4.0);  // 16000 / 4000 = 4: the whole partition
}

TEST(PackedSharing, FractionalShareJoinsMeasuredPointsLinearlyAndScalesIdeallyBelowTheFirst) {
  EXPECT_EQ(time_at_fractional_share(small_unit(), 8), 2400);
  EXPECT_EQ(time_at_fractional_share(small_unit(), 6), 3200);    // halfway between 4000 and 2400
  EXPECT_EQ(time_at_fractional_share(small_unit(), 10.5), 2150);  // 2400 - 2.5 / 4 x 400
  EXPECT_EQ(time_at_fractional_share(small_unit(), 2), 8000);    // 4000 x 4 / 2
  EXPECT_EQ(time_at_fractional_share(small_unit(), 20), 1600);   // never faster than the last point
}

TEST(PackedSharing, OnlyAUnitOnTheWholeGpuSavesWhatThePartitionCosts) {
  EXPECT_DOUBLE_EQ(whole_gpu_saving_ns(partition_slowed_unit(), 16), 400.0);
  EXPECT_DOUBLE_EQ(whole_gpu_saving_ns(partition_slowed_unit(), 12), 0.0);
  EXPECT_DOUBLE_EQ(whole_gpu_saving_ns(small_unit(), 16), 0.0);  // on the line: nothing saved
  EXPECT_DOUBLE_EQ(whole_gpu_saving_ns(large_unit(), 16), 0.0);  // slower than the line: never negative
}

TEST(PackedSharing, ContentionIsLinearBetweenCalibratedCountsAndFlatBeyond) {
  const SharingContention g({{1, 1.0}, {2, 1.2}, {4, 1.4}});
  EXPECT_DOUBLE_EQ(g.factor(1), 1.0);
  EXPECT_DOUBLE_EQ(g.factor(2), 1.2);
  EXPECT_DOUBLE_EQ(g.factor(3), 1.3);
  EXPECT_DOUBLE_EQ(g.factor(9), 1.4);
  EXPECT_THROW(SharingContention({{2, 1.2}}), std::invalid_argument);             // must start at k = 1
  EXPECT_THROW(SharingContention({{1, 1.1}}), std::invalid_argument);             // with factor 1
  EXPECT_THROW(SharingContention({{1, 1.0}, {4, 1.2}, {3, 1.3}}), std::invalid_argument);
  EXPECT_THROW(SharingContention({{1, 1.0}, {2, -1.0}}), std::invalid_argument);
}

TEST(PackedSharing, CalibrationFileMustComeFromTheProfilesDeviceAndPrecision) {
  const Profile profile = one_model_profile();
  const std::string path = ::testing::TempDir() + "packed_sharing_test.sharing.json";
  const auto write = [&](const std::string& device) {
    std::ofstream(path) << R"({"schema": "sgprs.sharing/1", "device": ")" << device
                        << R"(", "precision": "tf32", "contention": [{"units": 1, "factor": 1.0}, {"units": 2, "factor": 1.25}]})";
  };
  write("test");
  EXPECT_DOUBLE_EQ(SharingContention::load(path, profile).factor(2), 1.25);
  write("another GPU");
  EXPECT_THROW(SharingContention::load(path, profile), InputError);
  std::remove(path.c_str());
}

TEST(PackedSharing, AUnitAloneRunsAsUnderTheEvenSplit) {
  const SpeedupCurve curve = small_unit();
  const ShareTimeTable table(curve, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  GpuModel gpu(test::whole_gpu_streams(2), kGpu);
  gpu.use_packed_sharing(&g);
  gpu.start(0, 0, table, StageTag{0, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 1600);
}

TEST(PackedSharing, EqualUnitsSplitEvenlyAtTheFractionalShareTimesTheContention) {
  const SpeedupCurve curve = small_unit();
  const ShareTimeTable table(curve, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  GpuModel gpu(test::whole_gpu_streams(2), kGpu);
  gpu.use_packed_sharing(&g);
  gpu.start(0, 0, table, StageTag{0, 0, 0});
  gpu.start(0, 1, table, StageTag{1, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 3600);  // 8 SMs each: 2400 x 1.5
  EXPECT_EQ(gpu.finish_next(3600).tag.task, 0);
  EXPECT_EQ(gpu.finish_next(3600).tag.task, 1);
  // Under the even split alone the same pair ends at the curve's 8-SM time.
  GpuModel even(test::whole_gpu_streams(2), kGpu);
  even.start(0, 0, table, StageTag{0, 0, 0});
  even.start(0, 1, table, StageTag{1, 0, 0});
  EXPECT_EQ(even.next_finish_ns(), 2400);
}

TEST(PackedSharing, AUnitWithLargerKernelsTakesMoreOfTheSms) {
  const SpeedupCurve small = small_unit(), large = large_unit();
  const ShareTimeTable small_table(small, 16), large_table(large, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  GpuModel gpu(test::whole_gpu_streams(2), kGpu);
  gpu.use_packed_sharing(&g);
  gpu.start(0, 0, small_table, StageTag{0, 0, 0});
  gpu.start(0, 1, large_table, StageTag{1, 0, 0});
  // Demands 10 and 16: the small unit gets 16 x 10 / 26 = 6.154 SMs, t~ = 4000 - 2.154 / 4 x 1600
  // = 3138 ns (whole ns), x 1.5 = 4707 ns. The large one gets 9.846 SMs: t~ = 4000 - 1.846 / 4 x 1200
  // = 3446 ns, x 1.5 = 5169 ns; at 4707 it has 4707 / 5169 of its work done and finishes alone
  // (2000 ns for all of it) 2000 x 462 / 5169 = 178.8 -> 179 ns later.
  EXPECT_EQ(gpu.next_finish_ns(), 4707);
  EXPECT_EQ(gpu.finish_next(4707).tag.task, 0);
  EXPECT_EQ(gpu.next_finish_ns(), 4707 + 179);
}

TEST(PackedSharing, AModelsShareWeightMovesSmsToItAndEqualWeightsChangeNothing) {
  const SpeedupCurve curve = small_unit();
  const ShareTimeTable table(curve, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  GpuModel gpu(test::whole_gpu_streams(2), kGpu);
  gpu.use_packed_sharing(&g);
  gpu.start(0, 0, table, StageTag{0, 0, 0}, nullptr, 3.0);
  gpu.start(0, 1, table, StageTag{1, 0, 0}, nullptr, 1.0);
  // Weighted demands 30 and 10: 12 and 4 SMs, 2000 x 1.5 = 3000 and 4000 x 1.5 = 6000 ns. At 3000
  // the second has half its work left, which it does alone in 1600 / 2 = 800 ns.
  EXPECT_EQ(gpu.next_finish_ns(), 3000);
  EXPECT_EQ(gpu.finish_next(3000).tag.task, 0);
  EXPECT_EQ(gpu.next_finish_ns(), 3800);
  // Two units of one model weigh alike whatever the weight: 8 SMs each, as without one.
  GpuModel same(test::whole_gpu_streams(2), kGpu);
  same.use_packed_sharing(&g);
  same.start(0, 0, table, StageTag{0, 0, 0}, nullptr, 2.5);
  same.start(0, 1, table, StageTag{1, 0, 0}, nullptr, 2.5);
  EXPECT_EQ(same.next_finish_ns(), 3600);
}

TEST(PackedSharing, CalibrationFileMayCarryEachModelsShareWeight) {
  const Profile profile = one_model_profile();
  const std::string path = ::testing::TempDir() + "packed_sharing_weights_test.sharing.json";
  const auto write = [&](const std::string& weights) {
    std::ofstream(path) << R"({"schema": "sgprs.sharing/1", "device": "test", "precision": "tf32",
      "contention": [{"units": 1, "factor": 1.0}, {"units": 2, "factor": 1.25}])"
                        << weights << "}";
  };
  write("");
  EXPECT_TRUE(SharingCalibration::load(path, profile).share_weights.empty());
  write(R"(, "share_weights": {"m": 0.5, "other": 2.0}, "share_weights_source": "hand-made")");
  const SharingCalibration calibration = SharingCalibration::load(path, profile);
  EXPECT_EQ(calibration.share_weights, (std::map<std::string, double>{{"m", 0.5}, {"other", 2.0}}));
  write(R"(, "share_weights": {"m": 0})");
  try {
    SharingCalibration::load(path, profile);
    ADD_FAILURE() << "a zero weight was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("share_weights.m"), std::string::npos) << e.what();
  }
  write(R"(, "share_weights": [1.0])");
  EXPECT_THROW(SharingCalibration::load(path, profile), InputError);
  std::remove(path.c_str());
}

TEST(PackedSharing, UnitsSharingTheWholeGpuAreSparedThePartitionCost) {
  const SpeedupCurve curve = partition_slowed_unit();
  const ShareTimeTable table(curve, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  GpuModel gpu(test::whole_gpu_streams(2), kGpu);
  gpu.use_packed_sharing(&g);
  gpu.start(0, 0, table, StageTag{0, 0, 0});
  gpu.start(0, 1, table, StageTag{1, 0, 0});
  // Demand 16000 / 1200 = 13.3 each: 8 SMs each, (2400 - 400) x 1.5.
  EXPECT_EQ(gpu.next_finish_ns(), 3000);
}

}  // namespace
}  // namespace sgprs::sim
