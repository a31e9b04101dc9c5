#include "simulator/live/fake_executor.hpp"

#include <algorithm>
#include <thread>

namespace sgprs::live {

FakeStageExecutor::FakeStageExecutor(Duration duration, VirtualClock& clock)
    : duration_(std::move(duration)), virtual_clock_(&clock) {
  report_.device_name = "fake (virtual clock)";
}

FakeStageExecutor::FakeStageExecutor(Duration duration, const SteadyHostClock& clock)
    : duration_(std::move(duration)), steady_clock_(&clock) {
  report_.device_name = "fake (host timers)";
}

Ns FakeStageExecutor::now() const { return virtual_clock_ ? virtual_clock_->now() : steady_clock_->now(); }

void FakeStageExecutor::advance_to(Ns t) {
  if (virtual_clock_) {
    virtual_clock_->advance_to(t);
    return;
  }
  const Ns wait = t - steady_clock_->now();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

void FakeStageExecutor::launch(const UnitLaunch& unit, Ns now_ns) {
  Ns start = now_ns;
  Ns* stream_free = nullptr;
  if (one_stream_) {
    if (stream_free_ns_.size() <= static_cast<std::size_t>(unit.partition))
      stream_free_ns_.resize(static_cast<std::size_t>(unit.partition) + 1, 0);
    stream_free = &stream_free_ns_[static_cast<std::size_t>(unit.partition)];
    start = std::max(start, *stream_free);
  }
  const Ns end = std::min(kNever / 2, start + duration_(unit));  // a unit that never ends (a stall) stays so
  if (stream_free != nullptr) *stream_free = end;
  running_.push_back(Running{unit, now_ns, start, end, seq_++});
}

void FakeStageExecutor::wait(Ns until_ns, std::vector<UnitCompletion>& out) {
  const auto first = [](const Running& a, const Running& b) {
    return a.end_ns != b.end_ns ? a.end_ns < b.end_ns : a.seq < b.seq;
  };
  std::sort(running_.begin(), running_.end(), first);
  const Ns next_end = running_.empty() ? kNever : running_.front().end_ns;
  const Ns target = std::min(next_end, until_ns);
  if (target != kNever && target > now()) advance_to(target);
  const Ns noticed = now();
  std::size_t done = 0;
  while (done < running_.size() && running_[done].end_ns <= noticed) {
    const Running& r = running_[done];
    out.push_back(UnitCompletion{r.unit, r.launch_ns, r.start_ns, r.end_ns, std::max(noticed, r.end_ns)});
    ++done;
  }
  running_.erase(running_.begin(), running_.begin() + static_cast<long>(done));
}

}  // namespace sgprs::live
