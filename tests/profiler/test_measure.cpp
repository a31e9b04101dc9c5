// The stopping rule, the point summary and the pivot, on hand-made samples (no GPU).
#include "common/rng.hpp"
#include "profiler/measure.hpp"
#include "profiler/pivot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

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
  const PointStats s = summarize(samples, StopReason::kSpread);
  EXPECT_EQ(s.median_ns, 50);
  EXPECT_EQ(s.p5_ns, 5);
  EXPECT_EQ(s.p95_ns, 95);
  EXPECT_EQ(s.samples, 100);
  EXPECT_TRUE(s.converged);
  EXPECT_EQ(s.stop, StopReason::kSpread);
  EXPECT_TRUE(summarize(samples, StopReason::kPlateau).converged);
  EXPECT_FALSE(summarize(samples, StopReason::kTimeout).converged);
  EXPECT_FALSE(summarize(samples, StopReason::kSampleCap).converged);
}

TEST(StopReasonNames, AreThoseWrittenIntoProfiles) {
  EXPECT_EQ(stop_reason_name(StopReason::kSpread), "spread");
  EXPECT_EQ(stop_reason_name(StopReason::kPlateau), "plateau");
  EXPECT_EQ(stop_reason_name(StopReason::kTimeout), "timeout");
  EXPECT_EQ(stop_reason_name(StopReason::kSampleCap), "sample_cap");
}

// Feeds `rule` batches of `batch` samples drawn by `draw` (one call per sample), `seconds_per_batch`
// apart, until it stops; returns why, and leaves the samples in the rule.
template <class Draw>
StopReason run_stream(StoppingRule& rule, int batch, double seconds_per_batch, Draw&& draw) {
  for (int b = 1;; ++b) {
    std::vector<Ns> samples;
    for (int i = 0; i < batch; ++i) samples.push_back(draw());
    if (const auto stop = rule.add_batch(samples, b * seconds_per_batch)) return *stop;
    if (b > 1000000) ADD_FAILURE() << "the rule never stopped";
  }
}

/// A stream of times around `mean_ns` with relative noise `rel` (uniform, so its stdev/mean is
/// rel / sqrt(3)), deterministic from `seed`.
auto noisy_stream(Rng& rng, double mean_ns, double rel) {
  return [&rng, mean_ns, rel] { return static_cast<Ns>(mean_ns * (1.0 + rng.uniform(-rel, rel))); };
}

TEST(StoppingRule, NeedsMinSamplesThenLowSpread) {
  MeasureSettings settings;  // 10 samples, 1%, 1 s
  StoppingRule rule(settings);
  EXPECT_EQ(rule.add_batch(std::vector<Ns>(9, 1000), 0.0), std::nullopt);
  EXPECT_EQ(rule.add_batch({1000}, 0.0), StopReason::kSpread);
  EXPECT_EQ(rule.samples().size(), 10u);
}

TEST(StoppingRule, SteadyStreamStopsOnItsSpread) {
  // 0.5% uniform noise (stdev 0.29%): under 1% from the first ten samples on.
  Rng rng(1);
  StoppingRule rule(MeasureSettings{});
  EXPECT_EQ(run_stream(rule, 10, 0.002, noisy_stream(rng, 100000, 0.005)), StopReason::kSpread);
  EXPECT_EQ(rule.samples().size(), 10u);
}

TEST(StoppingRule, StationaryNoiseAboveTheThresholdStopsOnAPlateau) {
  // 6% uniform noise (stdev ~3.5%) never gets under 1%, however long the point runs. The old
  // rule ran it into the time-out; the plateau rule stops it once its spread stops moving, well
  // before the time-out (1 s here = 500 batches), and calls it converged.
  Rng rng(7);
  MeasureSettings settings;
  StoppingRule rule(settings);
  const StopReason stop = run_stream(rule, 10, 0.002, noisy_stream(rng, 10000, 0.06));
  EXPECT_EQ(stop, StopReason::kPlateau);
  EXPECT_GE(static_cast<int>(rule.samples().size()), settings.plateau_min_samples);
  EXPECT_LT(rule.samples().size(), 500u);
  const PointStats s = summarize(rule.samples(), stop);
  EXPECT_TRUE(s.converged);
  EXPECT_NEAR(s.rel_spread, 0.06 / std::sqrt(3.0) * 0.9, 0.01);  // trimming drops a little of it
}

TEST(StoppingRule, NoisePlateauNeedsItsMinimumSampleCount) {
  // Same stream with a plateau threshold above what the time-out lets it reach: the plateau
  // may not end it, so the time-out does.
  Rng rng(7);
  MeasureSettings settings;
  settings.plateau_min_samples = 1000;
  settings.timeout_s = 0.05;  // 25 batches of 10
  StoppingRule rule(settings);
  EXPECT_EQ(run_stream(rule, 10, 0.002, noisy_stream(rng, 10000, 0.06)), StopReason::kTimeout);
  EXPECT_EQ(rule.samples().size(), 250u);
}

TEST(StoppingRule, ZeroPlateauMinimumTurnsThePlateauOff) {
  Rng rng(7);
  MeasureSettings settings;
  settings.plateau_min_samples = 0;
  settings.timeout_s = 0.2;
  StoppingRule rule(settings);
  EXPECT_EQ(run_stream(rule, 10, 0.002, noisy_stream(rng, 10000, 0.06)), StopReason::kTimeout);
}

TEST(StoppingRule, DriftingStreamIsNoPlateau) {
  // The time grows by 1% of its start per sample (a clock ramping down, a neighbour filling the
  // memory bus). The relative spread of such a ramp levels off (towards 1/sqrt(3) of its half
  // range over its mean), so the spread test alone would call a plateau; but the medians of the
  // two halves never agree, so the time-out flags the point instead.
  MeasureSettings settings;
  settings.timeout_s = 1.0;  // 500 batches of 10, capped at 2000 samples
  StoppingRule rule(settings);
  Ns t = 10000;
  const StopReason stop = run_stream(rule, 10, 0.002, [&t] { return t += 100; });
  EXPECT_TRUE(stop == StopReason::kTimeout || stop == StopReason::kSampleCap) << stop_reason_name(stop);
  EXPECT_FALSE(summarize(rule.samples(), stop).converged);
}

TEST(StoppingRule, NoPlateauWhileATransientDiesOut) {
  // A cold start: the first runs are up to 30% slower, the excess decaying as exp(-i / 20), on
  // top of 2% uniform noise (spread ~1.1%, just above the threshold). While the slow start
  // weighs in, the spread keeps falling and the halves' medians disagree: no plateau may be
  // called then. When the point stops, its median is the steady time's.
  MeasureSettings settings;
  settings.timeout_s = 100;  // only the spread, the plateau or the 2000-sample cap can end it
  StoppingRule rule(settings);
  Rng rng(5);
  int drawn = 0;
  const StopReason stop = run_stream(rule, 10, 0.002, [&] {
    const double excess = 0.3 * std::exp(-(++drawn) / 20.0);
    return static_cast<Ns>(10000.0 * (1.0 + excess + rng.uniform(-0.02, 0.02)));
  });
  EXPECT_GT(rule.samples().size(), 300u) << stop_reason_name(stop);
  const PointStats s = summarize(rule.samples(), stop);
  EXPECT_NEAR(static_cast<double>(s.median_ns), 10000.0, 100.0);
  if (stop == StopReason::kPlateau) {
    EXPECT_LT(s.rel_spread, 0.015);
  }
}

TEST(StoppingRule, SampleCapEndsANoisyPoint) {
  Rng rng(7);
  MeasureSettings settings;
  settings.plateau_min_samples = 0;
  settings.max_samples = 50;
  StoppingRule rule(settings);
  EXPECT_EQ(run_stream(rule, 10, 0.0, noisy_stream(rng, 10000, 0.2)), StopReason::kSampleCap);
  EXPECT_EQ(rule.samples().size(), 50u);
}

TEST(StoppingRule, NoSamplesStillStopsAtThreeTimeouts) {
  MeasureSettings settings;
  StoppingRule rule(settings);
  EXPECT_EQ(rule.add_batch({}, 1.5), std::nullopt);
  EXPECT_EQ(rule.add_batch({}, 3.0), StopReason::kTimeout);
}

TEST(StoppingRule, TimeOutWaitsForTheMinimumSampleCount) {
  MeasureSettings settings;  // 10 samples, 1 s
  StoppingRule rule(settings);
  std::vector<Ns> few;
  for (int i = 0; i < 5; ++i) few.push_back(i % 2 ? 900 : 1100);
  EXPECT_EQ(rule.add_batch(few, 1.5), std::nullopt);  // past the time-out, but 5 < 10
  EXPECT_EQ(rule.add_batch({}, 3.0), StopReason::kTimeout);  // the hard stop
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
  EXPECT_EQ(s.stop, StopReason::kSpread);
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
