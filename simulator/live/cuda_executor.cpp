#include "simulator/live/cuda_executor_impl.hpp"

#include "simulator/live/fault_kernel.hpp"
#include "simulator/live/gpu_call.hpp"

#include "profiler/driver_api.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace sgprs::live {

namespace {
// Host brackets per partition clock at set-up (each a record + synchronise, ~10-20 us).
constexpr int kClockBrackets = 50;
// wait() wakes at least this often to look for faults a host callback cannot report.
constexpr auto kFaultCheckEvery = std::chrono::milliseconds(50);
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
  if (!setup.kernel_trace_path.empty()) {
    std::vector<CUcontext> contexts;
    for (int p = 0; p < graphs->partition_count(); ++p) contexts.push_back(graphs->partition(p).context());
    as_gpu_step("starting the kernel trace (CUPTI)", [&] {
      kernel_trace = std::make_unique<KernelTrace>(setup.kernel_trace_path, contexts, setup.epoch_steady_ns);
    });
    report.notes += ", kernels traced (CUPTI)";
  }
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
  if (impl_->kernel_trace) {
    try {
      impl_->kernel_trace->write();
    } catch (const std::exception& e) {  // a destructor: the run's own outputs are written; say what is missing
      std::fprintf(stderr, "sgprs live: --kernel-trace: not written: %s\n", e.what());
    }
    impl_->kernel_trace.reset();
  }
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
  if (kernel_trace) kernel_trace->note_launch(slot.launch_ns);
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
