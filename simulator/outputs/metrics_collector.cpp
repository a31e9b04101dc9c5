#include "simulator/outputs/metrics_collector.hpp"

#include "common/stats.hpp"

#include <algorithm>

namespace sgprs::sim {

void MetricsCollector::on_run_start(const RunInfo& info) {
  info_ = &info;
  tasks_.assign(info.task_names.size(), {});
  partitions_.assign(info.partition_names.size(), {});
  if (details_ && info.duration_ns > 0) {
    // About one period's worth of jobs per 33 ms; avoids regrowth on long runs. Not beyond 2^24
    // responses in all (128 MiB): a run of a million tasks would reserve gigabytes it never uses.
    const auto expected = static_cast<std::size_t>(info.duration_ns / (30 * kNsPerMs) + 8);
    if (expected <= (std::size_t{1} << 24) / std::max<std::size_t>(tasks_.size(), 1))
      for (TaskCounts& t : tasks_) t.responses.reserve(expected);
  }
}

void MetricsCollector::add_busy(PartitionBusy& p, Ns until) const {
  const Ns from = std::min(p.since, info_->duration_ns);
  const Ns to = std::min(until, info_->duration_ns);
  if (to > from) p.busy_ns += to - from;
}

void MetricsCollector::on_event(const RunEvent& e) {
  // Stage starts and finishes, most of a run's events, are counted here; the job events in a
  // function of their own, whose vector growth made every event save and restore six registers.
  switch (e.kind) {
    case EventKind::kStart: {
      PartitionBusy& p = partitions_[static_cast<std::size_t>(e.partition)];
      if (p.running++ == 0) p.since = e.time_ns;
      return;
    }
    case EventKind::kFinish:
    case EventKind::kCancel: {
      PartitionBusy& p = partitions_[static_cast<std::size_t>(e.partition)];
      if (--p.running == 0) add_busy(p, e.time_ns);
      return;
    }
    case EventKind::kDecision:
      return;
    default:
      count_job_event(e);
  }
}

void MetricsCollector::count_job_event(const RunEvent& e) {
  switch (e.kind) {
    case EventKind::kRelease:
      ++tasks_[static_cast<std::size_t>(e.task)].released;
      break;
    case EventKind::kSkip: {
      TaskCounts& t = tasks_[static_cast<std::size_t>(e.task)];
      ++t.released;
      ++t.skipped;
      break;
    }
    case EventKind::kJobEnd: {
      TaskCounts& t = tasks_[static_cast<std::size_t>(e.task)];
      if (e.outcome == JobOutcome::kAborted) {
        ++t.aborted;
        break;
      }
      ++t.completed;
      if (e.outcome == JobOutcome::kOnTime) ++t.on_time;
      if (details_) t.responses.push_back(e.time_ns - e.release_ns);
      break;
    }
    default:
      break;
  }
}

void MetricsCollector::on_run_end(Ns end_ns) {
  for (PartitionBusy& p : partitions_)
    if (p.running > 0) add_busy(p, end_ns);
}

void MetricsCollector::fill(Summary& s) const {
  s.tasks.clear();
  s.partitions.clear();
  s.jobs_released = s.jobs_completed = s.jobs_on_time = s.jobs_skipped = s.jobs_aborted = 0;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    const TaskCounts& c = tasks_[i];
    TaskSummary t;
    t.name = info_->task_names[i];
    t.jobs_released = c.released;
    t.jobs_completed = c.completed;
    t.jobs_on_time = c.on_time;
    t.jobs_skipped = c.skipped;
    t.jobs_aborted = c.aborted;
    t.miss_ratio = c.released > 0 ? static_cast<double>(c.released - c.on_time) / static_cast<double>(c.released) : 0;
    const MedianP99Max responses = median_p99_max(c.responses);
    t.response_p50_ns = responses.p50;
    t.response_p99_ns = responses.p99;
    t.response_max_ns = responses.max;
    s.jobs_released += c.released;
    s.jobs_completed += c.completed;
    s.jobs_on_time += c.on_time;
    s.jobs_skipped += c.skipped;
    s.jobs_aborted += c.aborted;
    s.tasks.push_back(std::move(t));
  }
  s.miss_ratio = s.jobs_released > 0
                     ? static_cast<double>(s.jobs_released - s.jobs_on_time) / static_cast<double>(s.jobs_released)
                     : 0;
  const double seconds = ns_to_seconds(info_->duration_ns);
  s.throughput_jobs_per_s = seconds > 0 ? static_cast<double>(s.jobs_completed) / seconds : 0;
  for (std::size_t p = 0; p < partitions_.size(); ++p)
    s.partitions.push_back(PartitionSummary{
        info_->partition_names[p], info_->partition_sms[p],
        info_->duration_ns > 0 ? static_cast<double>(partitions_[p].busy_ns) / static_cast<double>(info_->duration_ns)
                               : 0});
}

}  // namespace sgprs::sim
