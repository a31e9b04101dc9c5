#include "simulator/policy/scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sgprs::sim {

Layout Scheduler::on_make_pool(const Layout& requested, const GpuShape&, std::size_t) const { return requested; }

void Scheduler::reset(const PolicyPlan& plan) {
  plan_ = &plan;
  const auto partitions = static_cast<std::size_t>(plan.partition_count());
  std::size_t most_units = 1;
  for (const ModelPlan& m : plan.models()) most_units = std::max(most_units, m.units.size());
  queues_.assign(partitions, {});
  for (auto& q : queues_) q.reserve(plan.tasks().size() * most_units);
  running_.assign(partitions, 0);
  slot_scratch_.reserve(static_cast<std::size_t>(plan.pool().max_parallel));
  next_seq_ = 0;
  on_reset();
}

void Scheduler::stage_ready(const StageRef& stage, Ns now, std::vector<Decision>& out) {
  if (!plan_) throw std::logic_error("scheduler: stage_ready before reset");
  if (stage.task < 0 || static_cast<std::size_t>(stage.task) >= plan_->tasks().size() || stage.unit < 0 ||
      static_cast<std::size_t>(stage.unit) >= plan_->model_of(stage.task).units.size())
    throw std::logic_error("scheduler: stage_ready for an unknown task or stage");
  dispatch(stage, now, false, out);
  bind_held(now, out);
}

void Scheduler::defer_ended(const StageRef& stage, Ns now, std::vector<Decision>& out) {
  dispatch(stage, now, true, out);
  bind_held(now, out);
}

void Scheduler::bind_held(Ns now, std::vector<Decision>& out) {
  bind_out_ = &out;
  on_bind_held(now);
  bind_out_ = nullptr;
}

void Scheduler::bind(const StageRef& stage, int partition, Ns now) {
  if (!bind_out_) throw std::logic_error("scheduler: bind() outside on_bind_held()");
  if (partition < 0 || partition >= partition_count()) throw std::logic_error("scheduler: bound to a partition that does not exist");
  assign(stage, partition, now, *bind_out_);
}

void Scheduler::dispatch(const StageRef& stage, Ns now, bool after_defer, std::vector<Decision>& out) {
  const Choice choice = on_stage_ready(stage, now, after_defer);
  if (choice.hold) return;
  if (choice.partition >= 0) {
    if (choice.partition >= partition_count()) throw std::logic_error("scheduler: chose a partition that does not exist");
    assign(stage, choice.partition, now, out);
    return;
  }
  if (after_defer || choice.defer_until <= now)
    throw std::logic_error("scheduler: a stage may be deferred once, and only into the future");
  out.push_back(Decision{Decision::Kind::kDefer, stage, -1, choice.defer_until});
}

void Scheduler::assign(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out) {
  const Ns predicted = predicted_ns(stage, partition);
  const std::uint64_t seq = next_seq_++;
  Ns key = 0;
  switch (waiting_order()) {
    case WaitingOrder::kFifo: key = static_cast<Ns>(seq); break;
    case WaitingOrder::kEdf: key = stage_deadline(stage); break;
    case WaitingOrder::kLeastSlack: key = stage_deadline(stage) - predicted; break;  // slack = key - now
    case WaitingOrder::kJobEdf: key = stage.deadline_ns; break;
  }
  queues_[static_cast<std::size_t>(partition)].push_back(Entry{stage, key, seq, -1, predicted});
  out.push_back(Decision{Decision::Kind::kAssign, stage, partition, -1});
  start_waiting(partition, now, out);
}

void Scheduler::start_waiting(int partition, Ns now, std::vector<Decision>& out) {
  auto& queue = queues_[static_cast<std::size_t>(partition)];
  int& running = running_[static_cast<std::size_t>(partition)];
  while (running < plan_->pool().max_parallel) {
    Entry* pick = nullptr;
    for (Entry& e : queue)
      if (e.started_ns < 0 && (!pick || e.key < pick->key || (e.key == pick->key && e.seq < pick->seq))) pick = &e;
    if (!pick) return;
    pick->started_ns = now;
    ++running;
    out.push_back(Decision{Decision::Kind::kStart, pick->stage, partition, -1});
  }
}

void Scheduler::stage_finished(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out) {
  if (partition < 0 || partition >= partition_count()) throw std::logic_error("scheduler: finish on an unknown partition");
  auto& queue = queues_[static_cast<std::size_t>(partition)];
  const auto it = std::find_if(queue.begin(), queue.end(), [&](const Entry& e) {
    return e.stage.task == stage.task && e.stage.unit == stage.unit && e.stage.job == stage.job && e.started_ns >= 0;
  });
  if (it == queue.end()) throw std::logic_error("scheduler: a stage finished that it never started there");
  queue.erase(it);
  --running_[static_cast<std::size_t>(partition)];
  start_waiting(partition, now, out);
  if (!on_stage_finished(stage, partition)) bind_held(now, out);
}

void Scheduler::job_dropped(int task, Ns now, std::vector<Decision>& out) {
  for (std::size_t p = 0; p < queues_.size(); ++p) {
    auto& queue = queues_[p];
    for (auto it = queue.begin(); it != queue.end();) {
      if (it->stage.task != task) {
        ++it;
        continue;
      }
      if (it->started_ns >= 0) --running_[p];
      it = queue.erase(it);
    }
  }
  on_task_dropped(task);
  for (int p = 0; p < partition_count(); ++p) start_waiting(p, now, out);
  bind_held(now, out);
}

void Scheduler::drop_waiting_stages(int task, Ns now, std::vector<Decision>& out) {
  (void)now;
  (void)out;  // forgetting waiting stages frees no slot
  for (auto& queue : queues_)
    std::erase_if(queue, [task](const Entry& e) { return e.stage.task == task && e.started_ns < 0; });
  on_task_dropped(task);
}

Ns Scheduler::predicted_free_ns(int partition, Ns now) const {
  const auto& queue = queues_[static_cast<std::size_t>(partition)];
  if (queue.empty()) return now;
  if (options_.completion_estimate == CompletionEstimate::kSerial) {
    // Paper §4.4: from the head's start if it is predicted still running, as if the queue ran one by one.
    const Entry& head = queue.front();
    Ns f = (head.started_ns >= 0 && head.started_ns + head.predicted_ns >= now) ? head.started_ns : now;
    for (const Entry& e : queue) f += e.predicted_ns;
    return f;
  }
  // max_parallel-aware: running stages hold their slots until predicted done
  // (never before now); waiting stages, in assignment order, take the slot that
  // frees first; the answer is when the first slot is free after them.
  auto& slots = slot_scratch_;
  slots.clear();
  for (const Entry& e : queue)
    if (e.started_ns >= 0) slots.push_back(std::max(e.started_ns + e.predicted_ns, now));
  while (static_cast<int>(slots.size()) < plan_->pool().max_parallel) slots.push_back(now);
  for (const Entry& e : queue) {
    if (e.started_ns >= 0) continue;
    auto first = std::min_element(slots.begin(), slots.end());
    *first += e.predicted_ns;
  }
  return *std::min_element(slots.begin(), slots.end());
}

}  // namespace sgprs::sim
