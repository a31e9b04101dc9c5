// Randfixedsum and UUniFast-discard: the sum is the target, every value is in
// its bounds, the same seed gives the same vector, and the draws are uniform
// where uniformity can be checked by hand.
#include "simulator/experiments/utilisation_draws.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>

namespace sgprs::exp {
namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

TEST(Randfixedsum, SumsToTargetWithinBoundsForManyShapes) {
  struct Case { int n; double total, lo, hi; };
  const Case cases[] = {{1, 0.3, 0.0, 1.0},  {2, 1.5, 0.0, 1.0},  {5, 2.5, 0.1, 0.9}, {8, 0.08, 0.01, 1.0},
                        {50, 12.0, 0.0, 1.0}, {50, 49.0, 0.5, 1.0}, {3, 0.3, 0.1, 0.5}, {3, 1.5, 0.1, 0.5}};
  Rng rng(11);
  for (const Case& c : cases) {
    for (int draw = 0; draw < 200; ++draw) {
      const auto u = randfixedsum(c.n, c.total, c.lo, c.hi, rng);
      ASSERT_EQ(u.size(), static_cast<std::size_t>(c.n));
      EXPECT_NEAR(sum(u), c.total, 1e-12 * std::max(1.0, c.total)) << "n=" << c.n;
      for (double v : u) {
        EXPECT_GE(v, c.lo);
        EXPECT_LE(v, c.hi);
      }
    }
  }
}

/// Mean of coordinate `index` and the share of draws below `threshold`, over 20000 randfixedsum draws.
struct Marginal {
  double mean = 0;
  double below = 0;
};
Marginal randfixedsum_marginal(int n, double total, std::size_t index, double threshold, std::uint64_t seed) {
  constexpr int kDraws = 20000;
  Rng rng(seed);
  Marginal m;
  for (int i = 0; i < kDraws; ++i) {
    const double x = randfixedsum(n, total, 0.0, 1.0, rng)[index];
    m.mean += x / kDraws;
    m.below += (x < threshold ? 1.0 : 0.0) / kDraws;
  }
  return m;
}

TEST(Randfixedsum, TwoValuesAreUniformOnTheirSegment) {
  // n = 2, sum 1.2, bounds [0, 1]: x0 is uniform on [0.2, 1.0] (x1 = 1.2 - x0),
  // so its mean is 0.6 and P(x0 < 0.4) = 0.2 / 0.8 = 0.25.
  const Marginal m = randfixedsum_marginal(2, 1.2, 0, 0.4, 5);
  EXPECT_NEAR(m.mean, 0.6, 0.01);
  EXPECT_NEAR(m.below, 0.25, 0.015);
}

TEST(Randfixedsum, ThreeValuesHaveTheUniformSimplexMarginal) {
  // Uniform on {x0+x1+x2 = 1, x >= 0}: each coordinate has density 2(1 - x),
  // mean 1/3 and P(x < 0.5) = 0.75. A generator biased to the centre fails this.
  const Marginal m = randfixedsum_marginal(3, 1.0, 1, 0.5, 9);
  EXPECT_NEAR(m.mean, 1.0 / 3, 0.01);
  EXPECT_NEAR(m.below, 0.75, 0.015);
}

TEST(Randfixedsum, TightBoundsGiveTheOnlyPoint) {
  Rng rng(1);
  const auto low = randfixedsum(4, 0.4, 0.1, 0.9, rng);  // sum = n x lo: every value is lo
  for (double v : low) EXPECT_NEAR(v, 0.1, 1e-12);
  const auto high = randfixedsum(4, 3.6, 0.1, 0.9, rng);
  for (double v : high) EXPECT_NEAR(v, 0.9, 1e-12);
}

TEST(Randfixedsum, UnreachableTotalThrows) {
  Rng rng(1);
  EXPECT_THROW(randfixedsum(3, 3.1, 0.0, 1.0, rng), std::invalid_argument);
  EXPECT_THROW(randfixedsum(3, 0.2, 0.1, 1.0, rng), std::invalid_argument);
}

TEST(Randfixedsum, SameSeedSameVectorOtherSeedOtherVector) {
  Rng a(42), b(42), c(43);
  const auto x = randfixedsum(6, 2.0, 0.05, 0.8, a);
  EXPECT_EQ(x, randfixedsum(6, 2.0, 0.05, 0.8, b));
  EXPECT_NE(x, randfixedsum(6, 2.0, 0.05, 0.8, c));
}

TEST(UUniFastDiscard, SumsToTargetWithinBounds) {
  Rng rng(3);
  for (int draw = 0; draw < 500; ++draw) {
    const auto u = uunifast_discard(6, 2.4, 0.0, 0.7, rng);
    EXPECT_NEAR(sum(u), 2.4, 1e-12);
    for (double v : u) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 0.7);
    }
  }
}

TEST(UUniFastDiscard, MeanOfEachValueIsTotalOverN) {
  // UUniFast is uniform over the simplex, so by symmetry every coordinate has mean total / n.
  Rng rng(8);
  constexpr int kDraws = 20000;
  double mean_first = 0, mean_last = 0;
  for (int i = 0; i < kDraws; ++i) {
    const auto u = uunifast_discard(4, 2.0, 0.0, 2.0, rng);
    mean_first += u[0] / kDraws;
    mean_last += u[3] / kDraws;
  }
  EXPECT_NEAR(mean_first, 0.5, 0.01);
  EXPECT_NEAR(mean_last, 0.5, 0.01);
}

TEST(UUniFastDiscard, GivesUpWhenTheBoundsLeaveAlmostNothing) {
  // Ten values in [0, 1] summing to 9.99: the accepted region is a vanishing
  // corner of the simplex, so discarding never finds one in 1000 tries.
  Rng rng(2);
  EXPECT_THROW(uunifast_discard(10, 9.99, 0.0, 1.0, rng, 1000), std::runtime_error);
}

TEST(UUniFastDiscard, SameSeedSameVector) {
  Rng a(7), b(7);
  EXPECT_EQ(uunifast_discard(5, 1.5, 0.0, 1.0, a), uunifast_discard(5, 1.5, 0.0, 1.0, b));
}

}  // namespace
}  // namespace sgprs::exp
