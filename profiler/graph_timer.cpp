#include "profiler/graph_timer.hpp"

#include "profiler/cuda_check.hpp"

#include <algorithm>
#include <chrono>
#include <map>

namespace sgprs::profiler {

namespace {

/// An event only for ordering streams (no timestamps: cheaper to record and wait on).
Event ordering_event() {
  cudaEvent_t event = nullptr;
  SGPRS_CUDA_CALL(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  return Event(event);
}

}  // namespace

GraphExec capture_graph(const Partition& partition, const std::function<void(cudaStream_t)>& enqueue) {
  partition.make_current();
  cudaGraph_t raw = nullptr;
  SGPRS_CUDA_CALL(cudaStreamBeginCapture(partition.stream(), cudaStreamCaptureModeThreadLocal));
  try {
    enqueue(partition.stream());
  } catch (...) {
    cudaStreamEndCapture(partition.stream(), &raw);  // leave the stream usable
    if (raw != nullptr) cudaGraphDestroy(raw);
    throw;
  }
  SGPRS_CUDA_CALL(cudaStreamEndCapture(partition.stream(), &raw));
  Graph graph(raw);
  cudaGraphExec_t exec = nullptr;
  SGPRS_CUDA_CALL(cudaGraphInstantiate(&exec, graph.get(), 0));
  GraphExec owned(exec);
  SGPRS_CUDA_CALL(cudaGraphUpload(owned.get(), partition.stream()));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(partition.stream()));
  return owned;
}

BackgroundLoad::BackgroundLoad(const Partition& partition, GraphExec graph)
    : partition_(&partition), graph_(std::move(graph)) {
  partition.make_current();
  stream_id_ = cupti_stream_id(partition.context(), partition.stream());
  context_id_ = cupti_context_id(partition.context());
  started_ = ordering_event();
  constexpr int kWarmup = 2;
  constexpr int kTimed = 5;
  for (int i = 0; i < kWarmup; ++i) SGPRS_CUDA_CALL(cudaGraphLaunch(graph_.get(), partition.stream()));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(partition.stream()));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kTimed; ++i) SGPRS_CUDA_CALL(cudaGraphLaunch(graph_.get(), partition.stream()));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(partition.stream()));
  replay_ns_ = std::max<Ns>(
      1000, std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count() /
                kTimed);
}

void BackgroundLoad::cover(Ns busy_ns, cudaStream_t foreground) {
  // Three times the foreground's expected work, since the foreground slows down
  // under load; the tail is waited out in finish().
  const Ns replays = 1 + std::clamp<Ns>((3 * busy_ns) / replay_ns_ + 1, 1, 10'000);
  SGPRS_CUDA_CALL(cudaGraphLaunch(graph_.get(), partition_->stream()));
  SGPRS_CUDA_CALL(cudaEventRecord(started_.get(), partition_->stream()));
  for (Ns i = 1; i < replays; ++i) SGPRS_CUDA_CALL(cudaGraphLaunch(graph_.get(), partition_->stream()));
  SGPRS_CUDA_CALL(cudaStreamWaitEvent(foreground, started_.get(), 0));
}

void BackgroundLoad::finish() { SGPRS_CUDA_CALL(cudaStreamSynchronize(partition_->stream())); }

L2Flush::L2Flush() {
  int device = 0;
  int l2_bytes = 0;
  SGPRS_CUDA_CALL(cudaGetDevice(&device));
  SGPRS_CUDA_CALL(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, device));
  bytes_ = 2 * static_cast<std::size_t>(std::max(l2_bytes, 1 << 20));
  void* raw = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(&raw, bytes_));
  buffer_ = DeviceBuffer(raw);
  cudaStream_t stream = nullptr;
  SGPRS_CUDA_CALL(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  stream_ = DriverStream(stream);
  queued_ = ordering_event();
  flushed_ = ordering_event();
}

void L2Flush::before_next(cudaStream_t stream) {
  // Recording an event again replaces what a later wait waits for; each wait binds to the record
  // before it when it is enqueued, so the two events can be reused for every replay.
  SGPRS_CUDA_CALL(cudaEventRecord(queued_.get(), stream));
  SGPRS_CUDA_CALL(cudaStreamWaitEvent(stream_.get(), queued_.get(), 0));
  value_ = (value_ + 1) & 0xff;  // a new value each time: every line is written, none stays clean
  SGPRS_CUDA_CALL(cudaMemsetAsync(buffer_.get(), value_, bytes_, stream_.get()));
  SGPRS_CUDA_CALL(cudaEventRecord(flushed_.get(), stream_.get()));
  SGPRS_CUDA_CALL(cudaStreamWaitEvent(stream, flushed_.get(), 0));
}

GraphTimer::GraphTimer(KernelActivityCollector& collector, const Partition& partition, cudaGraphExec_t graph,
                       TimeMode mode)
    : collector_(&collector), partition_(&partition), graph_(graph), mode_(mode) {
  stream_id_ = cupti_stream_id(partition.context(), partition.stream());
  context_id_ = cupti_context_id(partition.context());
}

std::vector<Ns> GraphTimer::run(int runs, BackgroundLoad* background, Ns expected_run_ns) {
  const cudaStream_t stream = partition_->stream();
  collector_->drain();  // anything earlier is not ours
  if (background != nullptr) background->cover(expected_run_ns * runs, stream);
  for (int i = 0; i < runs; ++i) {
    if (flush_ != nullptr) flush_->before_next(stream);
    SGPRS_CUDA_CALL(cudaGraphLaunch(graph_, stream));
  }
  SGPRS_CUDA_CALL(cudaStreamSynchronize(stream));
  if (background != nullptr) background->finish();
  const std::vector<KernelRecord> records = collector_->drain();

  // One replay's kernels share the correlation id of its cudaGraphLaunch.
  struct Run {
    std::uint64_t first_start = UINT64_MAX;
    std::uint64_t last_end = 0;
    std::uint64_t busy = 0;
    int kernels = 0;
  };
  std::map<std::uint32_t, Run> by_launch;
  for (const KernelRecord& r : records) {
    if (r.stream_id != stream_id_ || r.context_id != context_id_) continue;
    Run& run = by_launch[r.correlation_id];
    run.first_start = std::min(run.first_start, r.start_ns);
    run.last_end = std::max(run.last_end, r.end_ns);
    if (r.end_ns > r.start_ns) run.busy += r.end_ns - r.start_ns;
    ++run.kernels;
  }
  // Every replay of one graph launches the same kernels: a replay with fewer records than the
  // fullest one lost some (buffer dropped or not yet flushed) and would read short, so it is dropped.
  int full = 0;
  for (const auto& [id, run] : by_launch) full = std::max(full, run.kernels);
  std::erase_if(by_launch, [full](const auto& entry) { return entry.second.kernels < full; });
  if (!by_launch.empty()) {
    const std::uint32_t last = by_launch.rbegin()->first;
    last_run_.clear();
    for (const KernelRecord& r : records)
      if (r.stream_id == stream_id_ && r.context_id == context_id_ && r.correlation_id == last) last_run_.push_back(r);
    std::sort(last_run_.begin(), last_run_.end(),
              [](const KernelRecord& a, const KernelRecord& b) { return a.start_ns < b.start_ns; });
  }
  std::vector<Ns> samples;
  for (const auto& [id, run] : by_launch) {
    kernels_per_run_ = run.kernels;
    samples.push_back(mode_ == TimeMode::kStageExtent ? static_cast<Ns>(run.last_end - run.first_start)
                                                      : static_cast<Ns>(run.busy));
  }
  if (background != nullptr) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> busy, timed;
    for (const KernelRecord& r : records)
      if (r.stream_id == background->stream_id() && r.context_id == background->context_id())
        busy.emplace_back(r.start_ns, r.end_ns);
    for (const auto& [id, run] : by_launch) timed.emplace_back(run.first_start, run.last_end);
    add_coverage(busy, timed);
  }
  return samples;
}

void GraphTimer::add_coverage(std::vector<std::pair<std::uint64_t, std::uint64_t>> busy,
                              std::vector<std::pair<std::uint64_t, std::uint64_t>> timed) {
  std::sort(busy.begin(), busy.end());
  std::sort(timed.begin(), timed.end());
  // Merge the background's kernels into disjoint busy intervals, then intersect.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& interval : busy) {
    if (!merged.empty() && interval.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, interval.second);
    else
      merged.push_back(interval);
  }
  std::size_t j = 0;
  for (const auto& [start, end] : timed) {
    timed_ns_ += end - start;
    while (j < merged.size() && merged[j].second <= start) ++j;
    for (std::size_t k = j; k < merged.size() && merged[k].first < end; ++k)
      covered_ns_ += std::min(end, merged[k].second) - std::max(start, merged[k].first);
  }
}

double GraphTimer::background_coverage() const {
  return timed_ns_ == 0 ? -1.0 : static_cast<double>(covered_ns_) / static_cast<double>(timed_ns_);
}

std::vector<GraphTimer::KernelTime> GraphTimer::last_run_kernels() const {
  std::vector<KernelTime> kernels;
  for (const KernelRecord& r : last_run_)
    kernels.push_back({r.name != nullptr ? r.name : "?", static_cast<Ns>(r.end_ns - r.start_ns), r.blocks,
                       r.threads_per_block, r.registers_per_thread, r.shared_bytes});
  return kernels;
}

}  // namespace sgprs::profiler
