#pragma once
// The live executor's GPU state that exists before the first launch: the partitions of one
// green-context split, each with max_parallel slot streams (the first also reads its clock);
// every task's buffers; one CUDA graph per (task, unit, partition) the run may launch, captured
// on that partition after an eager warm-up enqueue and replayed once (which also proves every
// partition can run every unit it may be given: a green context of the 12-SM remainder alone
// failed in cuDNN on the H100, see profiler/profile_runner.cpp).
//
// A graph may be launched on any slot stream of its partition. Its kernels use the library
// workspace of the stream it was captured on, so two replays on two streams of one partition
// may share a workspace: harmless for timing, wrong only for values, which the live mode does
// not read (as two stages of one task sharing activations, profiler/ops/model_instance.hpp).
#include "simulator/live/executor_setup.hpp"
#include "simulator/live/stage_executor.hpp"
#include "profiler/cuda_owners.hpp"
#include "profiler/ops/model_instance.hpp"
#include "profiler/partition_pool.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace sgprs::live {

class UnitGraphs {
 public:
  /// Builds everything, in this order: driver (CUDA_DEVICE_MAX_CONNECTIONS), split, partitions,
  /// buffers, graphs, warm-up. Fills `report` (all but the notes' clock part). Errors: a layout
  /// the device cannot build is an InputError; a failing GPU call, a GpuError naming the step.
  UnitGraphs(const ExecutorSetup& setup, SetupReport& report);
  ~UnitGraphs();
  UnitGraphs(const UnitGraphs&) = delete;
  UnitGraphs& operator=(const UnitGraphs&) = delete;

  int partition_count() const { return static_cast<int>(partitions_.size()); }
  const profiler::Partition& partition(int p) const { return *partitions_[static_cast<std::size_t>(p)]; }
  /// Slot streams of a partition are its streams 0..max_parallel-1.
  cudaStream_t slot_stream(int partition, int slot) const;
  /// The partition's clock is read on its first slot stream, only while no unit is in flight
  /// (set-up, drift measurements), so that it takes no hardware queue of its own.
  cudaStream_t clock_stream(int partition) const { return slot_stream(partition, 0); }
  int max_parallel() const { return max_parallel_; }
  /// The graph of a unit on a partition, or nullptr when the set-up did not allow it.
  cudaGraphExec_t graph(int task, int unit, int partition) const;
  /// With ExecutorSetup::stamps_in_graphs, the events the graph records as it starts and ends
  /// (a unit runs once per job and a task one job at a time, so a graph's events are never
  /// recorded by two launches in flight); nullptr otherwise.
  struct StampEvents {
    cudaEvent_t start = nullptr;
    cudaEvent_t end = nullptr;
  };
  StampEvents stamp_events(int task, int unit, int partition) const;
  int tasks() const { return static_cast<int>(first_unit_.size()) - 1; }
  int units(int task) const;
  void make_primary_current() const { pool_->make_primary_current(); }

 private:
  void build(const ExecutorSetup& setup, SetupReport& report);
  void build_partitions(const ExecutorSetup& setup);
  /// GpuError "not enough GPU memory ..." (simulator/live/memory_need.hpp) before any task's
  /// buffers are allocated, when one measured instance per model says they will not fit.
  void check_memory(const ExecutorSetup& setup) const;
  void release();  // everything, in an order the driver accepts
  void capture_partition(const ExecutorSetup& setup, int p);
  std::size_t index(int task, int unit, int partition) const;

  int max_parallel_ = 1;
  GpuShape device_split_;
  std::optional<profiler::PartitionPool> pool_;
  std::vector<const profiler::Partition*> partitions_;
  std::vector<profiler::ModelInstance> instances_;  // one per task
  std::vector<bool> whole_model_;                   // per task
  std::vector<int> first_unit_;                     // per task, prefix sums of unit counts (+1 entry)
  std::vector<profiler::GraphExec> graphs_;         // [(first_unit_[task] + unit) * partitions + p]
  std::vector<profiler::Event> start_events_;       // as graphs_, with stamps_in_graphs only
  std::vector<profiler::Event> end_events_;
};

}  // namespace sgprs::live
