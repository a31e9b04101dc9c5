// The spread of shared units' times around the packed rule (sim/sharing_spread.hpp): the quantile
// function by hand, the unit levels, the file's "spread", and the GPU model under it.
#include "sim_test_support.hpp"
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/sharing_spread.hpp"

#include "common/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>

namespace sgprs::sim {
namespace {

const GpuShape kSpreadGpu{16, 4, 4, 0};


// Four quantiles at the levels 0.125, 0.375, 0.625, 0.875.
const SharingSpread kSpread({{2, {0.5, 0.9, 1.1, 2.0}}, {4, {0.25, 0.75, 1.25, 3.0}}});

TEST(SharingSpread, QuantilesJoinLinearlyBetweenTheirLevelsAndStayFlatBeyond) {
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.125), 0.5);
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.25), 0.7);   // halfway from 0.5 to 0.9
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.5), 1.0);    // halfway from 0.9 to 1.1
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.8125), 1.775);  // three quarters from 1.1 to 2.0
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.01), 0.5);   // below the first level: the first
  EXPECT_DOUBLE_EQ(kSpread.factor(2, 0.99), 2.0);   // above the last: the last
}

TEST(SharingSpread, AUnitAloneHasNoneAndCountsBetweenCalibratedOnesJoinLinearly) {
  EXPECT_DOUBLE_EQ(kSpread.factor(1, 0.99), 1.0);
  EXPECT_DOUBLE_EQ(kSpread.factor(0, 0.01), 1.0);
  // k = 3: halfway between k = 2 (0.5) and k = 4 (0.25) at level 0.125.
  EXPECT_DOUBLE_EQ(kSpread.factor(3, 0.125), 0.375);
  EXPECT_DOUBLE_EQ(kSpread.factor(9, 0.875), 3.0);  // beyond the last count: the last
  // Between the implicit k = 1 (factor 1) and the first calibrated count.
  const SharingSpread from_four({{4, {0.4, 1.6}}});
  EXPECT_DOUBLE_EQ(from_four.factor(2, 0.25), 0.8);  // 1 + (0.4 - 1) / 3
  EXPECT_DOUBLE_EQ(SharingSpread().factor(8, 0.9), 1.0);
  EXPECT_FALSE(SharingSpread().active());
}

TEST(SharingSpread, MalformedPointsAreRefused) {
  EXPECT_THROW(SharingSpread({{1, {0.9, 1.1}}}), std::invalid_argument);                       // k = 1
  EXPECT_THROW(SharingSpread({{4, {0.9, 1.1}}, {2, {0.9, 1.1}}}), std::invalid_argument);      // order
  EXPECT_THROW(SharingSpread({{2, {1.0}}}), std::invalid_argument);                            // one quantile
  EXPECT_THROW(SharingSpread({{2, {0.9, 1.1}}, {4, {0.9, 1.0, 1.1}}}), std::invalid_argument);  // counts differ
  EXPECT_THROW(SharingSpread({{2, {1.1, 0.9}}}), std::invalid_argument);                       // decreasing
  EXPECT_THROW(SharingSpread({{2, {0.0, 1.1}}}), std::invalid_argument);                       // not positive
}

TEST(SharingSpread, LevelsAreFixedByTheSeedAndTheUnitAndSpreadEvenly) {
  EXPECT_EQ(unit_level(7, 1, 2, 3), unit_level(7, 1, 2, 3));
  std::set<double> distinct{unit_level(7, 1, 2, 3), unit_level(8, 1, 2, 3), unit_level(7, 2, 2, 3),
                            unit_level(7, 1, 3, 3), unit_level(7, 1, 2, 4)};
  EXPECT_EQ(distinct.size(), 5u);
  int below_half = 0, below_tenth = 0;
  for (int job = 0; job < 20000; ++job) {
    const double level = unit_level(1, 0, job, 0);
    ASSERT_GT(level, 0.0);
    ASSERT_LT(level, 1.0);
    below_half += level < 0.5;
    below_tenth += level < 0.1;
  }
  EXPECT_NEAR(below_half, 10000, 300);  // about 4 standard deviations of a fair draw
  EXPECT_NEAR(below_tenth, 2000, 170);
}

TEST(SharingSpread, TheFileMayHoldASpreadAndAMalformedOneIsNamed) {
  const std::string path = ::testing::TempDir() + "sharing_spread_test.sharing.json";
  const std::string head = R"({"schema": "sgprs.sharing/1", "device": "test", "precision": "tf32",
    "contention": [{"units": 1, "factor": 1.0}, {"units": 2, "factor": 1.25}])";
  std::ofstream(path) << head << "}";
  EXPECT_FALSE(SharingSpread::load(path).active());
  std::ofstream(path) << head << R"(, "spread": [{"units": 2, "quantiles": [0.8, 1.0, 1.4]}], "spread_source": "hand"})";
  const SharingSpread spread = SharingSpread::load(path);
  ASSERT_EQ(spread.points().size(), 1u);
  EXPECT_DOUBLE_EQ(spread.factor(2, 0.5), 1.0);
  std::ofstream(path) << head << R"(, "spread": [{"units": 2, "quantiles": [1.4, 1.0]}]})";
  try {
    SharingSpread::load(path);
    FAIL() << "a decreasing spread was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("spread"), std::string::npos) << e.what();
  }
  std::ofstream(path) << head << R"(, "spread": [{"units": 2, "quantile": [0.8, 1.4]}]})";
  EXPECT_THROW(SharingSpread::load(path), InputError);  // misspelt field
  std::remove(path.c_str());
}

TEST(SharingSpread, EachSharedUnitRunsThePackedTimeTimesItsOwnFactor) {
  // Two equal units, one per stream: 8 SMs each, the curve's 2400 ns x g(2) 1.5 = 3600 ns, then
  // times each one's spread factor; the one that ends first leaves the other alone (k = 1: no
  // spread, the 16-SM time of 1600 ns for the rest of its work).
  const SpeedupCurve curve({4, 8, 12, 16}, {4000, 2400, 2000, 1600});
  const ShareTimeTable table(curve, 16);
  const SharingContention g({{1, 1.0}, {2, 1.5}});
  const SharingSpread spread({{2, {0.5, 1.0, 2.0}}});
  const std::uint64_t seed = 42;
  GpuModel gpu(test::whole_gpu_streams(2), kSpreadGpu);
  gpu.use_packed_sharing(&g);
  gpu.use_sharing_spread(&spread, seed);
  gpu.start(0, 0, table, StageTag{0, 0, 0});
  gpu.start(0, 1, table, StageTag{1, 0, 0});
  const double d0 = 3600 * spread.factor(2, unit_level(seed, 0, 0, 0));
  const double d1 = 3600 * spread.factor(2, unit_level(seed, 1, 0, 0));
  ASSERT_NE(d0, d1);
  const double first = std::min(d0, d1), second = std::max(d0, d1);
  EXPECT_NEAR(static_cast<double>(gpu.next_finish_ns()), first, 1.0);
  const FinishedStage done = gpu.finish_next(gpu.next_finish_ns());
  EXPECT_EQ(done.tag.task, d0 < d1 ? 0 : 1);
  EXPECT_NEAR(static_cast<double>(gpu.next_finish_ns()), first + (1 - first / second) * 1600, 2.0);
  // A spread is ignored for a unit alone.
  GpuModel alone(test::whole_gpu_streams(2), kSpreadGpu);
  alone.use_packed_sharing(&g);
  alone.use_sharing_spread(&spread, seed);
  alone.start(0, 0, table, StageTag{0, 0, 0});
  EXPECT_EQ(alone.next_finish_ns(), 1600);
}

}  // namespace
}  // namespace sgprs::sim
