#include "simulator/sim/share_time_table.hpp"

#include "simulator/sim/processor_sharing.hpp"

#include <algorithm>

namespace sgprs::sim {

ShareTimeTable::ShareTimeTable(const SpeedupCurve& curve, int max_sms)
    : curve_(&curve), first_sms_(curve.sm_counts().front()) {
  by_sms_.assign(static_cast<std::size_t>(std::max(max_sms, first_sms_)) + 1, 0);
  for (std::size_t s = static_cast<std::size_t>(first_sms_); s < by_sms_.size(); ++s)
    by_sms_[s] = curve.time_at(static_cast<int>(s));
}

Ns ShareTimeTable::at(double share_sms) const {
  // Truncation is floor for a positive share (and needs no libm call); the
  // tolerance is time_at_share's.
  const auto whole = static_cast<std::size_t>(share_sms + 1e-9);
  if (whole < static_cast<std::size_t>(first_sms_)) return time_at_share(*curve_, share_sms);
  return by_sms_[std::min(whole, by_sms_.size() - 1)];
}

}  // namespace sgprs::sim
