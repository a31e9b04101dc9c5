#include "simulator/sim/gpu_model.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sgprs::sim {

namespace {

// std::ceil for the values finish_after meets (|x| < 2^63), without a libm call or a branch
// (whether x is whole is a coin toss, so a branch would be mispredicted half the time).
double ceil_exact(double x) {
  const auto whole = static_cast<double>(static_cast<std::int64_t>(x));  // x truncated toward zero
  return whole + static_cast<double>(whole < x);
}

Ns finish_after(Ns now, double remaining, Ns duration) {
  // The tolerance absorbs rounding in `remaining`, so an undisturbed stage ends
  // exactly `duration` ns after its start and never one ns late.
  const double left = ceil_exact(remaining * static_cast<double>(duration) - 1e-6);
  return now + (left > 0 ? static_cast<Ns>(left) : 0);
}

}  // namespace

GpuModel::GpuModel(const Layout& pool, const GpuShape& gpu)
    : sharing_(pool, gpu), max_parallel_(pool.max_parallel), partitions_(pool.partitions.size()) {
  for (PartitionStages& p : partitions_) p.stages.reserve(static_cast<std::size_t>(std::min(max_parallel_, 64)));
}

void GpuModel::start(Ns now, int partition, const ShareTimeTable& times, StageTag tag) {
  if (now < now_) throw std::logic_error("gpu model: time went backwards");
  if (sharing_.running(partition) >= max_parallel_)
    throw std::logic_error("gpu model: partition " + std::to_string(partition) + " already runs max_parallel stages");
  now_ = now;
  partitions_[static_cast<std::size_t>(partition)].stages.push_back(
      Running{tag, &times, 1.0, 0, now, now, now, next_seq_++});
  sharing_.add_running(partition, +1);
  rescale(now, partition);
}

FinishedStage GpuModel::finish_next(Ns now) {
  if (next_partition_ < 0 || now != next_finish_ns_) throw std::logic_error("gpu model: no stage finishes now");
  const PartitionStages& p = partitions_[static_cast<std::size_t>(next_partition_)];
  const Running& done = p.stages[p.next_index];
  FinishedStage out{done.tag, next_partition_, done.start_ns};
  remove_at(next_partition_, p.next_index, now);
  return out;
}

void GpuModel::cancel_task(Ns now, int task, std::vector<FinishedStage>& out) {
  for (;;) {
    int pick_partition = -1;
    std::size_t pick = 0;
    std::uint64_t pick_seq = 0;
    for (std::size_t p = 0; p < partitions_.size(); ++p) {
      const std::vector<Running>& stages = partitions_[p].stages;
      for (std::size_t i = 0; i < stages.size(); ++i)
        if (stages[i].tag.task == task && (pick_partition < 0 || stages[i].start_seq < pick_seq))
          pick_partition = static_cast<int>(p), pick = i, pick_seq = stages[i].start_seq;
    }
    if (pick_partition < 0) return;
    const Running& r = partitions_[static_cast<std::size_t>(pick_partition)].stages[pick];
    out.push_back(FinishedStage{r.tag, pick_partition, r.start_ns});
    remove_at(pick_partition, pick, now);
  }
}

void GpuModel::remove_at(int partition, std::size_t index, Ns now) {
  now_ = now;
  std::vector<Running>& stages = partitions_[static_cast<std::size_t>(partition)].stages;
  stages[index] = stages.back();
  stages.pop_back();
  sharing_.add_running(partition, -1);
  rescale(now, partition);
}

void GpuModel::rescale(Ns now, int changed_partition) {
  for (int q : sharing_.coupled(changed_partition)) rescale_partition(now, q);
  next_finish_ns_ = kNever;
  next_partition_ = -1;
  std::uint64_t next_seq = 0;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    const PartitionStages& ps = partitions_[p];
    if (ps.stages.empty()) continue;
    const Running& r = ps.stages[ps.next_index];
    if (r.finish_ns < next_finish_ns_ || (r.finish_ns == next_finish_ns_ && r.start_seq < next_seq)) {
      next_finish_ns_ = r.finish_ns;
      next_seq = r.start_seq;
      next_partition_ = static_cast<int>(p);
    }
  }
}

void GpuModel::rescale_partition(Ns now, int partition) {
  PartitionStages& ps = partitions_[static_cast<std::size_t>(partition)];
  const double share = sharing_.share(partition);
  // Written without data-dependent branches but one: the stages here have little in common
  // (other units, other start instants), so a branch on their values is often mispredicted.
  Ns next_finish = kNever;
  std::uint64_t next_seq = 0;
  std::size_t next_index = 0;
  for (std::size_t i = 0; i < ps.stages.size(); ++i) {
    Running& r = ps.stages[i];
    const Ns duration = r.times->at(share);  // > 0, so a stage just started (duration 0) always passes
    if (duration != r.duration_ns) {
      // Work done at the old speed since the last update; none for a stage just started
      // (updated_ns is now, and 0 / 1 is exactly 0).
      const double done = static_cast<double>(now - r.updated_ns) /
                          static_cast<double>(r.duration_ns != 0 ? r.duration_ns : 1);
      const double remaining = r.remaining - done;
      r.remaining = remaining < 0 ? 0.0 : remaining;
      r.updated_ns = now;
      r.duration_ns = duration;
      r.finish_ns = finish_after(now, r.remaining, duration);
    }
    const bool first = r.finish_ns < next_finish || (r.finish_ns == next_finish && r.start_seq < next_seq);
    next_finish = first ? r.finish_ns : next_finish;
    next_seq = first ? r.start_seq : next_seq;
    next_index = first ? i : next_index;
  }
  ps.next_index = next_index;
}

}  // namespace sgprs::sim
