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

TimeSteps::TimeSteps(const std::vector<ShareTimeTable>& tables) : first_sms_(0) {
  std::size_t size = 1;
  for (const ShareTimeTable& t : tables) {
    size = std::max(size, t.top_sms() + 1);
    first_sms_ = std::max(first_sms_, static_cast<std::size_t>(t.first_sms()));
  }
  // A table is constant past its top (at_whole clamps there), so only its own range can change.
  std::vector<char> changes(size, 0);
  for (const ShareTimeTable& t : tables)
    for (std::size_t w = static_cast<std::size_t>(t.first_sms()) + 1; w <= t.top_sms(); ++w)
      if (t.at_whole(w) != t.at_whole(w - 1)) changes[w] = 1;
  step_.resize(size);
  std::size_t steps = 0;
  for (std::size_t w = 0; w < size; ++w) step_[w] = steps += static_cast<std::size_t>(changes[w]);
}

}  // namespace sgprs::sim
