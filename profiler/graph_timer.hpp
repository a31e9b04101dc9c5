#pragma once
// Times replays of one CUDA graph on one partition from CUPTI kernel records,
// optionally while a background load keeps another partition busy.
//
// A stage runs as ONE graph per (stage, partition), captured on the partition's
// stream and replayed there, in the profiler as in the live mode (
// launched kernel by kernel, batch-1 stages were launch-bound and noisy).
//
//   GraphExec exec = capture_graph(partition, [&](cudaStream_t s) { net.enqueue_stage(2, s, 64); });
//   GraphTimer timer(collector, partition, exec.get(), TimeMode::kStageExtent);
//   std::vector<Ns> samples = timer.run(10);           // one sample per replay
#include "common/time.hpp"
#include "profiler/cuda_owners.hpp"
#include "profiler/kernel_activity.hpp"
#include "profiler/partition_pool.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sgprs::profiler {

/// Captures what `enqueue` launches on the partition's stream into an
/// instantiated graph (the partition's context is current meanwhile).
GraphExec capture_graph(const Partition& partition, const std::function<void(cudaStream_t)>& enqueue);

enum class TimeMode {
  kStageExtent,  // first kernel start to last kernel end: what a scheduler waits for
  kKernelSum,    // sum of kernel durations: an operation's own GPU time
};

/// Keeps a partition busy by replaying a graph there, fed ahead of a measurement.
class BackgroundLoad {
 public:
  BackgroundLoad(const Partition& partition, GraphExec graph);
  /// Host-timed length of one replay (measured once, after a warm-up).
  Ns replay_ns() const { return replay_ns_; }
  /// Queues enough replays to cover `busy_ns` of foreground work and makes
  /// `foreground` wait until the first of them has finished (so the load is running
  /// on the GPU, not merely queued, when the foreground starts).
  void cover(Ns busy_ns, cudaStream_t foreground);
  /// Waits for the queued replays to drain.
  void finish();
  /// CUPTI ids of the load's stream, to tell its kernel records apart.
  std::uint32_t stream_id() const { return stream_id_; }
  std::uint32_t context_id() const { return context_id_; }

 private:
  const Partition* partition_;
  std::uint32_t stream_id_ = 0;
  std::uint32_t context_id_ = 0;
  GraphExec graph_;
  Event started_;
  Ns replay_ns_ = 0;
};

/// Evicts the GPU's L2 before each timed replay, as a live stage finds it after other models ran
/// (their weights and activations, not its own): a memset of twice the L2 on a stream of the
/// primary context, all SMs, ordered between replays by events. Its own records carry that
/// stream's id, so the timer never counts them.
class L2Flush {
 public:
  L2Flush();  // the primary context must be current
  /// Makes `stream` wait for a fresh flush that starts after everything queued on it so far.
  void before_next(cudaStream_t stream);
  std::size_t bytes() const { return bytes_; }

 private:
  DeviceBuffer buffer_;
  std::size_t bytes_ = 0;
  DriverStream stream_;
  Event queued_;  // the measured stream's work so far
  Event flushed_;
  int value_ = 0;
};

class GraphTimer {
 public:
  GraphTimer(KernelActivityCollector& collector, const Partition& partition, cudaGraphExec_t graph, TimeMode mode);
  /// Replays the graph `runs` times back to back (they serialise on the stream),
  /// waits, and returns one sample per replay whose records all arrived (as many
  /// kernel records as the fullest replay of the batch; shorter ones are dropped).
  std::vector<Ns> run(int runs, BackgroundLoad* background = nullptr, Ns expected_run_ns = 0);
  /// Every later replay starts with a cold L2 (nullptr: back to back, warm).
  void set_l2_flush(L2Flush* flush) { flush_ = flush; }
  /// Of the foreground replays timed next to a background load since the last
  /// reset, the fraction of their time during which a background kernel ran
  /// (1: the load really overlapped the whole measurement); -1 before any.
  double background_coverage() const;
  void reset_coverage() { covered_ns_ = 0, timed_ns_ = 0; }
  /// Kernels seen in the last replay (0 before the first run).
  int kernels_per_run() const { return kernels_per_run_; }
  /// Name, duration (ns) and launch shape of each kernel of the last replay, in start order (diagnostics).
  struct KernelTime {
    std::string name;
    Ns ns = 0;
    std::uint32_t blocks = 0;
    std::uint32_t threads_per_block = 0;
    std::uint32_t registers_per_thread = 0;
    std::uint32_t shared_bytes = 0;
  };
  std::vector<KernelTime> last_run_kernels() const;

 private:
  void add_coverage(std::vector<std::pair<std::uint64_t, std::uint64_t>> busy,
                    std::vector<std::pair<std::uint64_t, std::uint64_t>> timed);
  KernelActivityCollector* collector_;
  const Partition* partition_;
  cudaGraphExec_t graph_;
  TimeMode mode_;
  L2Flush* flush_ = nullptr;
  std::uint32_t stream_id_ = 0;
  std::uint32_t context_id_ = 0;
  int kernels_per_run_ = 0;
  std::vector<KernelRecord> last_run_;
  std::uint64_t covered_ns_ = 0;
  std::uint64_t timed_ns_ = 0;
};

}  // namespace sgprs::profiler
