#pragma once
// time_at_share() (processor_sharing.hpp) precomputed at every whole SM count,
// so the GPU model's hot path reads one array entry instead of searching the
// curve. Gives exactly what time_at_share gives (tested); shares below the
// curve's first measured count, rare, still go through time_at_share.
// Holds a pointer to `curve`, which must outlive the table.
#include "common/curve.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sgprs::sim {

class ShareTimeTable {
 public:
  /// `measured`, when given (and outliving the table), is the same times at the measured SM
  /// counts only (a whole model's `curve` is tabulated at every count).
  ShareTimeTable(const SpeedupCurve& curve, int max_sms, const SpeedupCurve* measured = nullptr);
  /// time_at_share(curve, share_sms). Inline: the GPU model calls it for every stage it rescales.
  Ns at(double share_sms) const {
    // Truncation is floor for a positive share (and needs no libm call); the
    // tolerance is time_at_share's.
    const std::size_t whole = whole_sms(share_sms);
    if (whole < static_cast<std::size_t>(first_sms_)) return below_first(share_sms);
    return by_sms_[std::min(whole, top_)];
  }
  /// The times at the measured SM counts only (sim/packed_sharing.hpp joins them linearly).
  /// at() in two steps, for a caller that looks up many tables at one share: whole_sms(share)
  /// once, then in_table(whole) ? at_whole(whole) : at(share) per table (at(share) computes).
  // Through a signed conversion: a share is far below 2^63, and converting a double straight to an
  // unsigned 64-bit integer costs a comparison and a second path for values from 2^63 on.
  static std::size_t whole_sms(double share_sms) {
    return static_cast<std::size_t>(static_cast<std::int64_t>(share_sms + 1e-9));
  }
  bool in_table(std::size_t whole) const { return whole >= static_cast<std::size_t>(first_sms_); }
  Ns at_whole(std::size_t whole) const { return by_sms_[std::min(whole, top_)]; }
  const SpeedupCurve& measured_curve() const { return measured_ != nullptr ? *measured_ : *curve_; }
  int first_sms() const { return first_sms_; }
  std::size_t top_sms() const { return top_; }

 private:
  Ns below_first(double share_sms) const;

  const SpeedupCurve* curve_;
  const SpeedupCurve* measured_;
  std::vector<Ns> by_sms_;  // index = whole SM count, 0..max_sms
  std::size_t top_;         // by_sms_.size() - 1, kept: the size is a subtraction and a shift per look-up
  int first_sms_;
};

/// Where the times of a set of tables change with the whole SM count: every table of the set gives
/// wholes w1 and w2 the same time when both are at least `first_sms` and step_of(w1) == step_of(w2)
/// (no table changes between them). The GPU model then knows that a share moving between them
/// changes no stage's duration without looking at each stage.
class TimeSteps {
 public:
  TimeSteps() = default;  // of no table: no two wholes are known to give the same times
  explicit TimeSteps(const std::vector<ShareTimeTable>& tables);
  std::size_t first_sms() const { return first_sms_; }
  std::size_t step_of(std::size_t whole) const { return step_[std::min(whole, step_.size() - 1)]; }

 private:
  std::vector<std::size_t> step_{0};  // per whole SM count, the changes of any table at or below it
  std::size_t first_sms_ = static_cast<std::size_t>(-1);  // the largest first count of the tables
};

}  // namespace sgprs::sim
