#include "simulator/sim/priority_sharing.hpp"

#include "simulator/sim/packed_sharing.hpp"

#include <algorithm>
#include <functional>

namespace sgprs::sim {

double busy_sms_at_demand(const SpeedupCurve& curve, double demand) {
  return std::min(demand, unit_work(curve) / static_cast<double>(time_at_fractional_share(curve, demand)));
}

bool has_priorities(const Layout& pool) {
  return std::any_of(pool.partitions.begin(), pool.partitions.end(),
                     [&pool](const Partition& p) { return p.share_weight != pool.partitions.front().share_weight; });
}

std::vector<int> priority_levels(const Layout& pool) {
  std::vector<double> weights;
  for (const Partition& p : pool.partitions) weights.push_back(p.share_weight);
  std::sort(weights.begin(), weights.end(), std::greater<>());
  weights.erase(std::unique(weights.begin(), weights.end()), weights.end());
  std::vector<int> out;
  for (const Partition& p : pool.partitions)
    out.push_back(static_cast<int>(std::lower_bound(weights.begin(), weights.end(), p.share_weight, std::greater<>()) -
                                   weights.begin()));
  return out;
}

StrictPriorityShares::StrictPriorityShares(const std::vector<int>& levels, std::size_t atoms, bool floor)
    : avail_(atoms), users_(atoms), used_(atoms), all_users_(floor ? atoms : 0), floor_(floor) {
  for (std::size_t p = 0; p < levels.size(); ++p) {
    const auto level = static_cast<std::size_t>(levels[p]);
    if (by_level_.size() <= level) by_level_.resize(level + 1);
    by_level_[level].push_back(static_cast<int>(p));
  }
}

void StrictPriorityShares::compute(const AtomView& atoms, const std::vector<int>& running,
                                   const std::vector<double>& users, const std::vector<double>& caps,
                                   const std::vector<double>& busy, std::vector<double>& share) {
  std::fill(share.begin(), share.end(), 0.0);
  std::size_t lowest = by_level_.size();  // the least urgent level with a running unit
  for (std::size_t l = 0; l < by_level_.size(); ++l)
    for (int p : by_level_[l])
      if (running[static_cast<std::size_t>(p)] > 0) lowest = l;
  if (lowest == by_level_.size()) return;
  avail_ = atoms.atom_sms;
  const auto atoms_of = [&atoms](int p, auto&& visit) {
    const auto q = static_cast<std::size_t>(p);
    for (std::size_t i = atoms.atom_begin[q]; i < atoms.atom_begin[q + 1]; ++i)
      visit(static_cast<std::size_t>(atoms.partition_atoms[i]));
  };
  if (floor_) {
    std::fill(all_users_.begin(), all_users_.end(), 0.0);
    for (std::size_t q = 0; q < running.size(); ++q)
      if (running[q] > 0) atoms_of(static_cast<int>(q), [&](std::size_t a) { all_users_[a] += users[q]; });
  }
  for (std::size_t l = 0; l <= lowest; ++l) {
    std::fill(users_.begin(), users_.end(), 0.0);
    for (int p : by_level_[l])
      if (running[static_cast<std::size_t>(p)] > 0)
        atoms_of(p, [&](std::size_t a) { users_[a] += users[static_cast<std::size_t>(p)]; });
    std::fill(used_.begin(), used_.end(), 0.0);
    for (int p : by_level_[l]) {
      const auto q = static_cast<std::size_t>(p);
      if (running[q] == 0) continue;
      double s = 0.0;
      atoms_of(p, [&](std::size_t a) { s += avail_[a] / users_[a]; });
      const double given = s * users[q];
      if (l == lowest || given < caps[q]) {
        share[q] = s;  // uncapped, or short of SMs: keeps every SM it gets busy
        if (l == lowest) continue;
      } else {
        share[q] = caps[q] / users[q];
      }
      double charged = given < caps[q] ? given : busy[q];
      if (floor_ && given >= caps[q]) {
        double share_without_priorities = 0.0;  // s0(p)
        atoms_of(p, [&](std::size_t a) { share_without_priorities += atoms.atom_sms[a] / all_users_[a]; });
        const double lifted = std::min(share_without_priorities, s);
        if (lifted > share[q]) {
          share[q] = lifted;
          charged = lifted * users[q];
        }
      }
      // The part of what p was given that its units keep busy; the rest passes down.
      const double kept = given > 0 ? std::min(1.0, charged / given) : 0.0;
      atoms_of(p, [&](std::size_t a) { used_[a] += kept * users[q] * avail_[a] / users_[a]; });
    }
    if (l == lowest) break;
    // A level that uses an atom up leaves rounding residue, not SMs: below a billionth of the
    // atom counts as none (the units behind stall rather than run at a share of 1e-14 SMs).
    for (std::size_t a = 0; a < avail_.size(); ++a) {
      const double left = avail_[a] - used_[a];
      avail_[a] = left > 1e-9 * atoms.atom_sms[a] ? left : 0.0;
    }
  }
}

}  // namespace sgprs::sim
