#include "common/rng.hpp"
#include "common/stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

TEST(Stats, Quantiles) {
  EXPECT_DOUBLE_EQ(sgprs::quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(sgprs::quantile({1, 2, 3, 4, 5}, 1.0), 5);
  EXPECT_EQ(sgprs::quantile_nearest_rank({10, 20, 30, 40}, 0.5), 20);
  EXPECT_EQ(sgprs::quantile_nearest_rank({10, 20, 30, 40}, 0.99), 40);
  EXPECT_EQ(sgprs::quantile_nearest_rank({}, 0.5), 0);
}

TEST(Stats, MedianP99MaxAgreesWithTheQuantilesAndTheMaximumOfAnySample) {
  EXPECT_EQ(sgprs::median_p99_max({}).p99, 0);
  for (std::size_t n : {1, 2, 3, 99, 100, 101, 1000}) {
    for (std::int64_t spread : {3, 1000000}) {  // many ties, few ties
      std::vector<std::int64_t> values;
      for (std::size_t i = 0; i < n; ++i) values.push_back(static_cast<std::int64_t>((i * 7919 + 13) % 1009) % spread);
      const sgprs::MedianP99Max m = sgprs::median_p99_max(values);
      EXPECT_EQ(m.p50, sgprs::quantile_nearest_rank(values, 0.50)) << n;
      EXPECT_EQ(m.p99, sgprs::quantile_nearest_rank(values, 0.99)) << n;
      EXPECT_EQ(m.max, *std::max_element(values.begin(), values.end())) << n;
    }
  }
}

TEST(Stats, MeanCi95) {
  // mean 2, sample sd 1, n = 3: half width = 4.303 * 1 / sqrt(3).
  const auto ci = sgprs::mean_ci95({1, 2, 3});
  EXPECT_DOUBLE_EQ(ci.mean, 2);
  EXPECT_NEAR(ci.half_width, 4.303 / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(sgprs::mean_ci95({5}).half_width, 0);
}

TEST(Rng, UniformIntStaysInRangeAndIsReproducible) {
  sgprs::Rng a(7), b(7);
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.uniform_int(-3, 3);
    EXPECT_GE(x, -3);
    EXPECT_LE(x, 3);
    EXPECT_EQ(x, b.uniform_int(-3, 3));
  }
  // mt19937_64's 10000th output for the default seed is fixed by the C++ standard.
  std::mt19937_64 standard;
  standard.discard(9999);
  EXPECT_EQ(standard(), 9981545732273789042ull);
  EXPECT_NE(sgprs::Rng::derive_seed(1, 0), sgprs::Rng::derive_seed(1, 1));
}
