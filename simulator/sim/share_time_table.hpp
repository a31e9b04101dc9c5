#pragma once
// time_at_share() (processor_sharing.hpp) precomputed at every whole SM count,
// so the GPU model's hot path reads one array entry instead of searching the
// curve. Gives exactly what time_at_share gives (tested); shares below the
// curve's first measured count, rare, still go through time_at_share.
// Holds a pointer to `curve`, which must outlive the table.
#include "common/curve.hpp"

#include <vector>

namespace sgprs::sim {

class ShareTimeTable {
 public:
  ShareTimeTable(const SpeedupCurve& curve, int max_sms);
  Ns at(double share_sms) const;

 private:
  const SpeedupCurve* curve_;
  std::vector<Ns> by_sms_;  // index = whole SM count, 0..max_sms
  int first_sms_;
};

}  // namespace sgprs::sim
