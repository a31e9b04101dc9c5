#include "profiler/queue_probe.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/partition_pool.hpp"
#include "profiler/priority_probe_kernels.hpp"
#include "profiler/utc_time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

namespace sgprs::profiler {

namespace {

using Clock = std::chrono::steady_clock;

// One stream of the probe and what it launches: the stamping kernel directly, or its graph.
struct ProbeStream {
  cudaStream_t stream = nullptr;
  bool owns_stream = true;               // false for the queued kernel, on the blocker's stream
  const Partition* partition = nullptr;  // green contexts only
  cudaGraphExec_t exec = nullptr;        // graphs only
  cudaEvent_t start = nullptr, end = nullptr;
};

class ProbeStreams {
 public:
  // Stream 0 is the blocker's (its block sets `flag`); streams 1..count the probes'. Stream s
  // stamps into stamps[s]; the queued kernel (entry count + 1, on the blocker's stream) into
  // stamps[count + 1].
  // With chains, a probe's first kernel stamps into stamps[s] and its later ones into
  // stamps[total + s] (the last one's end stays): `total` slots a kind.
  ProbeStreams(const QueueProbeConfig& config, BlockStamp* stamps, std::size_t total, unsigned* flag) {
    if (config.green_contexts) pool_ = std::make_unique<PartitionPool>(0);
    for (int s = 0; s <= config.streams; ++s) {
      ProbeStream p;
      if (pool_) {
        const GpuSplit& split = pool_->split();
        std::vector<int> pieces(static_cast<std::size_t>(split.pieces));
        std::iota(pieces.begin(), pieces.end(), 0);
        p.partition = &pool_->add(pieces, split.remainder_sms > 0);
        p.stream = p.partition->stream();
      } else {
        SGPRS_CUDA_CALL(cudaStreamCreateWithFlags(&p.stream, cudaStreamNonBlocking));
      }
      const bool blocker = s == 0;
      grids_.push_back({stamps + s, stamps + total + s, blocker ? config.blocker_ns : config.probe_ns,
                        blocker ? 1 : config.chain, blocker ? 0 : -1, blocker ? flag : nullptr});
      if (config.graphs) capture(p, grids_.back());
      streams_.push_back(p);
    }
    ProbeStream queued = streams_.front();
    queued.owns_stream = false;
    queued.exec = nullptr;
    queued.start = queued.end = nullptr;
    grids_.push_back({stamps + config.streams + 1, stamps + total + config.streams + 1, config.probe_ns, 1, -1, nullptr});
    if (config.graphs) capture(queued, grids_.back());
    streams_.push_back(queued);
  }
  int queued_index() const { return static_cast<int>(streams_.size()) - 1; }
  ProbeStreams(const ProbeStreams&) = delete;
  ProbeStreams& operator=(const ProbeStreams&) = delete;
  ~ProbeStreams() {
    if (pool_) pool_->make_primary_current();  // the green contexts go; the caller's memory is the primary's
    for (ProbeStream& p : streams_) {
      if (p.exec != nullptr) cudaGraphExecDestroy(p.exec);
      if (p.start != nullptr) cudaEventDestroy(p.start);
      if (p.end != nullptr) cudaEventDestroy(p.end);
      if (p.owns_stream && p.partition == nullptr && p.stream != nullptr) cudaStreamDestroy(p.stream);
    }
  }

  void fire(int s) const {
    const ProbeStream& p = streams_[static_cast<std::size_t>(s)];
    if (p.exec != nullptr) {
      SGPRS_CUDA_CALL(cudaGraphLaunch(p.exec, p.stream));
      return;
    }
    if (p.partition != nullptr) p.partition->make_current();
    SGPRS_CUDA_CALL(launch(p.stream, grids_[static_cast<std::size_t>(s)]));
  }
  // Back to the primary context (green contexts: the last probe's is current).
  void make_primary_current() const {
    if (pool_) pool_->make_primary_current();
  }
  void synchronize(int s) const { SGPRS_CUDA_CALL(cudaStreamSynchronize(streams_[static_cast<std::size_t>(s)].stream)); }

 private:
  struct Grid {
    BlockStamp* first;  // the first kernel's stamp
    BlockStamp* later;  // the later kernels' (with a chain)
    std::int64_t ns;  // the whole chain
    int chain;        // kernels, one after another on the stream, ns / chain each
    int trigger_block;
    unsigned* flag;
  };
  static cudaError_t launch(cudaStream_t stream, const Grid& g) {
    const std::int64_t each = g.ns / g.chain;
    cudaError_t e = launch_stamp_grid(stream, g.first, 1, 0, each, 0, g.trigger_block, g.flag);
    for (int k = 1; k < g.chain && e == cudaSuccess; ++k) e = launch_stamp_grid(stream, g.later, 1, 0, each, 0, -1, nullptr);
    return e;
  }
  // As a live unit's graph: an external event record, the work, another external event record.
  static void capture(ProbeStream& p, const Grid& g) {
    if (p.partition != nullptr) p.partition->make_current();
    SGPRS_CUDA_CALL(cudaEventCreateWithFlags(&p.start, cudaEventDefault));
    SGPRS_CUDA_CALL(cudaEventCreateWithFlags(&p.end, cudaEventDefault));
    cudaGraph_t graph = nullptr;
    SGPRS_CUDA_CALL(cudaStreamBeginCapture(p.stream, cudaStreamCaptureModeThreadLocal));
    cudaError_t launched = cudaEventRecordWithFlags(p.start, p.stream, cudaEventRecordExternal);
    if (launched == cudaSuccess) launched = launch(p.stream, g);
    if (launched == cudaSuccess) launched = cudaEventRecordWithFlags(p.end, p.stream, cudaEventRecordExternal);
    const cudaError_t ended = cudaStreamEndCapture(p.stream, &graph);
    SGPRS_CUDA_CALL(launched);
    SGPRS_CUDA_CALL(ended);
    const cudaError_t made = cudaGraphInstantiate(&p.exec, graph, 0);
    cudaGraphDestroy(graph);
    SGPRS_CUDA_CALL(made);
    SGPRS_CUDA_CALL(cudaGraphUpload(p.exec, p.stream));
    SGPRS_CUDA_CALL(cudaStreamSynchronize(p.stream));
  }

  std::unique_ptr<PartitionPool> pool_;  // before streams_' partitions are used, after them destroyed
  std::vector<ProbeStream> streams_;
  std::vector<Grid> grids_;
};

void spin_until(Clock::time_point t) {
  while (Clock::now() < t) {
  }
}

void wait_for_flag(const volatile unsigned* flag) {
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  while (*flag == 0)
    if (Clock::now() > give_up) throw GpuError("queue probe: the blocker's block never started (5 s)");
}


}  // namespace

void run_queue_probe(const QueueProbeConfig& config, const std::string& out_path) {
  if (config.streams < config.probes)
    throw InputError("--streams", "", "must be at least --probes (" + std::to_string(config.probes) +
                                          "): every probe of a trial needs a stream of its own");
  const std::int64_t launches_ns = static_cast<std::int64_t>(config.probes + 1) * config.spacing_us * 1000;
  if (launches_ns + 500'000 > config.blocker_ns)
    throw InputError("--blocker-us", "", "must exceed the probes' launches (" + std::to_string(launches_ns / 1000) +
                                             " us) by 500 us, so that B outlasts them");
  // The caller's CUDA_DEVICE_MAX_CONNECTIONS decides the queues; unset, 32 as `sgprs live`.
  init_cuda_for_partitions(32);
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) throw NoGpuError("no CUDA GPU on this machine");
  SGPRS_CUDA_CALL(cudaSetDevice(0));
  cudaDeviceProp prop{};
  SGPRS_CUDA_CALL(cudaGetDeviceProperties(&prop, 0));
  int driver = 0;
  SGPRS_CUDA_CALL(cudaDriverGetVersion(&driver));
  const char* queues_env = std::getenv("CUDA_DEVICE_MAX_CONNECTIONS");
  const std::string queues = queues_env != nullptr ? queues_env : "";

  const std::size_t total = static_cast<std::size_t>(config.streams) + 2;  // blocker, probes, queued
  BlockStamp* device_stamps = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(reinterpret_cast<void**>(&device_stamps), 2 * total * sizeof(BlockStamp)));
  unsigned* flag = nullptr;
  SGPRS_CUDA_CALL(cudaHostAlloc(reinterpret_cast<void**>(&flag), sizeof(unsigned), cudaHostAllocMapped | cudaHostAllocPortable));
  std::vector<BlockStamp> stamps(2 * total);
  std::mt19937_64 rng(config.seed);
  nlohmann::json rows = nlohmann::json::array();
  {
    ProbeStreams streams(config, device_stamps, total, flag);
    std::vector<int> order(static_cast<std::size_t>(config.streams));
    std::iota(order.begin(), order.end(), 1);
    // Trial -1 warms module loading and first launches up and is not kept.
    for (int trial = -1; trial < config.repeats; ++trial) {
      std::shuffle(order.begin(), order.end(), rng);
      SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, 2 * total * sizeof(BlockStamp)));
      SGPRS_CUDA_CALL(cudaDeviceSynchronize());
      *reinterpret_cast<volatile unsigned*>(flag) = 0;
      streams.fire(0);
      wait_for_flag(flag);
      const auto seen = Clock::now();
      for (int k = 0; k < config.queued_behind; ++k) streams.fire(streams.queued_index());
      std::vector<double> launch_us;
      for (int j = 0; j < config.probes; ++j) {
        spin_until(seen + std::chrono::microseconds(static_cast<std::int64_t>(j + 1) * config.spacing_us));
        launch_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - seen).count());
        streams.fire(order[static_cast<std::size_t>(j)]);
      }
      streams.synchronize(0);
      for (int j = 0; j < config.probes; ++j) streams.synchronize(order[static_cast<std::size_t>(j)]);
      streams.make_primary_current();
      SGPRS_CUDA_CALL(cudaMemcpy(stamps.data(), device_stamps, 2 * total * sizeof(BlockStamp), cudaMemcpyDeviceToHost));
      if (trial < 0) continue;
      const BlockStamp& b = stamps[0];
      nlohmann::json stream_ids = nlohmann::json::array(), starts = nlohmann::json::array(), ends = nlohmann::json::array();
      for (int j = 0; j < config.probes; ++j) {
        const int s = order[static_cast<std::size_t>(j)];
        const BlockStamp& p = stamps[static_cast<std::size_t>(s)];
        if (p.start_ns <= 0 || b.start_ns <= 0)
          throw GpuError("queue probe: trial " + std::to_string(trial) + " read back an unstamped block");
        stream_ids.push_back(s);
        starts.push_back(p.start_ns - b.start_ns);
        ends.push_back((config.chain > 1 ? stamps[total + static_cast<std::size_t>(s)].end_ns : p.end_ns) - b.start_ns);
      }
      const BlockStamp& queued = stamps[total - 1];
      rows.push_back({{"trial", trial},
                      {"blocker_end_ns", b.end_ns - b.start_ns},
                      {"queued_start_ns", config.queued_behind > 0 ? queued.start_ns - b.start_ns : 0},
                      {"probe_stream", std::move(stream_ids)},
                      {"probe_launch_us", std::move(launch_us)},
                      {"probe_start_ns", std::move(starts)},
                      {"probe_end_ns", std::move(ends)}});
      if ((trial + 1) % 10 == 0 || trial + 1 == config.repeats)
        std::fprintf(stderr, "queue probe: %d of %d trials\n", trial + 1, config.repeats);
    }
  }
  SGPRS_CUDA_CALL(cudaFree(device_stamps));
  SGPRS_CUDA_CALL(cudaFreeHost(flag));
  const nlohmann::json doc{{"schema", "sgprs.queue-probe/1"},
                           {"measured_utc", utc_now_iso8601()},
                           {"device", {{"name", prop.name}, {"sms", prop.multiProcessorCount}, {"driver_version", driver}}},
                           {"config",
                            {{"streams", config.streams},
                             {"probes", config.probes},
                             {"repeats", config.repeats},
                             {"blocker_ns", config.blocker_ns},
                             {"probe_ns", config.probe_ns},
                             {"spacing_us", config.spacing_us},
                             {"queued_behind", config.queued_behind},
                             {"chain", config.chain},
                             {"green_contexts", config.green_contexts},
                             {"graphs", config.graphs},
                             {"seed", config.seed},
                             {"cuda_device_max_connections", queues}}},
                           {"trials", std::move(rows)}};
  write_file_atomic(out_path, doc.dump() + "\n");
}

}  // namespace sgprs::profiler
