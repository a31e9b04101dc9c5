#include "simulator/live/cuda_executor.hpp"

#include "simulator/live/completion_mailbox.hpp"
#include "simulator/live/fault_kernel.hpp"
#include "simulator/live/gpu_call.hpp"
#include "simulator/live/gpu_clock.hpp"
#include "simulator/live/launch_lanes.hpp"
#include "simulator/live/unit_graphs.hpp"

#include "profiler/cuda_owners.hpp"
#include "profiler/driver_api.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace sgprs::live {

namespace {

// Host brackets per partition clock at set-up (each a record + synchronise, ~10-20 us).
constexpr int kClockBrackets = 50;
// With nothing in flight the polling thread keeps sweeping this long (a completion is usually
// followed by the next launch within microseconds), then sleeps between sweeps. A sleep (about
// 60 us with Linux's timer slack) delays noticing only units shorter than what is left of it.
constexpr Ns kPollLingerNs = 500 * kNsPerUs;
constexpr auto kIdlePollSleep = std::chrono::microseconds(20);
// wait() wakes at least this often to look for faults a host callback cannot report.
constexpr auto kFaultCheckEvery = std::chrono::milliseconds(50);

enum SlotState : int { kIdle, kRunning, kNoticed };

}  // namespace

struct CudaStageExecutor::Impl {
  /// One stream of a partition with the events of the unit running on it.
  struct Slot {
    int partition = 0;
    cudaStream_t stream = nullptr;
    profiler::Event start;  // the slot's own events, recorded around a launch on its stream
    profiler::Event end;
    // The events of the unit in flight: the slot's own, or those its graph records (stamps_in_graphs).
    cudaEvent_t start_event = nullptr;
    cudaEvent_t end_event = nullptr;
    bool busy = false;  // control thread only: launched and not yet returned by wait()
    // Written by launch() before `state` becomes kRunning:
    UnitLaunch unit;
    Ns launch_ns = 0;
    std::uint64_t sequence = 0;
    std::atomic<int> state{kIdle};
    // Written by whoever notices the end, before `state` becomes kNoticed:
    Ns noticed_ns = 0;
    bool stamped = false;  // gpu_*_ns converted already (not by host callbacks: no CUDA calls there)
    Slot* next_posted = nullptr;  // CompletionMailbox's link while the slot waits to be taken
    Ns gpu_start_ns = 0;
    Ns gpu_end_ns = 0;
    std::counting_semaphore<2> launched{0};  // kBlockingSync: wakes this slot's thread (and its stop)
    Impl* owner = nullptr;
    // The launch itself (enqueue()), on the control thread or a launcher thread (ExecutorSetup::launch_threads):
    cudaGraphExec_t graph = nullptr;
    bool fault_now = false;
    bool stall_now = false;
    int lane = 0;  // the slot's stream, numbered over the pool: its launcher thread
    int index = 0;  // its word in `flags` (CompletionNotice::kHostFlags)
  };

  ExecutorSetup setup;
  SetupReport report;
  std::unique_ptr<UnitGraphs> graphs;  // destroyed after the clocks and slots below
  std::vector<std::unique_ptr<GpuClock>> clocks;
  // Partition-major, slots_per_partition each: max_parallel running units, plus the queued ones
  // (ExecutorSetup::queued_per_partition) whose slots share the partition's one stream.
  std::vector<std::unique_ptr<Slot>> slots;
  int slots_per_partition = 1;
  // kHostFlags: one word per slot in pinned, mapped host memory; the GPU writes a unit's flag_value
  // into its slot's word when the unit (and its end event) is done.
  profiler::PinnedHostBuffer flag_words;
  std::uint32_t* flags = nullptr;
  CUdeviceptr flags_on_gpu = 0;
  int in_flight = 0;
  std::uint64_t next_sequence = 0;
  std::int64_t launches = 0;
  ClockStats stats;

  CompletionMailbox<Slot> noticed;  // slots whose unit ended, for wait() to take
  std::vector<Slot*> taking;        // wait()'s batch; capacity = slots
  std::mutex fault_mutex;
  std::string fault;                // the first failure a completion thread saw (under fault_mutex)
  std::atomic<bool> faulted{false};
  std::atomic<bool> stopping{false};
  std::thread poller;                 // kHostFlags, or the first of the polling threads
  std::vector<std::thread> more_pollers;
  std::vector<std::thread> slot_threads;
  std::unique_ptr<LaunchLanes> lanes;  // null: launch() enqueues on the control thread

  explicit Impl(const ExecutorSetup& s);
  std::string describe(const UnitLaunch& u) const;
  Ns host_now() const { return steady_clock_ns_now() - setup.epoch_steady_ns; }
  /// The CUDA calls of one launch; the slot becomes visible to the completion threads after them.
  void enqueue(Slot& slot);
  void stamp(Slot& slot);
  void finish(Slot& slot);
  void fail(const std::string& text);
  void poll_loop(int share, int shares);  // the lanes l with l % shares == share
  // Calls sweep() (true: it saw a unit in flight) until stopping, yielding between sweeps while
  // busy or recently busy, napping otherwise; a failure ends the run through fail().
  template <class Sweep>
  void sweep_until_stopped(Sweep&& sweep);
  void watch_flags_loop();
  static std::uint32_t flag_value(const Slot& slot) { return static_cast<std::uint32_t>(slot.sequence + 1); }
  void slot_loop(Slot& slot);
  void check_faults_by_query();
  bool drain(Ns bound_ns);  // false: a unit still runs after the bound
  void stop_threads();
};

namespace {
void CUDART_CB on_unit_done(void* data) {
  auto* slot = static_cast<CudaStageExecutor::Impl::Slot*>(data);
  slot->noticed_ns = steady_clock_ns_now() - slot->owner->setup.epoch_steady_ns;
  slot->owner->finish(*slot);
}
}  // namespace

CudaStageExecutor::Impl::Impl(const ExecutorSetup& s) : setup(s) {
  const auto started = std::chrono::steady_clock::now();
  const StepWatchdog watchdog(setup.setup_step_limit_ns);
  graphs = std::make_unique<UnitGraphs>(setup, report);
  slots_per_partition = graphs->max_parallel() + setup.queued_per_partition;
  const unsigned end_flags =
      setup.completion == CompletionNotice::kBlockingSync ? cudaEventBlockingSync : cudaEventDefault;
  for (int p = 0; p < graphs->partition_count(); ++p) {
    const std::string where = "setting up partition " + std::to_string(p) + "'s clock and events";
    as_gpu_step(where, [&] {
      graphs->partition(p).make_current();
      clocks.push_back(std::make_unique<GpuClock>(graphs->clock_stream(p), setup.epoch_steady_ns, kClockBrackets));
      for (int i = 0; i < slots_per_partition; ++i) {
        auto slot = std::make_unique<Slot>();
        slot->partition = p;
        slot->stream = graphs->slot_stream(p, i % graphs->max_parallel());
        slot->lane = p * graphs->max_parallel() + i % graphs->max_parallel();
        slot->index = static_cast<int>(slots.size());
        slot->owner = this;
        cudaEvent_t event = nullptr;
        SGPRS_LIVE_CALL(cudaEventCreateWithFlags(&event, cudaEventDefault), "for " + where);
        slot->start = profiler::Event(event);
        SGPRS_LIVE_CALL(cudaEventCreateWithFlags(&event, end_flags), "for " + where);
        slot->end = profiler::Event(event);
        slots.push_back(std::move(slot));
      }
    });
  }
  graphs->make_primary_current();
  if (setup.completion == CompletionNotice::kHostFlags) {
    as_gpu_step("allocating the completion flags", [&] {
      void* words = nullptr;
      // Portable: the partitions' streams belong to their green contexts, not to the primary one.
      SGPRS_LIVE_CALL(cudaHostAlloc(&words, slots.size() * sizeof(std::uint32_t),
                                    cudaHostAllocMapped | cudaHostAllocPortable),
                      "for the completion flags");
      flag_words = profiler::PinnedHostBuffer(words);
      flags = static_cast<std::uint32_t*>(words);
      std::fill(flags, flags + slots.size(), 0u);
      void* on_gpu = nullptr;
      SGPRS_LIVE_CALL(cudaHostGetDevicePointer(&on_gpu, words, 0), "for the completion flags");
      flags_on_gpu = reinterpret_cast<CUdeviceptr>(on_gpu);
    });
  }
  taking.reserve(slots.size());
  if (setup.completion == CompletionNotice::kPollingThread) {
    const int shares = setup.polling_threads;  // validated in [1, 16]
    poller = std::thread([this, shares] { poll_loop(0, shares); });
    for (int share = 1; share < shares; ++share)
      more_pollers.emplace_back([this, share, shares] { poll_loop(share, shares); });
  }
  if (setup.completion == CompletionNotice::kHostFlags) poller = std::thread([this] { watch_flags_loop(); });
  if (setup.launch_threads > 0) {
    lanes = std::make_unique<LaunchLanes>(
        setup.launch_threads,
        [](void* context, void* item) {
          auto* self = static_cast<Impl*>(context);
          try {
            thread_local bool current = false;  // each launcher thread works in the primary context
            if (!current) self->graphs->make_primary_current(), current = true;
            self->enqueue(*static_cast<Slot*>(item));
          } catch (const std::exception& e) {
            self->fail(e.what());
          }
        },
        this);
  }
  if (setup.completion == CompletionNotice::kBlockingSync)
    for (auto& slot : slots) slot_threads.emplace_back([this, s = slot.get()] { slot_loop(*s); });
  // The whole set-up, clocks and events included (UnitGraphs timed only its own part).
  report.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Ns uncertainty = 0;
  for (const auto& c : clocks) uncertainty = std::max(uncertainty, c->uncertainty_ns());
  stats.offset_uncertainty_ns = uncertainty;
  report.notes += std::string(", stamps ") + (setup.stamps_in_graphs ? "in graphs" : "on streams") +
                  ", launches on " +
                  (setup.launch_threads > 0 ? std::to_string(setup.launch_threads) + " launcher threads"
                                            : std::string("the control thread")) +
                  ", completion " + std::string(completion_notice_name(setup.completion)) +
                  ", GPU clock offset +-" + std::to_string((uncertainty + 500) / 1000) + " us";
}

std::string CudaStageExecutor::Impl::describe(const UnitLaunch& u) const {
  std::string what = "for task " + std::to_string(u.task) + " unit " + std::to_string(u.unit);
  if (u.task >= 0 && u.task < static_cast<int>(setup.task_models.size())) {
    const ExecutorModel& m = setup.models[static_cast<std::size_t>(setup.task_models[static_cast<std::size_t>(u.task)])];
    if (m.whole_model)
      what += " (" + m.model.name() + ", whole model)";
    else if (u.unit >= 0 && u.unit < m.unit_count())
      what += " (" + m.model.name() + "/" + m.model.stages()[static_cast<std::size_t>(u.unit)].name + ")";
  }
  return what + " job " + std::to_string(u.job) + " on partition " + std::to_string(u.partition);
}

void CudaStageExecutor::Impl::stamp(Slot& slot) {
  GpuClock& clock = *clocks[static_cast<std::size_t>(slot.partition)];
  slot.gpu_start_ns = clock.host_ns(slot.start_event);
  slot.gpu_end_ns = clock.host_ns(slot.end_event);
  slot.stamped = true;
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

bool CudaStageExecutor::Impl::drain(Ns bound_ns) {
  const Ns deadline = host_now() + bound_ns;
  for (auto& slot : slots) {
    if (!slot->busy) continue;
    while (cudaStreamQuery(slot->stream) == cudaErrorNotReady && host_now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    if (cudaStreamQuery(slot->stream) == cudaErrorNotReady) {
      std::fprintf(stderr, "sgprs: warning: a unit still ran on partition %d after %.1f s; its GPU state is left "
                   "to the process's exit\n", slot->partition, ns_to_seconds(bound_ns));
      return false;
    }
  }
  return true;
}

void CudaStageExecutor::Impl::stop_threads() {
  lanes.reset();  // runs what was posted first
  stopping.store(true);
  if (poller.joinable()) poller.join();
  for (std::thread& t : more_pollers) t.join();
  more_pollers.clear();
  for (auto& slot : slots) slot->launched.release();
  for (std::thread& t : slot_threads) t.join();
  slot_threads.clear();
}

CudaStageExecutor::CudaStageExecutor(const ExecutorSetup& setup) : impl_(std::make_unique<Impl>(setup)) {}

CudaStageExecutor::~CudaStageExecutor() {
  if (impl_->lanes) impl_->lanes->flush();  // every launch issued before the streams are drained
  if (!impl_->drain(impl_->setup.shutdown_wait_ns)) {
    // The GPU still runs a unit whose events, callback and graph would be destroyed under it.
    impl_->stopping.store(true);
    if (impl_->poller.joinable()) impl_->poller.detach();
    for (std::thread& t : impl_->more_pollers) t.detach();
    static_cast<void>(impl_->lanes.release());  // its threads would join on a device that does not drain
    for (std::thread& t : impl_->slot_threads) t.detach();
    static_cast<void>(impl_.release());
    return;
  }
  impl_->stop_threads();
  impl_->slots.clear();
  impl_->clocks.clear();
  impl_->graphs.reset();
}

void CudaStageExecutor::launch(const UnitLaunch& unit, Ns /*now_ns*/) {
  Impl& s = *impl_;
  const cudaGraphExec_t graph = s.graphs->graph(unit.task, unit.unit, unit.partition);
  if (graph == nullptr)
    throw std::invalid_argument("launch " + s.describe(unit) +
                                ": no such unit, or the set-up did not allow it there (ExecutorSetup::may_launch)");
  Impl::Slot* slot = nullptr;
  const int per_partition = s.slots_per_partition;
  for (int i = 0; i < per_partition && slot == nullptr; ++i) {
    Impl::Slot* candidate = s.slots[static_cast<std::size_t>(unit.partition * per_partition + i)].get();
    if (!candidate->busy) slot = candidate;
  }
  if (slot == nullptr)
    throw std::logic_error("launch " + s.describe(unit) + ": the partition already holds max_parallel plus queued (" +
                           std::to_string(per_partition) + ") units");
  slot->unit = unit;
  slot->sequence = s.next_sequence++;
  slot->stamped = false;
  slot->graph = graph;
  ++s.launches;
  slot->fault_now = s.launches == s.setup.fault_after_launches;
  slot->stall_now = s.launches == s.setup.stall_after_launches;
  slot->busy = true;
  ++s.in_flight;
  if (s.lanes)
    s.lanes->post(slot->lane, slot);
  else
    s.enqueue(*slot);
}

void CudaStageExecutor::Impl::enqueue(Slot& slot) {
  const UnitLaunch& unit = slot.unit;
  slot.launch_ns = host_now();
  const UnitGraphs::StampEvents stamps = graphs->stamp_events(unit.task, unit.unit, unit.partition);
  slot.start_event = stamps.start;
  slot.end_event = stamps.end;
  if (slot.end_event != nullptr && !slot.fault_now && !slot.stall_now) {
    SGPRS_LIVE_CALL(cudaGraphLaunch(slot.graph, slot.stream), describe(unit));  // records its own events
  } else {
    slot.start_event = slot.start.get();
    slot.end_event = slot.end.get();
    SGPRS_LIVE_CALL(cudaEventRecord(slot.start_event, slot.stream), describe(unit));
    if (slot.fault_now)
      SGPRS_LIVE_CALL(launch_faulting_kernel(slot.stream), describe(unit) + " (the fault injected in its place)");
    else if (slot.stall_now)
      SGPRS_LIVE_CALL(launch_stalling_kernel(slot.stream, setup.stall_spin_ns),
                      describe(unit) + " (the stall injected in its place)");
    else
      SGPRS_LIVE_CALL(cudaGraphLaunch(slot.graph, slot.stream), describe(unit));
    SGPRS_LIVE_CALL(cudaEventRecord(slot.end_event, slot.stream), describe(unit));
  }
  // Only now may a completion thread look at the end event: before it is recorded again it
  // still reports the previous unit as complete.
  slot.state.store(kRunning, std::memory_order_release);
  switch (setup.completion) {
    case CompletionNotice::kHostCallback:
      SGPRS_LIVE_CALL(cudaLaunchHostFunc(slot.stream, on_unit_done, &slot), describe(unit));
      break;
    case CompletionNotice::kBlockingSync: slot.launched.release(); break;
    case CompletionNotice::kPollingThread: break;
    case CompletionNotice::kHostFlags: {
      const CUresult status = profiler::driver().cuStreamWriteValue32(
          slot.stream, flags_on_gpu + sizeof(std::uint32_t) * static_cast<std::size_t>(slot.index), flag_value(slot),
          CU_STREAM_WRITE_VALUE_DEFAULT);
      if (status != CUDA_SUCCESS) {
        const char* name = nullptr;
        profiler::driver().cuGetErrorName(status, &name);
        profiler::silence_destroy_failures();
        throw GpuError(std::string("CUDA error ") + (name != nullptr ? name : "unknown") +
                       " in 'cuStreamWriteValue32(completion flag)' " + describe(unit));
      }
      break;
    }
  }
}

void CudaStageExecutor::wait(Ns until_ns, std::vector<UnitCompletion>& out) {
  Impl& s = *impl_;
  for (;;) {
    s.noticed.take(s.taking);
    if (s.faulted.load(std::memory_order_acquire)) {
      const std::lock_guard lock(s.fault_mutex);
      throw GpuError(s.fault);
    }
    if (!s.taking.empty()) break;
    const Ns now = s.host_now();
    if (s.in_flight == 0 && until_ns == kNever) return;  // nothing could ever complete
    if (now >= until_ns) return;
    const Ns chunk = std::min<Ns>(until_ns - now, std::chrono::nanoseconds(kFaultCheckEvery).count());
    s.noticed.sleep_until(s.setup.epoch_steady_ns + now + chunk);
    if (s.noticed.empty() && s.host_now() >= now + chunk &&
        (s.setup.completion == CompletionNotice::kHostCallback || s.setup.completion == CompletionNotice::kHostFlags))
      s.check_faults_by_query();
  }
  for (Impl::Slot* slot : s.taking)
    if (!slot->stamped) s.stamp(*slot);
  std::sort(s.taking.begin(), s.taking.end(), [](const Impl::Slot* a, const Impl::Slot* b) {
    return a->gpu_end_ns != b->gpu_end_ns ? a->gpu_end_ns < b->gpu_end_ns : a->sequence < b->sequence;
  });
  for (Impl::Slot* slot : s.taking) {
    UnitCompletion c;
    c.launch = slot->unit;
    c.launch_ns = slot->launch_ns;
    c.noticed_ns = slot->noticed_ns;
    // The clock offset is known to +-uncertainty: keep the physically necessary order.
    c.gpu_start_ns = std::clamp(slot->gpu_start_ns, c.launch_ns, c.noticed_ns);
    c.gpu_end_ns = std::clamp(slot->gpu_end_ns, c.gpu_start_ns, c.noticed_ns);
    const Ns moved = std::max(std::abs(c.gpu_start_ns - slot->gpu_start_ns), std::abs(c.gpu_end_ns - slot->gpu_end_ns));
    if (moved > 0) {
      ++s.stats.clamped;
      s.stats.largest_clamp_ns = std::max(s.stats.largest_clamp_ns, moved);
    }
    out.push_back(c);
    slot->state.store(kIdle, std::memory_order_relaxed);
    slot->busy = false;
    --s.in_flight;
  }
  s.taking.clear();
}

int CudaStageExecutor::in_flight() const { return impl_->in_flight; }

const SetupReport& CudaStageExecutor::setup_report() const { return impl_->report; }

ClockStats CudaStageExecutor::clock_stats() const { return impl_->stats; }

std::vector<Ns> CudaStageExecutor::measure_clock_drift_ns() {
  std::vector<Ns> drift;
  for (std::size_t p = 0; p < impl_->clocks.size(); ++p) {
    as_gpu_step("measuring partition " + std::to_string(p) + "'s clock drift", [&] {
      impl_->graphs->partition(static_cast<int>(p)).make_current();
      drift.push_back(impl_->clocks[p]->drift_ns(kClockBrackets));
    });
  }
  impl_->graphs->make_primary_current();
  return drift;
}

}  // namespace sgprs::live
