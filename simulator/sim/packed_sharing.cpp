#include "simulator/sim/packed_sharing.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sgprs::sim {

SharingContention::SharingContention(std::vector<std::pair<int, double>> points) : points_(std::move(points)) {
  if (points_.empty() || points_.front().first != 1 || points_.front().second != 1.0)
    throw std::invalid_argument("the first contention point must be k = 1 with factor 1");
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (!(points_[i].second > 0) || !std::isfinite(points_[i].second))
      throw std::invalid_argument("contention factors must be positive");
    if (i > 0 && points_[i].first <= points_[i - 1].first)
      throw std::invalid_argument("contention points must be in ascending k");
  }
}

SharingContention SharingContention::load(const std::string& path, const Profile& profile) {
  return SharingCalibration::load(path, profile).contention;
}

SharingCalibration SharingCalibration::load(const std::string& path, const Profile& profile) {
  const Json doc = load_json_document(path, "sgprs.sharing", 1);
  const JsonView root(doc, path);
  root.expect_only({"device", "precision", "contention", "source", "spread", "spread_source", "share_weights",
                    "share_weights_source", "running_limit", "running_limit_source"});
  if (root.get<std::string>("device") != profile.measured_on())
    root.fail("device", "is '" + root.get<std::string>("device") + "' but the profile's is '" + profile.measured_on() + "'");
  if (root.get<std::string>("precision") != profile.precision())
    root.fail("precision", "is '" + root.get<std::string>("precision") + "' but the profile's is '" + profile.precision() + "'");
  std::vector<std::pair<int, double>> points;
  for (const JsonView& point : root.array("contention")) {
    point.expect_only({"units", "factor"});
    const int units = point.get<int>("units");
    const double factor = point.get<double>("factor");
    if (units < 1 || units > 100000) point.fail("units", "must be 1..100000");
    if (!(factor > 0 && factor < 100)) point.fail("factor", "must be in (0, 100)");
    points.emplace_back(units, factor);
  }
  SharingCalibration calibration;
  try {
    calibration.contention = SharingContention(std::move(points));
  } catch (const std::invalid_argument& e) {
    throw InputError(path, "contention", e.what());
  }
  calibration.spread = SharingSpread::from_json(root);
  calibration.running_limit = RunningLimit::from_json(root);
  if (root.has("share_weights")) {
    const JsonView weights = root.object("share_weights");
    for (const auto& item : weights.raw().items()) {
      const std::string& model = item.key();
      const double w = weights.get<double>(model);
      if (!(w > 0 && w < 1000)) weights.fail(model, "share weights must be in (0, 1000)");
      calibration.share_weights.emplace(model, w);
    }
  }
  return calibration;
}

double SharingContention::factor(int units) const {
  if (units <= points_.front().first) return points_.front().second;
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const auto [k1, g1] = points_[i];
    if (units <= k1) {
      const auto [k0, g0] = points_[i - 1];
      return g0 + (g1 - g0) * static_cast<double>(units - k0) / static_cast<double>(k1 - k0);
    }
  }
  return points_.back().second;
}

double unit_work(const SpeedupCurve& curve) {
  double work = 0;
  const std::vector<int>& sms = curve.sm_counts();
  const std::vector<Ns>& times = curve.times_ns();
  for (std::size_t i = 0; i < sms.size(); ++i) {
    const double w = static_cast<double>(sms[i]) * static_cast<double>(times[i]);
    work = i == 0 ? w : std::min(work, w);
  }
  return work;
}

double unit_demand(const SpeedupCurve& curve, int partition_sms) {
  const double work = unit_work(curve);
  const double alone = static_cast<double>(time_at_fractional_share(curve, partition_sms));
  return std::min(static_cast<double>(partition_sms), work / alone);
}

double whole_gpu_saving_ns(const SpeedupCurve& curve, int partition_sms) {
  const std::vector<int>& sms = curve.sm_counts();
  const std::vector<Ns>& times = curve.times_ns();
  const std::size_t n = sms.size();
  if (n < 3 || partition_sms < sms.back()) return 0.0;
  const double slope = static_cast<double>(times[n - 2] - times[n - 3]) / (sms[n - 2] - sms[n - 3]);
  const double in_partition = static_cast<double>(times[n - 2]) + slope * (sms[n - 1] - sms[n - 2]);
  return std::max(0.0, in_partition - static_cast<double>(times[n - 1]));
}

Ns time_at_fractional_share(const SpeedupCurve& curve, double share_sms) {
  const std::vector<int>& sms = curve.sm_counts();
  const std::vector<Ns>& times = curve.times_ns();
  if (share_sms <= sms.front())
    return static_cast<Ns>(std::ceil(static_cast<double>(times.front()) * sms.front() / share_sms));
  if (share_sms >= sms.back()) return times.back();
  const auto above = static_cast<std::size_t>(std::upper_bound(sms.begin(), sms.end(), share_sms) - sms.begin());
  const double s0 = sms[above - 1], s1 = sms[above];
  const double t0 = static_cast<double>(times[above - 1]), t1 = static_cast<double>(times[above]);
  return static_cast<Ns>(std::llround(t0 + (t1 - t0) * (share_sms - s0) / (s1 - s0)));
}

}  // namespace sgprs::sim
