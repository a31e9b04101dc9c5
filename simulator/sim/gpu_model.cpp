#include "simulator/sim/gpu_model.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sgprs::sim {

namespace {

Ns finish_after(Ns now, double remaining, Ns duration) {
  // The tolerance absorbs rounding in `remaining`, so an undisturbed stage ends
  // exactly `duration` ns after its start and never one ns late.
  const double left = std::ceil(remaining * static_cast<double>(duration) - 1e-6);
  return now + (left > 0 ? static_cast<Ns>(left) : 0);
}

}  // namespace

GpuModel::GpuModel(const Layout& pool, const GpuShape& gpu)
    : sharing_(pool, gpu), max_parallel_(pool.max_parallel), weight_(pool.partitions.size(), 0.0) {
  running_.reserve(pool.partitions.size() * static_cast<std::size_t>(max_parallel_));
}

void GpuModel::start(Ns now, int partition, const ShareTimeTable& times, StageTag tag,
                     const ShareTimeTable* occupied) {
  if (now < now_) throw std::logic_error("gpu model: time went backwards");
  if (sharing_.running(partition) >= max_parallel_)
    throw std::logic_error("gpu model: partition " + std::to_string(partition) + " already runs max_parallel stages");
  now_ = now;
  running_.push_back(Running{tag, partition, &times, occupied, 1.0, 0, now, now, now, next_seq_++});
  sharing_.add_running(partition, +1);
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
  running_[index] = running_.back();
  running_.pop_back();
  sharing_.add_running(partition, -1);
  rescale(now, partition, sharing_.running(partition) == 0);
}

void GpuModel::update_weights() {
  for (std::size_t p = 0; p < weight_.size(); ++p)
    weight_[p] = interference_->weight(static_cast<int>(p), sharing_.busy_sms_outside(static_cast<int>(p)));
}

Ns GpuModel::duration_of(const Running& r) const {
  const double share = sharing_.share(r.partition);
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
  for (Running& r : running_) {
    bool touched = all;
    for (int q : coupled) touched = touched || q == r.partition;
    if (!touched) continue;
    const Ns duration = duration_of(r);
    if (r.duration_ns != 0) {
      if (duration == r.duration_ns) continue;  // same speed: nothing to bring up to date
      r.remaining -= static_cast<double>(now - r.updated_ns) / static_cast<double>(r.duration_ns);
      if (r.remaining < 0) r.remaining = 0;
    }
    r.updated_ns = now;
    r.duration_ns = duration;
    r.finish_ns = finish_after(now, r.remaining, duration);
  }
  refresh_next();
}

void GpuModel::refresh_next() {
  next_finish_ns_ = kNever;
  for (std::size_t i = 0; i < running_.size(); ++i) {
    const Running& r = running_[i];
    if (r.finish_ns < next_finish_ns_ ||
        (r.finish_ns == next_finish_ns_ && r.start_seq < running_[next_index_].start_seq)) {
      next_finish_ns_ = r.finish_ns;
      next_index_ = i;
    }
  }
}

}  // namespace sgprs::sim
