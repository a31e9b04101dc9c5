#include "simulator/sim/gpu_model.hpp"

#include <algorithm>
#include <cmath>
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
    : sharing_(pool, gpu), max_parallel_(pool.max_parallel), weight_(pool.partitions.size(), 0.0) {
  running_.reserve(pool.partitions.size() * static_cast<std::size_t>(std::min(max_parallel_, 64)));
  touched_.assign(pool.partitions.size(), 0);
  for (const Partition& p : pool.partitions) partition_sms_.push_back(p.sms);
}

void GpuModel::start(Ns now, int partition, const ShareTimeTable& times, StageTag tag,
                     const ShareTimeTable* occupied) {
  if (now < now_) throw std::logic_error("gpu model: time went backwards");
  if (sharing_.running(partition) >= max_parallel_)
    throw std::logic_error("gpu model: partition " + std::to_string(partition) + " already runs max_parallel stages");
  now_ = now;
  const int sms = partition_sms_[static_cast<std::size_t>(partition)];
  const double demand = packed_ != nullptr ? unit_demand(times.measured_curve(), sms) : 1.0;
  const double saving = packed_ != nullptr ? whole_gpu_saving_ns(times.measured_curve(), sms) : 0.0;
  running_.push_back(Running{tag, partition, &times, occupied, demand, saving, 1.0, 0, now, now, now, next_seq_++});
  sharing_.add_running(partition, +1, demand);
  rescale(now, partition, sharing_.running(partition) == 1);
}

FinishedStage GpuModel::finish_next(Ns now) {
  if (running_.empty() || now != next_finish_ns_) throw std::logic_error("gpu model: no stage finishes now");
  const Running& done = running_[next_index_];
  FinishedStage out{done.tag, done.partition, done.start_ns};
  remove_at(next_index_, now);
  return out;
}

void GpuModel::cancel_task(Ns now, int task, std::vector<FinishedStage>& out) {
  for (;;) {
    std::size_t pick = running_.size();
    for (std::size_t i = 0; i < running_.size(); ++i)
      if (running_[i].tag.task == task && (pick == running_.size() || running_[i].start_seq < running_[pick].start_seq))
        pick = i;
    if (pick == running_.size()) return;
    out.push_back(FinishedStage{running_[pick].tag, running_[pick].partition, running_[pick].start_ns});
    remove_at(pick, now);
  }
}

void GpuModel::remove_at(std::size_t index, Ns now) {
  now_ = now;
  const int partition = running_[index].partition;
  const double demand = running_[index].demand;
  running_[index] = running_.back();
  running_.pop_back();
  sharing_.add_running(partition, -1, demand);
  rescale(now, partition, sharing_.running(partition) == 0);
}

void GpuModel::update_weights() {
  for (std::size_t p = 0; p < weight_.size(); ++p)
    weight_[p] = interference_->weight(static_cast<int>(p), sharing_.busy_sms_outside(static_cast<int>(p)));
}

Ns GpuModel::packed_duration_of(const Running& r, int units) const {
  const double share = r.demand * sharing_.share(r.partition);
  const SpeedupCurve& curve = r.times->measured_curve();
  double t = (static_cast<double>(time_at_fractional_share(curve, share)) - r.saving_ns) * packed_->factor(units);
  if (interference_ != nullptr && r.occupied != nullptr) {
    const double w = weight_[static_cast<std::size_t>(r.partition)];
    const double ratio = static_cast<double>(time_at_fractional_share(r.occupied->measured_curve(), share)) /
                         static_cast<double>(time_at_fractional_share(curve, share));
    t *= 1.0 + w * (ratio - 1.0);
  }
  return std::max<Ns>(1, static_cast<Ns>(std::llround(t)));
}

Ns GpuModel::duration_of(const Running& r) const {
  // Alone on its SMs a unit runs as under the even split, whichever rule shares them.
  if (packed_ != nullptr) {
    const int units = sharing_.units_sharing(r.partition);
    if (units > 1) return packed_duration_of(r, units);
  }
  const double share = r.demand * sharing_.share(r.partition);  // demand is 1 under the even split
  const Ns isolated = r.times->at(share);
  if (interference_ == nullptr || r.occupied == nullptr) return isolated;
  const double w = weight_[static_cast<std::size_t>(r.partition)];
  return isolated + static_cast<Ns>(std::llround(w * static_cast<double>(r.occupied->at(share) - isolated)));
}

void GpuModel::rescale(Ns now, int changed_partition, bool busy_set_changed) {
  // A partition turning busy or idle changes every interference weight: then every stage moves.
  const bool all = interference_ != nullptr && busy_set_changed;
  if (all) update_weights();
  const std::vector<int>& coupled = sharing_.coupled(changed_partition);
  if (all)
    std::fill(touched_.begin(), touched_.end(), 1);
  else
    for (int q : coupled) touched_[static_cast<std::size_t>(q)] = 1;
  // Written with few data-dependent branches: the stages have little in common (other units,
  // other start instants), so a branch on their values would often be mispredicted.
  // One exception: stages of one unit at one share have one duration, looked up once per run of
  // them (naive runs many copies of one whole-model unit on one share, often below the curve's
  // first measured SM count, where the lookup computes). Under interference each stage's own
  // weight and occupied table count, so there is no sharing of lookups.
  const ShareTimeTable* last_times = nullptr;
  double last_share = -1;
  Ns last_duration = 0;
  Ns next_finish = kNever;
  std::uint64_t next_seq = 0;
  std::size_t next_index = 0;
  for (std::size_t i = 0; i < running_.size(); ++i) {
    Running& r = running_[i];
    if (touched_[static_cast<std::size_t>(r.partition)]) {
      Ns duration = 0;
      if (packed_ != nullptr || (interference_ != nullptr && r.occupied != nullptr)) {
        duration = duration_of(r);
      } else {
        const double share = sharing_.share(r.partition);
        if (r.times != last_times || share != last_share) {
          last_times = r.times;
          last_share = share;
          last_duration = r.times->at(share);
        }
        duration = last_duration;  // > 0: a stage just started always passes
      }
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
    }
    const bool first = r.finish_ns < next_finish || (r.finish_ns == next_finish && r.start_seq < next_seq);
    next_finish = first ? r.finish_ns : next_finish;
    next_seq = first ? r.start_seq : next_seq;
    next_index = first ? i : next_index;
  }
  std::fill(touched_.begin(), touched_.end(), 0);
  next_finish_ns_ = next_finish;
  next_index_ = next_index;
}

}  // namespace sgprs::sim
