#include "simulator/core/run_core.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgprs::sim {

RunCore::RunCore(const PolicyPlan& plan, Scheduler& scheduler, Platform& platform, std::vector<Observer*> observers,
                 Ns duration_ns)
    : plan_(plan),
      scheduler_(scheduler),
      platform_(platform),
      observers_(std::move(observers)),
      duration_ns_(duration_ns),
      abort_at_deadline_(scheduler.options().miss_policy == MissPolicy::kAbort),
      skip_late_(scheduler.overrun_policy() == OverrunPolicy::kSkipLate) {
  for (const Observer* o : observers_) {
    stage_deadlines_wanted_ = stage_deadlines_wanted_ || o->wants_stage_deadlines();
    std::uint32_t kinds = kind_bit(EventKind::kRelease) | kind_bit(EventKind::kSkip) | kind_bit(EventKind::kJobEnd);
    if (o->wants_decisions()) kinds |= kind_bit(EventKind::kDecision);
    if (o->wants_stage_events())
      kinds |= kind_bit(EventKind::kStart) | kind_bit(EventKind::kFinish) | kind_bit(EventKind::kCancel);
    wanted_kinds_ |= kinds;
  }
  tasks_.resize(plan.tasks().size());
  std::size_t units = 0;
  successor_begin_.push_back(0);
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    const ModelPlan& model = plan.model_of(static_cast<int>(t));
    tasks_[t].preds_base = units;
    tasks_[t].unit_count = static_cast<int>(model.units.size());
    units += model.units.size();
    for (const Unit& unit : model.units) {
      initial_preds_.push_back(static_cast<int>(unit.predecessors.size()));
      successor_list_.insert(successor_list_.end(), unit.successors.begin(), unit.successors.end());
      successor_begin_.push_back(successor_list_.size());
    }
  }
  preds_left_.assign(units, 0);
  decisions_.reserve(64);
  stopped_.reserve(64);
}

StageRef RunCore::ref(int task, int unit) const {
  const TaskState& s = tasks_[static_cast<std::size_t>(task)];
  return StageRef{task, unit, s.active_job, s.release_ns, s.deadline_ns};
}

void RunCore::notify(EventKind kind, Ns now, int task, int unit, int partition, JobOutcome outcome, Ns until_ns) {
  const TaskState& s = tasks_[static_cast<std::size_t>(task)];
  RunEvent e;
  e.time_ns = now;
  e.kind = kind;
  e.outcome = outcome;
  e.task = task;
  e.stage = unit;
  e.partition = partition;
  e.job = s.active_job;
  e.release_ns = s.release_ns;
  e.deadline_ns = s.deadline_ns;
  e.until_ns = until_ns;
  e.queued = start_queued_;
  if (unit >= 0 && stage_deadlines_wanted_) e.stage_deadline_ns = scheduler_.stage_deadline(ref(task, unit));
  if (finish_stamps_) {
    e.launch_ns = finish_stamps_->launch_ns;
    e.gpu_start_ns = finish_stamps_->gpu_start_ns;
    e.gpu_end_ns = finish_stamps_->gpu_end_ns;
  }
  for (Observer* o : observers_) o->on_event(e);
}

void RunCore::begin() {
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) schedule_next_release(t, 0);
}

void RunCore::on_timer(const Timer& timer) {
  const Ns now = timer.time_ns;
  const TaskState& task = tasks_[static_cast<std::size_t>(timer.task)];
  const bool current = task.active_job == timer.job && !task.dropping;
  switch (timer.kind) {
    case TimerKind::kRelease:
      release(timer.task, timer.job, now);
      break;
    case TimerKind::kDeadline:
      if (current) drop_job(timer.task, now);
      break;
    case TimerKind::kDeferEnd:
      if (current) {  // a dropped job's stage no longer waits
        decisions_.clear();
        scheduler_.defer_ended(ref(timer.task, timer.unit), now, decisions_);
        apply(now);
      }
      break;
  }
}

void RunCore::check_ended() const {
  for (const TaskState& s : tasks_)
    if (s.active_job >= 0) throw std::logic_error("run core: a job never ended (a stage was never started)");
}

void RunCore::schedule_next_release(int task, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  const TaskPlan& plan = plan_.tasks()[static_cast<std::size_t>(task)];
  for (;;) {
    const Ns release = plan.offset_ns + s.next_job * plan.period_ns;
    if (release >= duration_ns_) return;
    if (now > release + (skip_late_ ? 0 : plan.period_ns)) {  // its whole period (skip-late: its instant) passed
      s.active_job = s.next_job;
      s.release_ns = release;
      s.deadline_ns = release + plan.deadline_ns;
      emit(EventKind::kSkip, now, task, -1, -1);
      s.active_job = -1;
      ++s.next_job;
      continue;
    }
    platform_.arm_timer(
        Timer{std::max(release, now) + release_latency(task, s.next_job), TimerKind::kRelease, task, -1, s.next_job});
    ++s.next_job;
    return;
  }
}

Ns RunCore::release_latency(int task, std::int64_t job) const {
  if (release_latencies_ == nullptr || static_cast<std::size_t>(task) >= release_latencies_->size()) return 0;
  const std::vector<Ns>& of_task = (*release_latencies_)[static_cast<std::size_t>(task)];
  return static_cast<std::size_t>(job) < of_task.size() ? of_task[static_cast<std::size_t>(job)] : 0;
}

void RunCore::release(int task, std::int64_t job, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  const TaskPlan& plan = plan_.tasks()[static_cast<std::size_t>(task)];
  if (s.active_job >= 0) throw std::logic_error("run core: release while a job of the task is active");
  s.active_job = job;
  s.release_ns = plan.offset_ns + job * plan.period_ns;
  s.deadline_ns = s.release_ns + plan.deadline_ns;
  s.units_done = 0;
  s.units_running = 0;
  s.dropping = false;
  s.committed_unit = -1;
  ++active_jobs_;
  const ModelPlan& model = plan_.model_of(task);
  std::copy_n(initial_preds_.begin() + static_cast<std::ptrdiff_t>(s.preds_base), s.unit_count,
              preds_left_.begin() + static_cast<std::ptrdiff_t>(s.preds_base));
  emit(EventKind::kRelease, now, task, -1, -1);
  if (abort_at_deadline_) platform_.arm_timer(Timer{std::max(s.deadline_ns, now), TimerKind::kDeadline, task, -1, job});
  for (int unit : model.source_units) {
    decisions_.clear();
    scheduler_.stage_ready(ref(task, unit), now, decisions_);
    apply(now);
  }
}

void RunCore::on_unit_finished(Ns now, int task, int unit, int partition, const UnitStamps* stamps) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  if (s.active_job < 0 || s.units_running <= 0)
    throw std::logic_error("run core: a unit finished that was not running");
  finish_stamps_ = stamps;
  emit(EventKind::kFinish, now, task, unit, partition);
  finish_stamps_ = nullptr;
  --s.units_running;
  decisions_.clear();
  scheduler_.stage_finished(ref(task, unit), partition, now, decisions_);
  apply(now);

  if (s.dropping) {
    if (s.committed_unit >= 0) start_committed(task, unit, now);
    if (s.units_running == 0) end_job(task, now, JobOutcome::kAborted);
    return;
  }
  if (++s.units_done == s.unit_count) {
    end_job(task, now, now <= s.deadline_ns ? JobOutcome::kOnTime : JobOutcome::kLate);
    return;
  }
  const std::size_t at = s.preds_base + static_cast<std::size_t>(unit);
  for (std::size_t i = successor_begin_[at]; i < successor_begin_[at + 1]; ++i) {
    const int next = successor_list_[i];
    if (--preds_left_[s.preds_base + static_cast<std::size_t>(next)] != 0) continue;
    decisions_.clear();
    scheduler_.stage_ready(ref(task, next), now, decisions_);
    apply(now);
  }
}

void RunCore::start_committed(int task, int finished_unit, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  const std::size_t at = s.preds_base + static_cast<std::size_t>(finished_unit);
  for (std::size_t i = successor_begin_[at]; i < successor_begin_[at + 1]; ++i) {
    const int next = successor_list_[i];
    if (next != s.committed_unit || --preds_left_[s.preds_base + static_cast<std::size_t>(next)] != 0) continue;
    decisions_.clear();
    scheduler_.stage_ready(ref(task, next), now, decisions_);
    apply(now);
    if (s.committed_unit >= 0)
      throw std::logic_error("run core: a unit queued on a stream was not started when its dropped job's predecessor ended");
  }
}

void RunCore::end_job(int task, Ns now, JobOutcome outcome) {
  emit(EventKind::kJobEnd, now, task, -1, -1, outcome);
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  s.active_job = -1;
  s.dropping = false;
  --active_jobs_;
  schedule_next_release(task, now);
}

void RunCore::drop_job(int task, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  decisions_.clear();
  if (platform_.can_stop_units()) {
    stopped_.clear();
    platform_.stop_task_units(now, task, stopped_);
    for (const StoppedUnit& c : stopped_) {
      ++stage_events_;
      emit(EventKind::kCancel, now, task, c.unit, c.partition);
    }
    s.units_running = 0;
    s.committed_unit = -1;  // taken back with the units stopped
    scheduler_.job_dropped(task, now, decisions_);
    end_job(task, now, JobOutcome::kAborted);
    apply(now);
    return;
  }
  scheduler_.drop_waiting_stages(task, now, decisions_);
  s.dropping = true;
  if (s.units_running == 0) end_job(task, now, JobOutcome::kAborted);
  apply(now);
}

void RunCore::apply(Ns now) {
  // Starting a unit never calls the scheduler back, so `decisions_` is stable here.
  for (const Decision& d : decisions_) {
    const StageRef& st = d.stage;
    switch (d.kind) {
      case Decision::Kind::kAssign:
        emit(EventKind::kDecision, now, st.task, st.unit, d.partition);
        break;
      case Decision::Kind::kDefer:
        emit(EventKind::kDecision, now, st.task, st.unit, -1, JobOutcome::kNone, d.until_ns);
        platform_.arm_timer(Timer{d.until_ns, TimerKind::kDeferEnd, st.task, st.unit, st.job});
        break;
      case Decision::Kind::kQueue: {
        TaskState& s = tasks_[static_cast<std::size_t>(st.task)];
        if (s.active_job != st.job || s.dropping)
          throw std::logic_error("run core: queue for a job that is not active");
        platform_.queue_unit(now, st.task, st.unit, st.job, d.partition);
        s.committed_unit = st.unit;
        break;
      }
      case Decision::Kind::kStart: {
        TaskState& s = tasks_[static_cast<std::size_t>(st.task)];
        if (s.active_job != st.job || (s.dropping && st.unit != s.committed_unit))
          throw std::logic_error("run core: start for a job that is not active");
        start_queued_ = st.unit == s.committed_unit;
        if (start_queued_) s.committed_unit = -1;
        platform_.start_unit(now, st.task, st.unit, st.job, d.partition);
        ++s.units_running;
        emit(EventKind::kStart, now, st.task, st.unit, d.partition);
        start_queued_ = false;
        break;
      }
    }
  }
  decisions_.clear();
}

}  // namespace sgprs::sim
