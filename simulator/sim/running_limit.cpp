#include "simulator/sim/running_limit.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace sgprs::sim {

namespace {
constexpr int kDriverDefaultQueues = 8;  // CUDA_DEVICE_MAX_CONNECTIONS unset
constexpr int kDriverMostQueues = 32;    // the driver takes no more
}

RunningLimit::RunningLimit(std::vector<std::pair<int, double>> points) : points_(std::move(points)) {
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const auto [queues, running] = points_[i];
    if (queues < 1) throw std::invalid_argument("queues must be at least 1");
    if (i > 0 && queues <= points_[i - 1].first) throw std::invalid_argument("queues must ascend");
    if (!(running > 0 && running <= 2.0 * queues))
      throw std::invalid_argument("units running at once must be in (0, 2 x queues]");
  }
}

RunningLimit RunningLimit::from_json(const JsonView& root) {
  std::vector<std::pair<int, double>> points;
  for (const JsonView& point : root.array_or_empty("running_limit")) {
    point.expect_only({"queues", "running"});
    const int queues = point.get<int>("queues");
    if (queues < 1 || queues > 1024) point.fail("queues", "must be 1..1024");
    points.emplace_back(queues, point.get<double>("running"));
  }
  try {
    return RunningLimit(std::move(points));
  } catch (const std::invalid_argument& e) {
    throw InputError(root.source(), "running_limit", e.what());
  }
}

int RunningLimit::units(int queues) const {
  if (queues < 1) throw std::invalid_argument("hardware queues must be at least 1");
  if (points_.empty()) return 0;
  const double q = queues;
  double running = 0;
  if (queues <= points_.front().first) {
    running = points_.front().second * q / points_.front().first;
  } else if (queues >= points_.back().first) {
    running = points_.back().second * q / points_.back().first;
  } else {
    for (std::size_t i = 1; i < points_.size(); ++i) {
      const auto [q1, r1] = points_[i];
      if (queues > q1) continue;
      const auto [q0, r0] = points_[i - 1];
      running = r0 + (r1 - r0) * (q - q0) / (q1 - q0);
      break;
    }
  }
  return std::max(1, static_cast<int>(std::lround(running)));
}

int hardware_queues_in_notes(const std::string& notes) {
  constexpr std::string_view key = "CUDA_DEVICE_MAX_CONNECTIONS=";
  const std::size_t at = notes.find(key);
  if (at == std::string::npos) return 0;
  const std::string_view value = std::string_view(notes).substr(at + key.size());
  if (value.starts_with("default")) return kDriverDefaultQueues;
  int queues = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), queues);
  return error == std::errc() && end != value.data() && queues > 0 ? std::min(queues, kDriverMostQueues) : 0;
}

}  // namespace sgprs::sim
