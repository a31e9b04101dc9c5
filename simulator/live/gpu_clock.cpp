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
  reference_ = timing_event();
  next_ = timing_event();
  scratch_ = timing_event();
  const Bracket best = measure(reference_, scratch_, brackets);
  reference_ns_ = best.midpoint_ns;
  reference_taken_ns_ = best.midpoint_ns;
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

Ns GpuClock::since_reference_ns(cudaEvent_t event) const { return elapsed_ns(reference_.get(), event); }

void GpuClock::move_reference_forward(Ns now_ns) {
  if (next_recorded_) {
    const cudaError_t done = cudaEventQuery(next_.get());
    if (done == cudaErrorNotReady) return;
    if (done != cudaSuccess)
      detail::throw_gpu_error(done, "cudaEventQuery(next clock reference)", "moving the GPU clock reference");
    reference_ns_ += since_reference_ns(next_.get());
    std::swap(reference_, next_);
    next_recorded_ = false;
    reference_taken_ns_ = now_ns;
  } else if (now_ns - reference_taken_ns_ >= kReferenceEveryNs) {
    SGPRS_LIVE_CALL(cudaEventRecord(next_.get(), stream_), std::string("moving the GPU clock reference"));
    next_recorded_ = true;
  }
}

Ns GpuClock::host_ns(cudaEvent_t event) {
  std::lock_guard lock(mutex_);
  move_reference_forward(steady_clock_ns_now() - epoch_steady_ns_);
  return reference_ns_ + since_reference_ns(event);
}

Ns GpuClock::drift_ns(int brackets) {
  std::lock_guard lock(mutex_);
  profiler::Event probe = timing_event();
  const Bracket fresh = measure(probe, scratch_, brackets);
  return reference_ns_ + since_reference_ns(probe.get()) - fresh.midpoint_ns;
}

}  // namespace sgprs::live
