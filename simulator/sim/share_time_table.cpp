#include "simulator/sim/share_time_table.hpp"

#include "simulator/sim/processor_sharing.hpp"

#include <algorithm>

namespace sgprs::sim {

ShareTimeTable::ShareTimeTable(const SpeedupCurve& curve, int max_sms, const SpeedupCurve* measured)
    : curve_(&curve), measured_(measured), first_sms_(curve.sm_counts().front()) {
  by_sms_.assign(static_cast<std::size_t>(std::max(max_sms, first_sms_)) + 1, 0);
  for (std::size_t s = static_cast<std::size_t>(first_sms_); s < by_sms_.size(); ++s)
    by_sms_[s] = curve.time_at(static_cast<int>(s));
  top_ = by_sms_.size() - 1;
}

Ns ShareTimeTable::below_first(double share_sms) const { return time_at_share(*curve_, share_sms); }

}  // namespace sgprs::sim
