#include "simulator/engine/simulated_platform.hpp"

#include <stdexcept>

namespace sgprs::sim {

SimulatedPlatform::SimulatedPlatform(const RunPlan& plan, Scheduler& scheduler, const GpuShape& gpu,
                                     MetricsCollector* metrics, std::vector<Observer*> observers, Ns duration_ns)
    : plan_(plan),
      scheduler_(scheduler),
      gpu_(plan.pool(), gpu),
      metrics_(metrics),
      observers_(std::move(observers)),
      duration_ns_(duration_ns),
      abort_at_deadline_(scheduler.options().miss_policy == MissPolicy::kAbort) {
  tasks_.resize(plan.tasks().size());
  std::size_t units = 0;
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    tasks_[t].preds_base = units;
    units += plan.model_of(static_cast<int>(t)).units.size();
  }
  preds_left_.assign(units, 0);
  queue_.reserve(4 * tasks_.size() + 16);
  decisions_.reserve(64);
  cancelled_.reserve(64);
}

StageRef SimulatedPlatform::ref(int task, int unit) const {
  const TaskState& s = tasks_[static_cast<std::size_t>(task)];
  return StageRef{task, unit, s.active_job, s.release_ns, s.deadline_ns};
}

void SimulatedPlatform::emit(EventKind kind, Ns now, int task, int unit, int partition, JobOutcome outcome,
                             Ns until_ns) {
  ++events_;
  if (kind == EventKind::kStart || kind == EventKind::kFinish) ++stage_events_;
  if (!metrics_ && observers_.empty()) return;
  const TaskState& s = tasks_[static_cast<std::size_t>(task)];
  SimEvent e;
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
  if (metrics_) metrics_->on_event(e);  // needs no stage deadline
  if (observers_.empty()) return;
  if (unit >= 0) e.stage_deadline_ns = scheduler_.stage_deadline(ref(task, unit));
  for (Observer* o : observers_) o->on_event(e);
}

Ns SimulatedPlatform::run() {
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) schedule_next_release(t, 0);
  Ns now = 0;
  for (;;) {
    const Ns gpu_next = gpu_.next_finish_ns();
    const Ns queue_next = queue_.next_time();
    if (gpu_next == kNever && queue_next == kNever) break;
    if (gpu_next <= queue_next) {  // finishes first within a nanosecond
      now = gpu_next;
      finish_stage(now);
      continue;
    }
    const QueuedEvent e = queue_.pop();
    now = e.time_ns;
    TaskState& task = tasks_[static_cast<std::size_t>(e.task)];
    switch (e.kind) {
      case QueuedKind::kRelease:
        release(e.task, e.job, now);
        break;
      case QueuedKind::kDeadline:
        if (task.active_job == e.job) abort_job(e.task, now);
        break;
      case QueuedKind::kDeferEnd:
        if (task.active_job == e.job) {  // an aborted job's stage no longer waits
          decisions_.clear();
          scheduler_.defer_ended(ref(e.task, e.unit), now, decisions_);
          apply(now);
        }
        break;
    }
  }
  for (const TaskState& s : tasks_)
    if (s.active_job >= 0) throw std::logic_error("simulated platform: a job never ended (a stage was never started)");
  return now;
}

void SimulatedPlatform::schedule_next_release(int task, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  const TaskPlan& plan = plan_.tasks()[static_cast<std::size_t>(task)];
  for (;;) {
    const Ns release = plan.offset_ns + s.next_job * plan.period_ns;
    if (release >= duration_ns_) return;
    if (now > release + plan.period_ns) {  // its whole period passed while the previous job ran
      s.active_job = s.next_job;
      s.release_ns = release;
      s.deadline_ns = release + plan.deadline_ns;
      emit(EventKind::kSkip, now, task, -1, -1);
      s.active_job = -1;
      ++s.next_job;
      continue;
    }
    queue_.push(std::max(release, now), QueuedKind::kRelease, task, -1, s.next_job);
    ++s.next_job;
    return;
  }
}

void SimulatedPlatform::release(int task, std::int64_t job, Ns now) {
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  const TaskPlan& plan = plan_.tasks()[static_cast<std::size_t>(task)];
  if (s.active_job >= 0) throw std::logic_error("simulated platform: release while a job of the task is active");
  s.active_job = job;
  s.release_ns = plan.offset_ns + job * plan.period_ns;
  s.deadline_ns = s.release_ns + plan.deadline_ns;
  s.units_done = 0;
  const ModelPlan& model = plan_.model_of(task);
  for (std::size_t u = 0; u < model.units.size(); ++u)
    preds_left_[s.preds_base + u] = static_cast<int>(model.units[u].predecessors.size());
  emit(EventKind::kRelease, now, task, -1, -1);
  if (abort_at_deadline_) queue_.push(std::max(s.deadline_ns, now), QueuedKind::kDeadline, task, -1, job);
  for (int unit : model.source_units) {
    decisions_.clear();
    scheduler_.stage_ready(ref(task, unit), now, decisions_);
    apply(now);
  }
}

void SimulatedPlatform::finish_stage(Ns now) {
  const FinishedStage done = gpu_.finish_next(now);
  const int task = done.tag.task;
  const int unit = done.tag.unit;
  TaskState& s = tasks_[static_cast<std::size_t>(task)];
  emit(EventKind::kFinish, now, task, unit, done.partition);
  decisions_.clear();
  scheduler_.stage_finished(ref(task, unit), done.partition, now, decisions_);
  apply(now);

  const ModelPlan& model = plan_.model_of(task);
  if (++s.units_done == static_cast<int>(model.units.size())) {
    end_job(task, now, now <= s.deadline_ns ? JobOutcome::kOnTime : JobOutcome::kLate);
    return;
  }
  for (int next : model.units[static_cast<std::size_t>(unit)].successors) {
    if (--preds_left_[s.preds_base + static_cast<std::size_t>(next)] != 0) continue;
    decisions_.clear();
    scheduler_.stage_ready(ref(task, next), now, decisions_);
    apply(now);
  }
}

void SimulatedPlatform::end_job(int task, Ns now, JobOutcome outcome) {
  emit(EventKind::kJobEnd, now, task, -1, -1, outcome);
  tasks_[static_cast<std::size_t>(task)].active_job = -1;
  schedule_next_release(task, now);
}

void SimulatedPlatform::abort_job(int task, Ns now) {
  cancelled_.clear();
  gpu_.cancel_task(now, task, cancelled_);
  for (const FinishedStage& c : cancelled_) {
    ++stage_events_;
    emit(EventKind::kCancel, now, task, c.tag.unit, c.partition);
  }
  decisions_.clear();
  scheduler_.job_dropped(task, now, decisions_);
  end_job(task, now, JobOutcome::kAborted);
  apply(now);
}

void SimulatedPlatform::apply(Ns now) {
  // Starting a stage never calls the scheduler back, so `decisions_` is stable here.
  for (const Decision& d : decisions_) {
    const StageRef& st = d.stage;
    switch (d.kind) {
      case Decision::Kind::kAssign:
        emit(EventKind::kDecision, now, st.task, st.unit, d.partition);
        break;
      case Decision::Kind::kDefer:
        emit(EventKind::kDecision, now, st.task, st.unit, -1, JobOutcome::kNone, d.until_ns);
        queue_.push(d.until_ns, QueuedKind::kDeferEnd, st.task, st.unit, st.job);
        break;
      case Decision::Kind::kStart: {
        if (tasks_[static_cast<std::size_t>(st.task)].active_job != st.job)
          throw std::logic_error("simulated platform: start for a job that is not active");
        const Unit& unit = plan_.model_of(st.task).units[static_cast<std::size_t>(st.unit)];
        gpu_.start(now, d.partition, *unit.gpu_times, StageTag{st.task, st.unit, st.job});
        emit(EventKind::kStart, now, st.task, st.unit, d.partition);
        break;
      }
    }
  }
  decisions_.clear();
}

}  // namespace sgprs::sim
