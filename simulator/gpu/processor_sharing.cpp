#include "simulator/gpu/processor_sharing.hpp"

#include <algorithm>
#include <cmath>
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
  partition_atoms_.resize(partitions);
  for (int piece = 0; piece <= gpu.pieces; ++piece) {
    std::vector<int> members;
    for (std::size_t p = 0; p < partitions; ++p) {
      const auto& pieces = pool.partitions[p].pieces;
      if (std::find(pieces.begin(), pieces.end(), piece) != pieces.end()) members.push_back(static_cast<int>(p));
    }
    if (members.empty()) continue;
    const int sms = piece == gpu.pieces ? gpu.remainder_sms : gpu.piece_sms;
    auto [it, inserted] = atom_of_signature.emplace(members, static_cast<int>(atom_sms_.size()));
    if (inserted) {
      atom_sms_.push_back(0);
      atom_partitions_.push_back(members);
      for (int p : members) partition_atoms_[static_cast<std::size_t>(p)].push_back(it->second);
    }
    atom_sms_[static_cast<std::size_t>(it->second)] += sms;
  }
  for (std::size_t p = 0; p < partitions; ++p)
    if (partition_atoms_[p].empty())
      throw std::invalid_argument("partition '" + pool.partitions[p].name + "' holds no piece of the GPU");
  coupled_.resize(partitions);
  for (std::size_t p = 0; p < partitions; ++p) {
    std::vector<int>& out = coupled_[p];
    for (int atom : partition_atoms_[p])
      for (int q : atom_partitions_[static_cast<std::size_t>(atom)]) out.push_back(q);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  running_.assign(partitions, 0);
  share_.assign(partitions, 0.0);
}

void ProcessorSharing::add_running(int partition, int delta) {
  int& count = running_[static_cast<std::size_t>(partition)];
  count += delta;
  if (count < 0) throw std::logic_error("processor sharing: negative running count");
  for (int q : coupled_[static_cast<std::size_t>(partition)]) recompute(q);
}

void ProcessorSharing::recompute(int partition) {
  const auto p = static_cast<std::size_t>(partition);
  if (running_[p] == 0) {
    share_[p] = 0.0;
    return;
  }
  double share = 0.0;
  for (int atom : partition_atoms_[p]) {
    int users = 0;
    for (int q : atom_partitions_[static_cast<std::size_t>(atom)]) users += running_[static_cast<std::size_t>(q)];
    share += static_cast<double>(atom_sms_[static_cast<std::size_t>(atom)]) / users;
  }
  share_[p] = share;
}

}  // namespace sgprs::sim
