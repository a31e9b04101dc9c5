#include "simulator/sim/sharing_spread.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "common/rng.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sgprs::sim {

SharingSpread::SharingSpread(std::vector<SpreadPoint> points) : points_(std::move(points)) {
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const auto& [units, q] = points_[i];
    if (units < 2) throw std::invalid_argument("spread points start at k = 2 (a unit alone has no spread)");
    if (i > 0 && units <= points_[i - 1].first) throw std::invalid_argument("spread points must be in ascending k");
    if (q.size() < 2) throw std::invalid_argument("a spread point needs at least 2 quantiles");
    if (q.size() != points_.front().second.size())
      throw std::invalid_argument("every spread point needs the same number of quantiles");
    for (std::size_t j = 0; j < q.size(); ++j) {
      if (!(q[j] > 0) || !std::isfinite(q[j])) throw std::invalid_argument("spread quantiles must be positive");
      if (j > 0 && q[j] < q[j - 1]) throw std::invalid_argument("spread quantiles must not decrease");
    }
  }
}

SharingSpread SharingSpread::load(const std::string& path) {
  const Json doc = load_json_document(path, "sgprs.sharing", 1);
  return from_json(JsonView(doc, path));
}

SharingSpread SharingSpread::from_json(const JsonView& root) {
  std::vector<SpreadPoint> points;
  for (const JsonView& point : root.array_or_empty("spread")) {
    point.expect_only({"units", "quantiles"});
    const int units = point.get<int>("units");
    if (units < 2 || units > 100000) point.fail("units", "must be 2..100000");
    std::vector<double> q;
    for (const JsonView& value : point.array("quantiles")) {
      const double v = value.as<double>();
      if (!(v > 0 && v < 100)) point.fail("quantiles", "must be in (0, 100)");
      q.push_back(v);
    }
    points.emplace_back(units, std::move(q));
  }
  try {
    return SharingSpread(std::move(points));
  } catch (const std::invalid_argument& e) {
    throw InputError(root.source(), "spread", e.what());
  }
}

double SharingSpread::quantile(const std::vector<double>& q, double level) const {
  const double n = static_cast<double>(q.size());
  const double x = level * n - 0.5;  // position among the levels (i + 0.5) / n
  if (x <= 0) return q.front();
  if (x >= n - 1) return q.back();
  const auto i = static_cast<std::size_t>(x);
  const double f = x - static_cast<double>(i);
  return q[i] + (q[i + 1] - q[i]) * f;
}

double SharingSpread::factor(int units, double level) const {
  if (units <= 1 || points_.empty()) return 1.0;
  // The implicit point k = 1 is the identity: S_1 = 1 at every level.
  int k0 = 1;
  double s0 = 1.0;
  for (const auto& [k1, q] : points_) {
    const double s1 = quantile(q, level);
    if (units <= k1) return s0 + (s1 - s0) * static_cast<double>(units - k0) / static_cast<double>(k1 - k0);
    k0 = k1;
    s0 = s1;
  }
  return s0;
}

double unit_level(std::uint64_t seed, int task, std::int64_t job, int unit) {
  std::uint64_t h = Rng::derive_seed(seed, static_cast<std::uint64_t>(task));
  h = Rng::derive_seed(h, static_cast<std::uint64_t>(job));
  h = Rng::derive_seed(h, static_cast<std::uint64_t>(unit));
  return (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;  // strictly inside (0, 1)
}

}  // namespace sgprs::sim
