#include "simulator/sim/simulated_platform.hpp"

namespace sgprs::sim {

SimulatedPlatform::SimulatedPlatform(const PolicyPlan& plan, const UnitTimes& times, const GpuShape& gpu,
                                     const UnitTimes* occupied, const Interference* interference)
    : plan_(plan), times_(times), occupied_(interference != nullptr ? occupied : nullptr), gpu_(plan.pool(), gpu) {
  gpu_.use_interference(occupied_ != nullptr ? interference : nullptr);
  gpu_.use_time_steps(&times.steps());
  queue_.reserve(4 * plan.tasks().size() + 16);
  cancelled_.reserve(64);
}

Ns SimulatedPlatform::run(RunCore& core) {
  core.begin();
  Ns now = 0;
  for (;;) {
    const Ns gpu_next = gpu_.next_finish_ns();
    const Ns queue_next = queue_.next_time();
    const Ns start_next = pending_.empty() ? kNever : pending_.top().time_ns;
    if (gpu_next == kNever && queue_next == kNever && start_next == kNever) break;
    if (start_next < gpu_next && start_next <= queue_next) {  // a unit reaches the GPU
      now = start_next;
      const PendingStart s = pending_.top();
      pending_.pop();
      start_on_gpu(s.time_ns, s.task, s.unit, s.job, s.partition);
      continue;
    }
    if (gpu_next <= queue_next) {  // finishes first within a nanosecond
      now = gpu_next;
      const FinishedStage done = gpu_.finish_next(now);
      --running_;
      if (!held_.empty()) start_held(now);  // before the core: the freed place goes to the first held unit
      core.on_unit_finished(now, done.tag.task, done.tag.unit, done.partition);
      continue;
    }
    const Timer timer = queue_.pop();
    now = timer.time_ns;
    core.on_timer(timer);
  }
  core.check_ended();
  return now;
}

void SimulatedPlatform::queue_unit(Ns, int task, int unit, std::int64_t job, int) {
  if (overhead_ns_ != 0) queued_.note(task, unit, job);  // without an overhead there is nothing to tell apart
}

void SimulatedPlatform::start_unit(Ns now, int task, int unit, std::int64_t job, int partition) {
  // A queued unit is on its stream already: it reaches the GPU now, without the overhead.
  if (overhead_ns_ == 0 || queued_.take(task, unit, job))
    start_on_gpu(now, task, unit, job, partition);
  else
    pending_.push(PendingStart{now + overhead_ns_, pending_seq_++, task, unit, partition, job});
}

void SimulatedPlatform::start_on_gpu(Ns now, int task, int unit, std::int64_t job, int partition) {
  if (running_limit_ > 0 && running_ >= running_limit_) {
    held_.push_back(HeldUnit{task, unit, partition, job});
    return;
  }
  start_running(now, task, unit, job, partition);
}

void SimulatedPlatform::start_held(Ns now) {
  while (!held_.empty() && running_ < running_limit_) {
    const HeldUnit h = held_.front();
    held_.pop_front();
    start_running(now, h.task, h.unit, h.job, h.partition);
  }
}

void SimulatedPlatform::start_running(Ns now, int task, int unit, std::int64_t job, int partition) {
  ++running_;
  const int model = plan_.tasks()[static_cast<std::size_t>(task)].model;
  gpu_.start(now, partition, times_.of(model, unit), StageTag{task, unit, job},
             occupied_ != nullptr ? &occupied_->of(model, unit) : nullptr,
             share_weights_.empty() ? 1.0 : share_weights_[static_cast<std::size_t>(model)]);
}

void SimulatedPlatform::stop_task_units(Ns now, int task, std::vector<StoppedUnit>& out) {
  cancelled_.clear();
  gpu_.cancel_task(now, task, cancelled_);
  for (const FinishedStage& c : cancelled_) out.push_back(StoppedUnit{c.tag.task, c.tag.unit, c.partition});
  running_ -= static_cast<int>(cancelled_.size());
  // Held units of the task stop where they wait; the places the stopped ones held go to the others.
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->task == task) {
      out.push_back(StoppedUnit{it->task, it->unit, it->partition});
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  if (!held_.empty()) start_held(now);
  if (pending_.empty()) return;
  // Units of the task still on their way to the GPU stop too, in the order they were started.
  std::vector<PendingStart> keep;
  while (!pending_.empty()) {
    const PendingStart s = pending_.top();
    pending_.pop();
    if (s.task == task)
      out.push_back(StoppedUnit{s.task, s.unit, s.partition});
    else
      keep.push_back(s);
  }
  for (const PendingStart& s : keep) pending_.push(s);
}

}  // namespace sgprs::sim
