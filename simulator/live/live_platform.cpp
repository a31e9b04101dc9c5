#include "simulator/live/live_platform.hpp"

#include "common/errors.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace sgprs::live {

LivePlatform::LivePlatform(const sim::PolicyPlan& plan, StageExecutor& executor, const HostClock& clock,
                           LiveOptions options)
    : plan_(plan), executor_(executor), clock_(clock), options_(std::move(options)) {
  timers_.reserve(4 * plan.tasks().size() + 16);
  job_release_ns_.assign(plan.tasks().size(), -1);
}

void LivePlatform::launch(Ns now, const UnitLaunch& unit) {
  const Ns launch_start = SteadyHostClock::steady_now();
  executor_.launch(unit, now + origin_);
  const Ns launch_time = SteadyHostClock::steady_now() - launch_start;
  stats_.launch.push_back(launch_time);
  launch_ns_in_call_ += launch_time;
  in_flight_.push_back(InFlight{unit, now});
  ++stats_.launches;
  Ns& released = job_release_ns_[static_cast<std::size_t>(unit.task)];
  if (released >= 0) {
    stats_.release_to_launch.push_back(now - released);
    released = -1;
  }
}

void LivePlatform::start_unit(Ns now, int task, int unit, std::int64_t job, int partition) {
  if (queued_.take(task, unit, job)) return;  // on its stream already
  launch(now, UnitLaunch{task, unit, job, partition});
}

void LivePlatform::queue_unit(Ns now, int task, int unit, std::int64_t job, int partition) {
  launch(now, UnitLaunch{task, unit, job, partition});
  queued_.note(task, unit, job);
}

void LivePlatform::deliver(sim::RunCore& core, const UnitCompletion& c, Ns& last) {
  const auto still_queued = [this](const UnitCompletion& u) {
    return queued_.holds(u.launch.task, u.launch.unit, u.launch.job);
  };
  if (still_queued(c)) {
    held_.push_back(c);
    return;
  }
  last = std::max(last, c.noticed_ns);
  stats_.end_to_noticed.push_back(c.noticed_ns - c.gpu_end_ns);
  stats_.launch_to_start.push_back(c.gpu_start_ns - c.launch_ns);
  const sim::UnitStamps stamps{c.launch_ns, c.gpu_start_ns, c.gpu_end_ns};
  call_core([&] { core.on_unit_finished(last, c.launch.task, c.launch.unit, c.launch.partition, &stamps); });
  // The core may have started queued units whose ends were held back: they follow, in order.
  for (auto it = std::find_if_not(held_.begin(), held_.end(), still_queued); it != held_.end();
       it = std::find_if_not(held_.begin(), held_.end(), still_queued)) {
    const UnitCompletion next = *it;
    held_.erase(it);
    deliver(core, next, last);
  }
}

void LivePlatform::call_core(const std::function<void()>& call) {
  launch_ns_in_call_ = 0;
  const Ns start = SteadyHostClock::steady_now();
  call();
  const Ns whole = SteadyHostClock::steady_now() - start;
  stats_.core_call.push_back(whole);
  stats_.decision.push_back(std::max<Ns>(0, whole - launch_ns_in_call_));
}

Ns LivePlatform::now() const { return clock_.now() - origin_; }

Ns LivePlatform::next_stall_deadline() const {
  Ns earliest = kNever;
  for (const InFlight& f : in_flight_) earliest = std::min(earliest, f.launched_ns + options_.stall_timeout_ns);
  return earliest;
}

void LivePlatform::report_stall(Ns now) const {
  const InFlight* oldest = &in_flight_.front();
  for (const InFlight& f : in_flight_)
    if (f.launched_ns < oldest->launched_ns) oldest = &f;
  const sim::TaskPlan& task = plan_.tasks()[static_cast<std::size_t>(oldest->unit.task)];
  const sim::ModelPlan& model = plan_.models()[static_cast<std::size_t>(task.model)];
  char text[512];
  std::snprintf(text, sizeof text,
                "unit '%s' of task %d (job %lld) on partition '%s', launched %.3f s into the run, has not finished "
                "after %.1f s (%zu units in flight): the device is stuck or far slower than the profile",
                model.units[static_cast<std::size_t>(oldest->unit.unit)].name.c_str(), oldest->unit.task,
                static_cast<long long>(oldest->unit.job),
                plan_.pool().partitions[static_cast<std::size_t>(oldest->unit.partition)].name.c_str(),
                static_cast<double>(oldest->launched_ns) / 1e9,
                static_cast<double>(now - oldest->launched_ns) / 1e9, in_flight_.size());
  throw GpuError(text);
}

void LivePlatform::wait_for_work(Ns next_timer, std::vector<UnitCompletion>& done) {
  if (options_.spin_ns <= 0 || next_timer == kNever) {
    executor_.wait(next_timer == kNever ? kNever : next_timer + origin_, done);
  } else {
    executor_.wait(next_timer - options_.spin_ns + origin_, done);
    // Polls, giving the CPU to a runnable thread of this machine's, if any, between looks.
    while (done.empty() && clock_.now() < next_timer + origin_) {
      executor_.wait(clock_.now(), done);
      if (done.empty()) std::this_thread::yield();
    }
  }
  for (UnitCompletion& c : done) {  // onto the run's time line
    c.launch_ns -= origin_;
    c.gpu_start_ns -= origin_;
    c.gpu_end_ns -= origin_;
    c.noticed_ns -= origin_;
  }
}

Ns LivePlatform::run(sim::RunCore& core) {
  const ScopedRealtimePriority realtime(options_.realtime_priority);
  if (!realtime.refused().empty()) throw InputError("--realtime-priority", "", realtime.refused());
  stats_.control_thread_policy = thread_policy_name();
  stats_.usable_cpus = usable_cpus();
  const ThreadAccounting accounting_before = read_thread_accounting();
  origin_ = clock_.now();
  core.begin();
  std::vector<UnitCompletion> done;
  done.reserve(64);
  Ns last = 0;
  Ns next_progress = options_.progress_every_ns;
  Ns stop_at = kNever;  // drain deadline once stopped
  for (;;) {
    const bool stopping = options_.stop && options_.stop->load(std::memory_order_relaxed);
    if (stopping && stop_at == kNever) {
      stats_.interrupted = true;
      stop_at = now() + options_.drain_timeout_ns;
    }
    if (stopping) {  // no more releases: drop the release timers, keep the others
      sim::TimerQueue kept;
      while (!timers_.empty()) {
        const sim::Timer t = timers_.pop();
        if (t.kind != sim::TimerKind::kRelease) kept.push(t);
      }
      timers_ = std::move(kept);
      if (core.active_jobs() == 0 || now() >= stop_at) {
        stats_.drained = core.active_jobs() == 0;
        break;
      }
    }
    if (timers_.empty() && executor_.in_flight() == 0) break;
    done.clear();
    const Ns stall_at = next_stall_deadline();
    const Ns wake_at = std::min(stopping ? std::min(timers_.next_time(), stop_at) : timers_.next_time(), stall_at);
    wait_for_work(wake_at, done);
    const Ns woke = this->now();
    if (wake_at != kNever && woke >= wake_at) stats_.wake_lateness.push_back(woke - wake_at);
    for (const UnitCompletion& c : done) {
      const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& f) {
        return f.unit.task == c.launch.task && f.unit.unit == c.launch.unit && f.unit.job == c.launch.job;
      });
      if (it != in_flight_.end()) {
        *it = in_flight_.back();
        in_flight_.pop_back();
      }
      deliver(core, c, last);
    }
    const Ns now = std::max(last, this->now());
    if (done.empty() && stall_at != kNever && now >= stall_at && next_stall_deadline() <= now) report_stall(now);
    while (!timers_.empty() && timers_.next_time() <= now) {
      sim::Timer t = timers_.pop();
      if (stopping && t.kind == sim::TimerKind::kRelease) continue;  // armed by a job that just ended
      if (t.kind == sim::TimerKind::kRelease) {
        stats_.release_jitter.push_back(now - t.time_ns);
        job_release_ns_[static_cast<std::size_t>(t.task)] = t.time_ns;
      }
      t.time_ns = now;
      last = now;
      call_core([&] { core.on_timer(t); });
    }
    stats_.loop_handling.push_back(this->now() - woke);
    if (options_.progress && now >= next_progress) {
      options_.progress(now);
      next_progress = now + options_.progress_every_ns;
    }
  }
  stats_.control_thread = accounting_between(accounting_before, read_thread_accounting());
  if (!stats_.interrupted) core.check_ended();
  return last;
}

}  // namespace sgprs::live
