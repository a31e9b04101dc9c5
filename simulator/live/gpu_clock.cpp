#include "simulator/live/gpu_clock.hpp"

#include "simulator/live/executor_setup.hpp"
#include "simulator/live/gpu_call.hpp"

#include <cmath>
#include <utility>

namespace sgprs::live {

namespace {
constexpr Ns kReferenceEveryNs = kNsPerSecond;

profiler::Event timing_event() {
  cudaEvent_t event = nullptr;
  SGPRS_LIVE_CALL(cudaEventCreateWithFlags(&event, cudaEventDefault), std::string("creating a clock event"));
  return profiler::Event(event);
}

Ns elapsed_ns(cudaEvent_t from, cudaEvent_t to) {
  float ms = 0;
  SGPRS_LIVE_CALL(cudaEventElapsedTime(&ms, from, to), std::string("converting a GPU timestamp"));
  return std::llround(static_cast<double>(ms) * 1e6);
}
}  // namespace

GpuClock::GpuClock(cudaStream_t idle_stream, Ns epoch_steady_ns, int brackets)
    : stream_(idle_stream), epoch_steady_ns_(epoch_steady_ns) {
  base_ = timing_event();
  newer_ = timing_event();
  pending_ = timing_event();
  scratch_ = timing_event();
  const Bracket best = measure(base_, scratch_, brackets);
  base_ns_ = best.midpoint_ns;
  newer_taken_ns_ = best.midpoint_ns;
  uncertainty_ns_ = (best.width_ns + 1) / 2;
}

GpuClock::Bracket GpuClock::measure(profiler::Event& best, profiler::Event& scratch, int brackets) {
  Bracket tightest{0, kNever};
  for (int i = 0; i < brackets; ++i) {
    const Ns before = steady_clock_ns_now();
    SGPRS_LIVE_CALL(cudaEventRecord(scratch.get(), stream_), std::string("bracketing the GPU clock"));
    SGPRS_LIVE_CALL(cudaEventSynchronize(scratch.get()), std::string("bracketing the GPU clock"));
    const Ns after = steady_clock_ns_now();
    if (after - before < tightest.width_ns) {
      tightest = {(before + after) / 2 - epoch_steady_ns_, after - before};
      std::swap(best, scratch);
    }
  }
  return tightest;
}

void GpuClock::move_reference_forward(Ns now_ns) {
  if (pending_recorded_) {
    const cudaError_t done = cudaEventQuery(pending_.get());
    if (done == cudaErrorNotReady) return;
    if (done != cudaSuccess)
      detail::throw_gpu_error(done, "cudaEventQuery(next clock reference)", "moving the GPU clock reference");
    pending_recorded_ = false;
    newer_taken_ns_ = now_ns;
    if (!has_newer_) {  // the first step: the set-up reference stays the base
      newer_ns_ = base_ns_ + elapsed_ns(base_.get(), pending_.get());
      std::swap(newer_, pending_);
      has_newer_ = true;
      return;
    }
    const Ns pending_ns = newer_ns_ + elapsed_ns(newer_.get(), pending_.get());
    std::swap(base_, newer_);  // base <- newer
    base_ns_ = newer_ns_;
    std::swap(newer_, pending_);  // newer <- pending; the old base is recycled as the next pending
    newer_ns_ = pending_ns;
  } else if (now_ns - newer_taken_ns_ >= kReferenceEveryNs) {
    SGPRS_LIVE_CALL(cudaEventRecord(pending_.get(), stream_), std::string("moving the GPU clock reference"));
    pending_recorded_ = true;
  }
}

Ns GpuClock::host_ns(cudaEvent_t event) {
  std::lock_guard lock(mutex_);
  move_reference_forward(steady_clock_ns_now() - epoch_steady_ns_);
  return base_ns_ + elapsed_ns(base_.get(), event);
}

Ns GpuClock::drift_ns(int brackets) {
  std::lock_guard lock(mutex_);
  profiler::Event probe = timing_event();
  const Bracket fresh = measure(probe, scratch_, brackets);
  return base_ns_ + elapsed_ns(base_.get(), probe.get()) - fresh.midpoint_ns;
}

}  // namespace sgprs::live
