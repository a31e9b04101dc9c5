#include "simulator/policy/slot_plan.hpp"

#include "simulator/policy/block_name.hpp"

#include <algorithm>
#include <limits>

namespace sgprs::sim {

int most_efficient_slot_sms(const PolicyPlan& plan) {
  std::vector<int> sizes;
  for (const ModelPlan& model : plan.models())
    for (const Unit& unit : model.units)
      for (int s : unit.predicted_curve->sm_counts()) sizes.push_back(s);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  int best = sizes.empty() ? 1 : sizes.front();
  double best_cost = std::numeric_limits<double>::infinity();
  for (int s : sizes) {
    double cost = 0;
    for (const TaskPlan& task : plan.tasks()) {
      double job = 0;
      for (const Unit& unit : plan.models()[static_cast<std::size_t>(task.model)].units)
        job += static_cast<double>(s) * static_cast<double>(unit.predicted_curve->time_at(s));
      cost += job / static_cast<double>(task.period_ns);
    }
    if (cost < best_cost) best = s, best_cost = cost;
  }
  return best;
}

std::vector<int> partition_slots(const PolicyPlan& plan, int slot_sms) {
  const int limit = plan.pool().max_parallel;
  std::vector<int> slots;
  if (slot_sms == kMoldableSlots) return std::vector<int>(plan.pool().partitions.size(), 1);
  const int per_slot = slot_sms == -1 ? most_efficient_slot_sms(plan) : slot_sms;
  for (const Partition& p : plan.pool().partitions)
    slots.push_back(slot_sms == 0 ? limit : std::clamp(p.sms / std::max(per_slot, 1), 1, limit));
  return slots;
}

int pool_max_parallel(const Layout& pool, const GpuShape& gpu, int slot_sms) {
  if (slot_sms == 0) return pool.max_parallel;
  if (slot_sms == kMoldableSlots) return 1;
  // The efficient size is a measured count, never below one piece.
  const int smallest = slot_sms > 0 ? slot_sms : std::max(gpu.piece_sms, 1);
  int most = 1;
  for (const Partition& p : pool.partitions) most = std::max(most, p.sms / smallest);
  return most;
}


Layout moldable_pool(const Layout& requested, const GpuShape& gpu) {
  Layout pool;
  pool.name = requested.name + "/moldable";
  pool.max_parallel = 1;
  std::vector<Partition> wholes;
  const auto piece_sms = [&gpu](int piece) { return piece == gpu.pieces ? gpu.remainder_sms : gpu.piece_sms; };
  std::vector<std::pair<int, Partition>> blocks;  // (width in pieces, block)
  for (const Partition& part : requested.partitions) {
    const int n = static_cast<int>(part.pieces.size());
    for (int width = 1; width < n; width *= 2)
      for (int first = 0; first + width <= n; first += width) {
        // The remainder SMs run nothing alone (cuDNN fails on a green context of only them, H200,
        // docs/live.md): they belong only to blocks that hold pieces too.
        if (width == 1 && part.pieces[static_cast<std::size_t>(first)] == gpu.pieces) continue;
        // ... and join the block that ends just before them, so that the finest blocks cover every
        // SM (ResNet-18 on the 15 one-piece blocks of the H200 left 12 of 132 SMs idle).
        const bool remainder_next = first + width == n - 1 && part.pieces.back() == gpu.pieces;
        Partition block;
        block.pieces.assign(part.pieces.begin() + first, part.pieces.begin() + first + width + (remainder_next ? 1 : 0));
        if (block.pieces == part.pieces ||
            std::any_of(blocks.begin(), blocks.end(), [&](const auto& b) { return b.second.pieces == block.pieces; }))
          continue;  // already a block one width down, or the whole partition
        for (int piece : block.pieces) block.sms += piece_sms(piece);
        block.name = moldable_block_name(part.name, first, width);
        blocks.emplace_back(width, std::move(block));
      }
    wholes.push_back(part);
  }
  std::stable_sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [width, block] : blocks) pool.partitions.push_back(std::move(block));
  for (Partition& whole : wholes) pool.partitions.push_back(std::move(whole));
  return pool;
}

}  // namespace sgprs::sim
