#include "simulator/sim/interference.hpp"

#include <algorithm>

namespace sgprs::sim {

Interference::Interference(const Profile& profile, const std::vector<int>& partition_sms) {
  const std::vector<int>& counts = profile.sm_counts();
  const std::vector<double>& background = profile.occupied_background_sms();
  for (int sms : partition_sms) {
    double b = 0;
    for (std::size_t i = 0; i < counts.size() && i < background.size(); ++i)
      if (counts[i] <= sms) b = background[i];
    background_sms_.push_back(b);
    active_ = active_ || b > 0;
  }
}

double Interference::weight(int partition, double busy_elsewhere_sms) const {
  const double b = background_sms_[static_cast<std::size_t>(partition)];
  return b > 0 ? std::min(1.0, busy_elsewhere_sms / b) : 0.0;
}

}  // namespace sgprs::sim
