#include "simulator/policy/scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sgprs::sim {

Layout Scheduler::on_make_pool(const Layout& requested, const GpuShape&, std::size_t) const { return requested; }

void Scheduler::reset(const PolicyPlan& plan) {
  plan_ = &plan;
  const auto partitions = static_cast<std::size_t>(plan.partition_count());
  unit_base_.resize(plan.tasks().size());
  std::size_t slots = 0;
  for (std::size_t t = 0; t < plan.tasks().size(); ++t) {
    unit_base_[t] = static_cast<int>(slots);
    slots += plan.model_of(static_cast<int>(t)).units.size();
  }
  held_.assign(slots, -1);
  // Room for every stage in small runs; a large run grows these as its queues need.
  entries_.clear();
  entries_.reserve(std::min<std::size_t>(slots, 4096));
  free_.clear();
  free_.reserve(entries_.capacity());
  order_ = waiting_order();
  fifo_ = order_ == WaitingOrder::kFifo;
  max_parallel_ = plan.pool().max_parallel;
  queues_.assign(partitions, Queue{});
  if (!fifo_)
    for (Queue& q : queues_) q.waiting.reserve(std::min<std::size_t>(slots, 4096));
  running_.assign(partitions, 0);
  slot_scratch_.reserve(static_cast<std::size_t>(plan.pool().max_parallel));
  next_seq_ = 0;
  on_reset();
  binds_late_ = on_binds_late();
  // A chained successor waits on its partition's one stream behind the stage that runs there.
  chains_stages_ = binds_late_ && on_chains_stages() && plan.pool().max_parallel == 1;
  queues_on_streams_ = on_queues_on_streams() && fifo_ && plan.pool().max_parallel == 1 &&
                       options_.miss_policy != MissPolicy::kAbort;
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
  if (!binds_late_) return;
  bind_out_ = &out;
  on_bind_held(now);
  bind_out_ = nullptr;
}

void Scheduler::bind(const StageRef& stage, int partition, Ns now) {
  if (!bind_out_) throw std::logic_error("scheduler: bind() outside on_bind_held()");
  if (partition < 0 || partition >= partition_count()) throw std::logic_error("scheduler: bound to a partition that does not exist");
  assign(stage, partition, now, *bind_out_);
}

void Scheduler::queue_behind(const StageRef& next, int partition) {
  if (!bind_out_ || !chains_stages_) throw std::logic_error("scheduler: queue_behind() outside on_bind_held() or without chaining");
  if (partition < 0 || partition >= partition_count() || running(partition) == 0)
    throw std::logic_error("scheduler: a successor queued behind a partition that runs nothing");
  bind_out_->emplace_back(Decision::Kind::kQueue, next, partition, -1);
}

void Scheduler::dispatch(const StageRef& stage, Ns now, bool after_defer, std::vector<Decision>& out) {
  const Choice choice = on_stage_ready(stage, now, after_defer);
  if (choice.hold) {
    if (!binds_late_) throw std::logic_error("scheduler: held a stage without binding late (on_binds_late)");
    return;
  }
  if (choice.partition >= 0) {
    if (choice.partition >= partition_count()) throw std::logic_error("scheduler: chose a partition that does not exist");
    assign(stage, choice.partition, now, out);
    return;
  }
  if (after_defer || choice.defer_until <= now)
    throw std::logic_error("scheduler: a stage may be deferred once, and only into the future");
  out.emplace_back(Decision::Kind::kDefer, stage, -1, choice.defer_until);
}

bool Scheduler::waits_before(int a, int b) const {
  const Entry& x = entries_[static_cast<std::size_t>(a)];
  const Entry& y = entries_[static_cast<std::size_t>(b)];
  return x.key < y.key || (x.key == y.key && x.seq < y.seq);
}

void Scheduler::heap_up(Queue& q, std::size_t pos) {
  const int slot = q.waiting[pos];
  while (pos > 0) {
    const std::size_t parent = (pos - 1) / 2;
    if (!waits_before(slot, q.waiting[parent])) break;
    q.waiting[pos] = q.waiting[parent];
    entries_[static_cast<std::size_t>(q.waiting[pos])].heap_pos = static_cast<int>(pos);
    pos = parent;
  }
  q.waiting[pos] = slot;
  entries_[static_cast<std::size_t>(slot)].heap_pos = static_cast<int>(pos);
}

void Scheduler::heap_down(Queue& q, std::size_t pos) {
  const int slot = q.waiting[pos];
  const std::size_t n = q.waiting.size();
  for (;;) {
    std::size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && waits_before(q.waiting[child + 1], q.waiting[child])) ++child;
    if (!waits_before(q.waiting[child], slot)) break;
    q.waiting[pos] = q.waiting[child];
    entries_[static_cast<std::size_t>(q.waiting[pos])].heap_pos = static_cast<int>(pos);
    pos = child;
  }
  q.waiting[pos] = slot;
  entries_[static_cast<std::size_t>(slot)].heap_pos = static_cast<int>(pos);
}

void Scheduler::heap_remove(Queue& q, int index) {
  Entry& e = entries_[static_cast<std::size_t>(index)];
  const auto pos = static_cast<std::size_t>(e.heap_pos);
  e.heap_pos = -1;
  const int last = q.waiting.back();
  q.waiting.pop_back();
  if (pos == q.waiting.size()) return;
  q.waiting[pos] = last;
  heap_up(q, pos);
  heap_down(q, static_cast<std::size_t>(entries_[static_cast<std::size_t>(last)].heap_pos));
}

void Scheduler::remove_entry(int index) {
  Entry& e = entries_[static_cast<std::size_t>(index)];
  Queue& q = queues_[static_cast<std::size_t>(e.partition)];
  if (q.first_waiting == index) q.first_waiting = e.next;  // FIFO: the entries after it wait too
  (e.prev >= 0 ? entries_[static_cast<std::size_t>(e.prev)].next : q.head) = e.next;
  (e.next >= 0 ? entries_[static_cast<std::size_t>(e.next)].prev : q.tail) = e.prev;
  --q.size;
  q.predicted_sum -= e.predicted_ns;
  if (e.heap_pos >= 0) heap_remove(q, index);
  held_entry(e.stage.task, e.stage.unit) = -1;
  free_.push_back(index);
}

void Scheduler::assign(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out) {
  const Ns predicted = predicted_ns(stage, partition);
  const std::uint64_t seq = next_seq_++;
  Ns key = 0;
  switch (order_) {
    case WaitingOrder::kFifo: key = static_cast<Ns>(seq); break;
    case WaitingOrder::kEdf: key = stage_deadline(stage); break;
    case WaitingOrder::kLeastSlack: key = stage_deadline(stage) - predicted; break;  // slack = key - now
    case WaitingOrder::kJobEdf: key = stage.deadline_ns; break;
  }
  int& held = held_entry(stage.task, stage.unit);
  if (held >= 0) throw std::logic_error("scheduler: a stage was assigned while it was still held");
  if (free_.empty()) {
    free_.push_back(static_cast<int>(entries_.size()));
    entries_.emplace_back();
  }
  const int index = free_.back();
  free_.pop_back();
  held = index;
  Queue& q = queues_[static_cast<std::size_t>(partition)];
  entries_[static_cast<std::size_t>(index)] = Entry{stage, key, seq, -1, predicted, partition, q.tail, -1, -1};
  (q.tail >= 0 ? entries_[static_cast<std::size_t>(q.tail)].next : q.head) = index;
  q.tail = index;
  ++q.size;
  q.predicted_sum += predicted;
  if (fifo_) {
    if (q.first_waiting < 0) q.first_waiting = index;
  } else {
    q.waiting.push_back(index);
    heap_up(q, q.waiting.size() - 1);
  }
  out.emplace_back(Decision::Kind::kAssign, stage, partition, -1);
  start_waiting(partition, now, out, index, &stage);
  if (queues_on_streams_ && entries_[static_cast<std::size_t>(index)].started_ns < 0)
    out.emplace_back(Decision::Kind::kQueue, stage, partition, -1);
}

void Scheduler::start_waiting(int partition, Ns now, std::vector<Decision>& out, int fresh_index,
                              const StageRef* fresh_stage) {
  Queue& q = queues_[static_cast<std::size_t>(partition)];
  int& running = running_[static_cast<std::size_t>(partition)];
  while (running < max_parallel_) {
    int index = -1;
    if (fifo_) {
      index = q.first_waiting;
      if (index < 0) return;
      q.first_waiting = entries_[static_cast<std::size_t>(index)].next;
    } else {
      if (q.waiting.empty()) return;
      index = q.waiting.front();
      heap_remove(q, index);
    }
    Entry& pick = entries_[static_cast<std::size_t>(index)];
    pick.started_ns = now;
    ++running;
    // The entry assign() wrote just before is announced from assign's own StageRef: the entry's
    // copy, still in the store buffer and written in other pieces than a StageRef copy reads them,
    // would be a load no store can forward (a stall at most starts; perf put half of this
    // function's samples on it).
    out.emplace_back(Decision::Kind::kStart, index == fresh_index ? *fresh_stage : pick.stage, partition, -1);
  }
}

void Scheduler::stage_finished(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out) {
  if (partition < 0 || partition >= partition_count()) throw std::logic_error("scheduler: finish on an unknown partition");
  const int index = held_entry(stage.task, stage.unit);
  if (index < 0) throw std::logic_error("scheduler: a stage finished that it never started there");
  const Entry& e = entries_[static_cast<std::size_t>(index)];
  if (e.partition != partition || e.stage.job != stage.job || e.started_ns < 0)
    throw std::logic_error("scheduler: a stage finished that it never started there");
  const Ns ran_ns = now - e.started_ns;
  remove_entry(index);
  --running_[static_cast<std::size_t>(partition)];
  start_waiting(partition, now, out);
  if (binds_late_ && !on_stage_finished(stage, partition, ran_ns)) bind_held(now, out);
}

void Scheduler::job_dropped(int task, Ns now, std::vector<Decision>& out) {
  const std::size_t units = plan_->model_of(task).units.size();
  for (std::size_t u = 0; u < units; ++u) {
    const int index = held_entry(task, static_cast<int>(u));
    if (index < 0) continue;
    const Entry& e = entries_[static_cast<std::size_t>(index)];
    if (e.started_ns >= 0) --running_[static_cast<std::size_t>(e.partition)];
    remove_entry(index);
  }
  on_task_dropped(task, true);
  for (int p = 0; p < partition_count(); ++p) start_waiting(p, now, out);
  bind_held(now, out);
}

void Scheduler::drop_waiting_stages(int task, Ns now, std::vector<Decision>& out) {
  (void)now;
  (void)out;  // forgetting waiting stages frees no slot
  const std::size_t units = plan_->model_of(task).units.size();
  for (std::size_t u = 0; u < units; ++u) {
    const int index = held_entry(task, static_cast<int>(u));
    if (index >= 0 && entries_[static_cast<std::size_t>(index)].started_ns < 0) remove_entry(index);
  }
  on_task_dropped(task, false);
}

Ns Scheduler::predicted_free_ns(int partition, Ns now) const {
  const Queue& queue = queues_[static_cast<std::size_t>(partition)];
  if (queue.size == 0) return now;
  if (options_.completion_estimate == CompletionEstimate::kSerial) {
    // Paper §4.4: from the head's start if it is predicted still running, as if the queue ran one by one.
    const Entry& head = entries_[static_cast<std::size_t>(queue.head)];
    const Ns f = (head.started_ns >= 0 && head.started_ns + head.predicted_ns >= now) ? head.started_ns : now;
    return f + queue.predicted_sum;
  }
  // max_parallel-aware: running stages hold their slots until predicted done
  // (never before now); waiting stages, in assignment order, take the slot that
  // frees first; the answer is when the first slot is free after them.
  auto& slots = slot_scratch_;
  slots.clear();
  for (int i = queue.head; i >= 0; i = entries_[static_cast<std::size_t>(i)].next) {
    const Entry& e = entries_[static_cast<std::size_t>(i)];
    if (e.started_ns >= 0) slots.push_back(std::max(e.started_ns + e.predicted_ns, now));
  }
  while (static_cast<int>(slots.size()) < plan_->pool().max_parallel) slots.push_back(now);
  for (int i = queue.head; i >= 0; i = entries_[static_cast<std::size_t>(i)].next) {
    const Entry& e = entries_[static_cast<std::size_t>(i)];
    if (e.started_ns >= 0) continue;
    auto first = std::min_element(slots.begin(), slots.end());
    *first += e.predicted_ns;
  }
  return *std::min_element(slots.begin(), slots.end());
}

}  // namespace sgprs::sim
