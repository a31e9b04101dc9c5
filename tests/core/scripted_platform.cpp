#include "scripted_platform.hpp"

#include <algorithm>

namespace sgprs::sim::test {

Ns ScriptedPlatform::run(RunCore& core) {
  core.begin();
  Ns now = 0;
  for (;;) {
    auto finish = std::min_element(running_.begin(), running_.end(), [](const Running& a, const Running& b) {
      return a.finish_ns != b.finish_ns ? a.finish_ns < b.finish_ns : a.seq < b.seq;
    });
    auto timer = std::min_element(timers_.begin(), timers_.end(), [](const Armed& a, const Armed& b) {
      if (a.timer.time_ns != b.timer.time_ns) return a.timer.time_ns < b.timer.time_ns;
      if (a.timer.kind != b.timer.kind) return a.timer.kind < b.timer.kind;
      return a.seq < b.seq;
    });
    const bool have_finish = finish != running_.end();
    const bool have_timer = timer != timers_.end();
    if (!have_finish && !have_timer) break;
    if (have_finish && (!have_timer || finish->finish_ns <= timer->timer.time_ns)) {
      const Running done = *finish;
      running_.erase(finish);
      now = done.finish_ns;
      core.on_unit_finished(now, done.task, done.unit, done.partition);
      continue;
    }
    const Timer fired = timer->timer;
    timers_.erase(timer);
    now = fired.time_ns;
    core.on_timer(fired);
  }
  core.check_ended();
  return now;
}

void ScriptedPlatform::start_unit(Ns now, int task, int unit, std::int64_t, int partition) {
  running_.push_back(Running{task, unit, partition, now + duration_(task, unit, partition), seq_++});
}

void ScriptedPlatform::arm_timer(const Timer& timer) { timers_.push_back(Armed{timer, seq_++}); }

void ScriptedPlatform::stop_task_units(Ns, int task, std::vector<StoppedUnit>& out) {
  std::vector<Running> kept;
  std::sort(running_.begin(), running_.end(), [](const Running& a, const Running& b) { return a.seq < b.seq; });
  for (const Running& r : running_) {
    if (r.task == task)
      out.push_back(StoppedUnit{r.task, r.unit, r.partition});
    else
      kept.push_back(r);
  }
  running_ = std::move(kept);
}

}  // namespace sgprs::sim::test
