#include "simulator/sim/processor_sharing.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <stdexcept>

namespace sgprs::sim {

Ns time_at_share(const SpeedupCurve& curve, double share_sms) {
  const int first_sms = curve.sm_counts().front();
  // The tolerance keeps sums such as 8/3 + 16/3 from flooring to 7 through rounding.
  const double whole = std::floor(share_sms + 1e-9);
  if (whole >= first_sms) return curve.time_at(static_cast<int>(whole));
  const double scaled = static_cast<double>(curve.times_ns().front()) * first_sms / share_sms;
  return static_cast<Ns>(std::ceil(scaled));
}

ProcessorSharing::ProcessorSharing(const Layout& pool, const GpuShape& gpu) {
  const std::size_t partitions = pool.partitions.size();
  // Membership signature per piece -> atom; std::map keeps atom order deterministic.
  std::map<std::vector<int>, int> atom_of_signature;
  std::vector<std::vector<int>> atom_partitions;
  std::vector<std::vector<int>> atoms_of(partitions);
  // The partitions holding each piece, ascending: one pass over the layout, not pieces x partitions.
  std::vector<std::vector<int>> members_of(static_cast<std::size_t>(gpu.pieces) + 1);
  for (std::size_t p = 0; p < partitions; ++p)
    for (int piece : pool.partitions[p].pieces)
      if (piece >= 0 && piece <= gpu.pieces) {
        std::vector<int>& members = members_of[static_cast<std::size_t>(piece)];
        if (members.empty() || members.back() != static_cast<int>(p)) members.push_back(static_cast<int>(p));
      }
  for (int piece = 0; piece <= gpu.pieces; ++piece) {
    const std::vector<int>& members = members_of[static_cast<std::size_t>(piece)];
    if (members.empty()) continue;
    const int sms = piece == gpu.pieces ? gpu.remainder_sms : gpu.piece_sms;
    auto [it, inserted] = atom_of_signature.emplace(members, static_cast<int>(atom_sms_.size()));
    if (inserted) {
      atom_sms_.push_back(0);
      atom_partitions.push_back(members);
      for (int p : members) atoms_of[static_cast<std::size_t>(p)].push_back(it->second);
    }
    atom_sms_[static_cast<std::size_t>(it->second)] += sms;
  }
  atom_begin_.push_back(0);
  for (std::size_t p = 0; p < partitions; ++p) {
    if (atoms_of[p].empty())
      throw std::invalid_argument("partition '" + pool.partitions[p].name + "' holds no piece of the GPU");
    partition_atoms_.insert(partition_atoms_.end(), atoms_of[p].begin(), atoms_of[p].end());
    atom_begin_.push_back(partition_atoms_.size());
  }
  coupled_.resize(partitions);
  for (std::size_t p = 0; p < partitions; ++p) {
    std::vector<int>& out = coupled_[p];
    for (int atom : atoms_of[p])
      for (int q : atom_partitions[static_cast<std::size_t>(atom)]) out.push_back(q);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  atom_users_.assign(atom_sms_.size(), 0.0);
  atom_units_.assign(atom_sms_.size(), 0);
  running_.assign(partitions, 0);
  for (const Partition& p : pool.partitions) weight_.push_back(p.share_weight);
  share_.assign(partitions, 0.0);
  for (double w : weight_) unit_users_ = unit_users_ && w == 1.0;
  quotient_.assign(atom_sms_.size() * kQuotients, 0.0);
  for (std::size_t a = 0; a < atom_sms_.size(); ++a)
    for (std::size_t n = 1; n < kQuotients; ++n) quotient_[a * kQuotients + n] = atom_sms_[a] / static_cast<double>(n);
  if (unit_users_ && pool.max_parallel > 0) {
    memo_max_count_ = pool.max_parallel;
    const auto counts = static_cast<std::size_t>(pool.max_parallel) + 1;
    std::size_t combinations = 1;
    for (std::size_t p = 0; p < partitions && combinations * partitions <= kMemoShares; ++p) {
      memo_stride_.push_back(combinations);
      combinations *= counts;
    }
    if (memo_stride_.size() == partitions && combinations * partitions <= kMemoShares)
      memo_shares_.assign(combinations * partitions, -1.0);
    else
      memo_stride_.clear();
  }
}

void ProcessorSharing::use_strict_priorities(const Layout& pool, bool floor) {
  const std::vector<int> levels = priority_levels(pool);
  if (std::all_of(levels.begin(), levels.end(), [](int l) { return l == 0; })) return;
  if (std::any_of(running_.begin(), running_.end(), [](int r) { return r > 0; }))
    throw std::logic_error("processor sharing: strict priorities set while stages run");
  strict_.emplace(levels, atom_sms_.size(), floor);
  users_.assign(running_.size(), 0.0);
  caps_.assign(running_.size(), 0.0);
  busy_.assign(running_.size(), 0.0);
  // Levels order the partitions; the weights no longer weigh the split (nor is atom_users_ kept).
  std::fill(weight_.begin(), weight_.end(), 1.0);
  std::vector<int> all(running_.size());
  for (std::size_t p = 0; p < all.size(); ++p) all[p] = static_cast<int>(p);
  std::fill(coupled_.begin(), coupled_.end(), all);
}

void ProcessorSharing::add_running(int partition, int delta, double demand, double cap, double busy) {
  const auto p = static_cast<std::size_t>(partition);
  running_[p] += delta;
  if (running_[p] < 0) throw std::logic_error("processor sharing: negative running count");
  if (strict_) {
    for (std::size_t i = atom_begin_[p]; i < atom_begin_[p + 1]; ++i)
      atom_units_[static_cast<std::size_t>(partition_atoms_[i])] += delta;
    // Reset when idle, so additions and removals of unequal demands leave no rounding residue.
    users_[p] = running_[p] == 0 ? 0.0 : users_[p] + delta * demand;
    caps_[p] = running_[p] == 0 ? 0.0 : caps_[p] + delta * cap;
    busy_[p] = running_[p] == 0 ? 0.0 : busy_[p] + delta * busy;
    strict_->compute(AtomView{atom_sms_, partition_atoms_, atom_begin_}, running_, users_, caps_, busy_, share_);
    return;
  }
  // While every stage weighs 1, n(a) is the atom's unit count, so only the counts are kept; the
  // first other demand takes n(a) up from them (a sum of +-1.0 is exact: the same values).
  if (unit_users_ && demand != 1.0) {
    unit_users_ = false;
    for (std::size_t a = 0; a < atom_users_.size(); ++a) atom_users_[a] = static_cast<double>(atom_units_[a]);
  }
  const std::size_t atoms_end = atom_begin_[p + 1];
  if (unit_users_) {
    for (std::size_t i = atom_begin_[p]; i < atoms_end; ++i) atom_units_[static_cast<std::size_t>(partition_atoms_[i])] += delta;
  } else {
    for (std::size_t i = atom_begin_[p]; i < atoms_end; ++i) {
      const auto atom = static_cast<std::size_t>(partition_atoms_[i]);
      atom_users_[atom] += delta * demand * weight_[p];
      atom_units_[atom] += delta;
    }
  }
  if (!memo_stride_.empty()) {
    memo_index_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(memo_index_) +
                                           delta * static_cast<std::ptrdiff_t>(memo_stride_[p]));
    if (running_[p] > memo_max_count_) memo_stride_.clear();
  }
  if (unit_users_ && !memo_stride_.empty()) {
    double* known = memo_shares_.data() + memo_index_ * running_.size();
    for (int q : coupled_[p]) {
      const auto qi = static_cast<std::size_t>(q);
      if (known[qi] < 0) {
        recompute(q);
        known[qi] = share_[qi];
      } else {
        share_[qi] = known[qi];
      }
    }
    return;
  }
  for (int q : coupled_[p]) recompute(q);
}

int ProcessorSharing::units_sharing(int partition) const {
  const auto p = static_cast<std::size_t>(partition);
  int most = 0;
  for (std::size_t i = atom_begin_[p]; i < atom_begin_[p + 1]; ++i)
    most = std::max(most, atom_units_[static_cast<std::size_t>(partition_atoms_[i])]);
  return most;
}

double ProcessorSharing::busy_sms_outside(int partition) const {
  const auto p = static_cast<std::size_t>(partition);
  double busy = 0.0;
  for (std::size_t a = 0; a < atom_sms_.size(); ++a)
    if (atom_units_[a] > 0) busy += atom_sms_[a];
  for (std::size_t i = atom_begin_[p]; i < atom_begin_[p + 1]; ++i) {
    const auto atom = static_cast<std::size_t>(partition_atoms_[i]);
    if (atom_units_[atom] > 0) busy -= atom_sms_[atom];
  }
  return busy;
}

}  // namespace sgprs::sim
