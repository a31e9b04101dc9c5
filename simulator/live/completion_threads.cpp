// The threads of CudaStageExecutor that notice units ending and post them to the control
// thread's mailbox (cuda_executor_impl.hpp), one per ExecutorSetup::completion mechanism.
#include "simulator/live/cuda_executor_impl.hpp"
#include "simulator/live/gpu_call.hpp"

#include "profiler/driver_api.hpp"

#include <chrono>
#include <exception>

namespace sgprs::live {

namespace {
// With nothing in flight the polling thread keeps sweeping this long (a completion is usually
// followed by the next launch within microseconds), then sleeps between sweeps. A sleep (about
// 60 us with Linux's timer slack) delays noticing only units shorter than what is left of it.
constexpr Ns kPollLingerNs = 500 * kNsPerUs;
constexpr auto kIdlePollSleep = std::chrono::microseconds(20);
}  // namespace

void CUDART_CB CudaStageExecutor::Impl::on_unit_done(void* data) {
  auto* slot = static_cast<CudaStageExecutor::Impl::Slot*>(data);
  slot->noticed_ns = steady_clock_ns_now() - slot->owner->setup.epoch_steady_ns;
  slot->owner->finish(*slot);
}

void CudaStageExecutor::Impl::finish(Slot& slot) {
  slot.state.store(kNoticed, std::memory_order_release);
  noticed.post(&slot);
}

void CudaStageExecutor::Impl::fail(const std::string& text) {
  {
    const std::lock_guard lock(fault_mutex);
    if (fault.empty()) fault = text;
  }
  faulted.store(true, std::memory_order_release);
  noticed.wake();
}

template <class Sweep>
void CudaStageExecutor::Impl::sweep_until_stopped(Sweep&& sweep) {
  try {
    graphs->make_primary_current();
    Ns last_busy_ns = host_now();
    while (!stopping.load(std::memory_order_relaxed)) {
      if (sweep()) last_busy_ns = host_now();
      if (host_now() - last_busy_ns < kPollLingerNs)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(kIdlePollSleep);
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

// A stream runs its units in launch order, so only each lane's oldest running unit can have
// ended. Querying the queued ones behind it too made the poller's pass grow with the queue:
// at ResNet-18 N = 220 on 32 streams the GPU-end-to-noticed p99 climbed from 83 to 215 us
// through the run (docs/live.md, thirteenth session; 69-70 us after this change, fourteenth).
void CudaStageExecutor::Impl::poll_loop(int share, int shares) {
  std::vector<Slot*> oldest_per_lane(static_cast<std::size_t>(graphs->partition_count() * graphs->max_parallel()));
  sweep_until_stopped([&] {
    bool any = false;
    std::fill(oldest_per_lane.begin(), oldest_per_lane.end(), nullptr);
    for (auto& owned : slots) {
      Slot* slot = owned.get();
      if (slot->lane % shares != share || slot->state.load(std::memory_order_acquire) != kRunning) continue;
      Slot*& oldest = oldest_per_lane[static_cast<std::size_t>(slot->lane)];
      if (oldest == nullptr || slot->sequence < oldest->sequence) oldest = slot;
    }
    for (Slot* oldest : oldest_per_lane) {
      if (oldest == nullptr) continue;
      Slot& slot = *oldest;
      any = true;
      const cudaError_t status = cudaEventQuery(slot.end_event);
      if (status == cudaErrorNotReady) continue;
      slot.noticed_ns = host_now();
      if (status != cudaSuccess) detail::throw_gpu_error(status, "cudaEventQuery(end event)", describe(slot.unit));
      stamp(slot);
      finish(slot);
    }
    return any;
  });
}

// The idea: cudaEventQuery costs a CUDA call per stream per sweep, reading a word of host memory
// nanoseconds. Measured on the H200 it lost (docs/live.md, fourteenth session): the write is one
// more driver call per launch, and at ResNet-18 N = 220 the launches fell behind (release jitter
// p50 134 us, 5-7% misses where polling had none). Kept as an option. A GPU fault leaves the word
// unwritten: wait() looks for faults by query meanwhile, as for callbacks.
void CudaStageExecutor::Impl::watch_flags_loop() {
  sweep_until_stopped([&] {
    bool any = false;
    for (auto& owned : slots) {
      Slot& slot = *owned;
      if (slot.state.load(std::memory_order_acquire) != kRunning) continue;
      any = true;
      if (std::atomic_ref<std::uint32_t>(flags[slot.index]).load(std::memory_order_acquire) != flag_value(slot))
        continue;
      slot.noticed_ns = host_now();
      stamp(slot);
      finish(slot);
    }
    return any;
  });
}

void CudaStageExecutor::Impl::slot_loop(Slot& slot) {
  try {
    graphs->make_primary_current();
    while (true) {
      slot.launched.acquire();
      if (stopping.load(std::memory_order_relaxed)) return;
      const cudaError_t status = cudaEventSynchronize(slot.end_event);
      slot.noticed_ns = host_now();
      if (status != cudaSuccess)
        detail::throw_gpu_error(status, "cudaEventSynchronize(end event)", describe(slot.unit));
      stamp(slot);
      finish(slot);
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void CudaStageExecutor::Impl::check_faults_by_query() {
  for (auto& owned : slots) {
    Slot& slot = *owned;
    if (slot.state.load(std::memory_order_acquire) != kRunning) continue;
    const cudaError_t status = cudaEventQuery(slot.end_event);
    if (status != cudaSuccess && status != cudaErrorNotReady) {
      try {
        detail::throw_gpu_error(status, "cudaEventQuery(end event)", describe(slot.unit));
      } catch (const GpuError& e) {
        fail(e.what());
      }
    }
  }
}

}  // namespace sgprs::live
