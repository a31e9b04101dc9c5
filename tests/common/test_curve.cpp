#include "common/curve.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using sgprs::CurveInterpolation;
using sgprs::SpeedupCurve;

namespace {
// A staircase like the ones measured: 8 SMs 800 us, 16 SMs 450 us, 32 SMs 300 us.
SpeedupCurve make(CurveInterpolation mode = CurveInterpolation::kStep) {
  return SpeedupCurve({8, 16, 32}, {800'000, 450'000, 300'000}, mode);
}
}  // namespace

TEST(SpeedupCurve, ExactPointsReturnMeasuredTimes) {
  const auto curve = make();
  EXPECT_EQ(curve.time_at(8), 800'000);
  EXPECT_EQ(curve.time_at(16), 450'000);
  EXPECT_EQ(curve.time_at(32), 300'000);
}

TEST(SpeedupCurve, StepTakesLargestMeasuredCountBelow) {
  const auto curve = make();
  // 24 SMs sits between 16 and 32: the staircase keeps the 16-SM time.
  EXPECT_EQ(curve.time_at(24), 450'000);
  EXPECT_EQ(curve.time_at(31), 450'000);
}

TEST(SpeedupCurve, LinearInterpolatesInSmCount) {
  const auto curve = make(CurveInterpolation::kLinear);
  // Halfway between 16 (450 us) and 32 (300 us): 375 us.
  EXPECT_EQ(curve.time_at(24), 375'000);
}

TEST(SpeedupCurve, BelowFirstPointScalesIdeallyAndRoundsUp) {
  const auto curve = make();
  // 4 SMs: 800 us * 8 / 4 = 1600 us. 3 SMs: 6400000/3 = 2133333.33 -> 2133334.
  EXPECT_EQ(curve.time_at(4), 1'600'000);
  EXPECT_EQ(curve.time_at(3), 2'133'334);
}

TEST(SpeedupCurve, AboveLastPointIsFlat) { EXPECT_EQ(make().time_at(132), 300'000); }

TEST(SpeedupCurve, SpeedupIsRelativeToFirstPoint) {
  EXPECT_DOUBLE_EQ(make().speedup_at(32), 800.0 / 300.0);
}

TEST(SpeedupCurve, RejectsMalformedPoints) {
  EXPECT_THROW(SpeedupCurve({}, {}), std::invalid_argument);
  EXPECT_THROW(SpeedupCurve({8, 8}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(SpeedupCurve({8, 16}, {1}), std::invalid_argument);
  EXPECT_THROW(SpeedupCurve({8}, {0}), std::invalid_argument);
  EXPECT_THROW(make().time_at(0), std::invalid_argument);
}
