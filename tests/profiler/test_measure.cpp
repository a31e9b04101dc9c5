// The stopping rule, the point summary and the pivot, on hand-made samples (no GPU).
#include "profiler/measure.hpp"
#include "profiler/pivot.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sgprs::profiler {
namespace {

TEST(RelativeSpread, ConstantSamplesHaveNone) { EXPECT_EQ(relative_spread({500, 500, 500, 500}), 0.0); }

TEST(RelativeSpread, TwoSamplesIsTheirSampleStdevOverMean) {
  // 100 and 110: mean 105, sample stdev sqrt(2 * 5^2 / 1) = 7.0711.
  EXPECT_NEAR(relative_spread({100, 110}), 7.0710678 / 105.0, 1e-6);
}

TEST(RelativeSpread, OneOutlierIsTrimmed) {
  std::vector<Ns> samples(20, 1000);
  samples.push_back(5000);  // p95 of 21 samples is the 20th smallest: 1000
  EXPECT_EQ(relative_spread(samples), 0.0);
}

TEST(RelativeSpread, OneOutlierAmongTheFirstTenIsTrimmedToo) {
  std::vector<Ns> samples(9, 1000);
  samples.push_back(9000);  // a preempted run: with 10 samples one is dropped at each end
  EXPECT_EQ(relative_spread(samples), 0.0);
  samples.push_back(9000);  // two of eleven: still one dropped at each end, so one stays
  EXPECT_GT(relative_spread(samples), 0.5);
}

TEST(Summarize, NearestRankQuantiles) {
  std::vector<Ns> samples;
  for (Ns v = 100; v >= 1; --v) samples.push_back(v);  // order must not matter
  const PointStats s = summarize(samples, true);
  EXPECT_EQ(s.median_ns, 50);
  EXPECT_EQ(s.p5_ns, 5);
  EXPECT_EQ(s.p95_ns, 95);
  EXPECT_EQ(s.samples, 100);
  EXPECT_TRUE(s.converged);
}

TEST(Judge, NeedsMinSamplesThenLowSpread) {
  MeasureSettings settings;  // 10 samples, 1%, 1 s
  EXPECT_EQ(judge(settings, std::vector<Ns>(9, 1000), 0.0), Verdict::kContinue);
  EXPECT_EQ(judge(settings, std::vector<Ns>(10, 1000), 0.0), Verdict::kConverged);
  std::vector<Ns> noisy;
  for (int i = 0; i < 50; ++i) noisy.push_back(i % 2 ? 900 : 1100);  // 10% spread
  EXPECT_EQ(judge(settings, noisy, 0.5), Verdict::kContinue);
  EXPECT_EQ(judge(settings, noisy, 1.0), Verdict::kTimedOut);
  settings.max_samples = 50;
  EXPECT_EQ(judge(settings, noisy, 0.5), Verdict::kSampleCap);
}

TEST(Judge, NoSamplesStillStopsAtThreeTimeouts) {
  MeasureSettings settings;
  EXPECT_EQ(judge(settings, {}, 1.5), Verdict::kContinue);
  EXPECT_EQ(judge(settings, {}, 3.0), Verdict::kTimedOut);
}

TEST(Judge, TimeOutWaitsForTheMinimumSampleCount) {
  MeasureSettings settings;  // 10 samples, 1 s
  std::vector<Ns> few;
  for (int i = 0; i < 5; ++i) few.push_back(i % 2 ? 900 : 1100);
  EXPECT_EQ(judge(settings, few, 1.5), Verdict::kContinue);  // past the time-out, but 5 < 10
  EXPECT_EQ(judge(settings, few, 3.0), Verdict::kTimedOut);   // the hard stop
}

TEST(MeasurePoint, WarmupIsDiscardedAndBatchesAreCounted) {
  MeasureSettings settings;
  settings.warmup_runs = 3;
  settings.batch_runs = 4;
  int calls = 0;
  const PointStats s = measure_point(settings, [&](int runs) {
    ++calls;
    // The warm-up returns slow runs that must not enter the statistics.
    return std::vector<Ns>(static_cast<std::size_t>(runs), calls == 1 ? 9999 : 1000);
  });
  EXPECT_EQ(calls, 1 + 3);  // warm-up, then 4 + 4 + 4 = 12 >= 10 samples
  EXPECT_EQ(s.samples, 12);
  EXPECT_EQ(s.median_ns, 1000);
  EXPECT_EQ(s.p95_ns, 1000);
  EXPECT_TRUE(s.converged);
}

TEST(Pivot, LinearScalingPivotsNearTheTop) {
  // t = 132000 / s: only 120 SMs is within 10% of the 132-SM time (1100 vs 1000).
  const std::vector<int> sms = {8, 64, 120, 132};
  const std::vector<Ns> t = {16500, 2063, 1100, 1000};
  EXPECT_EQ(pivot_sms(sms, t), 120);
}

TEST(Pivot, SaturatingCurvePivotsWhereItFlattens) {
  const std::vector<int> sms = {8, 16, 32, 64, 132};
  EXPECT_EQ(pivot_sms(sms, {800, 400, 210, 200, 200}), 32);   // 210 <= 1.1 * 200
  EXPECT_EQ(pivot_sms(sms, {800, 400, 230, 200, 200}), 64);   // 230 > 220
  EXPECT_EQ(pivot_sms(sms, {800, 400, 230, 200, 200}, 0.2), 32);
}

TEST(Pivot, FlatCurvePivotsAtTheSmallestCount) {
  EXPECT_EQ(pivot_sms({8, 16, 132}, {100, 101, 99}), 8);
}

}  // namespace
}  // namespace sgprs::profiler
