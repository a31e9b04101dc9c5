#pragma once
// CudaStageExecutor's state, shared by its two source files and nothing else (not installed, not
// included outside simulator/live): cuda_executor.cpp sets the device up, launches and hands
// completions to the control thread; completion_threads.cpp holds the threads that notice units
// ending (polling, completion flags, blocking sync per slot, host callbacks). Split so that each
// file has one job (docs/live.md, "Fifteenth session").
#include "simulator/live/completion_mailbox.hpp"
#include "simulator/live/cuda_executor.hpp"
#include "simulator/live/gpu_clock.hpp"
#include "simulator/live/launch_lanes.hpp"
#include "simulator/live/kernel_trace.hpp"
#include "simulator/live/unit_graphs.hpp"

#include "profiler/cuda_owners.hpp"

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

namespace sgprs::live {

/// A slot's unit: idle, launched and running (a completion thread may look at it), or seen ended.
enum SlotState : int { kIdle, kRunning, kNoticed };

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
  std::unique_ptr<KernelTrace> kernel_trace;  // ExecutorSetup::kernel_trace_path
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
  /// CompletionNotice::kHostCallback: CUDA's callback after a unit (no CUDA calls allowed there).
  static void CUDART_CB on_unit_done(void* data);
  void check_faults_by_query();
  bool drain(Ns bound_ns);  // false: a unit still runs after the bound
  void stop_threads();
};

}  // namespace sgprs::live
