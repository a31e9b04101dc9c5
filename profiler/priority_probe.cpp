#include "profiler/priority_probe.hpp"

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
#include <map>
#include <memory>
#include <random>

namespace sgprs::profiler {

namespace {

using Clock = std::chrono::steady_clock;

struct Scenario {
  std::string name;
  int repeats = 0;
  int blocks = 0;           // L's grid
  int l_shared_bytes = 0;   // per L block
  int h_shared_bytes = 0;   // H's one block
  std::int64_t l_base_ns = 0;
  std::int64_t l_spread_ns = 0;
  std::vector<int> delays_us;
};

struct Trial {
  const Scenario* scenario = nullptr;
  int gap = 0;
  int delay_us = 0;
  int repeat = 0;
  int chain_streams = 0;  // chains only
  int chain_blocks = 0;
};

struct GpuFacts {
  std::string name;
  int sms = 0;
  int shared_per_sm = 0;
  int shared_per_block_optin = 0;
  int reserved_shared_per_block = 0;
  int least_priority = 0;
  int greatest_priority = 0;
  int driver = 0;
  int runtime = 0;
};

GpuFacts read_gpu_facts() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) throw NoGpuError("no CUDA GPU on this machine");
  SGPRS_CUDA_CALL(cudaSetDevice(0));
  cudaDeviceProp prop{};
  SGPRS_CUDA_CALL(cudaGetDeviceProperties(&prop, 0));
  GpuFacts facts;
  facts.name = prop.name;
  facts.sms = prop.multiProcessorCount;
  facts.shared_per_sm = static_cast<int>(prop.sharedMemPerMultiprocessor);
  facts.shared_per_block_optin = static_cast<int>(prop.sharedMemPerBlockOptin);
  facts.reserved_shared_per_block = static_cast<int>(prop.reservedSharedMemPerBlock);
  SGPRS_CUDA_CALL(cudaDeviceGetStreamPriorityRange(&facts.least_priority, &facts.greatest_priority));
  SGPRS_CUDA_CALL(cudaDriverGetVersion(&facts.driver));
  SGPRS_CUDA_CALL(cudaRuntimeGetVersion(&facts.runtime));
  return facts;
}

// Host-mapped flag that L's first block sets; polled with a deadline so that a grid that never
// starts is a named failure, not a hang.
void wait_for_flag(const volatile unsigned* flag) {
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  while (*flag == 0) {
    if (Clock::now() > give_up) throw GpuError("priority probe: the first block of grid L never started (5 s)");
  }
}

// Every block stamps itself, so a zero start means a grid had not ended when it was read back.
void copy_stamps(const BlockStamp* device_stamps, std::size_t total, std::vector<BlockStamp>& host_stamps) {
  host_stamps.resize(total);
  SGPRS_CUDA_CALL(cudaMemcpy(host_stamps.data(), device_stamps, total * sizeof(BlockStamp), cudaMemcpyDeviceToHost));
  const auto unstamped = std::count_if(host_stamps.begin(), host_stamps.end(), [](const BlockStamp& b) { return b.start_ns <= 0; });
  if (unstamped > 0)
    throw GpuError("priority probe: " + std::to_string(unstamped) + " of " + std::to_string(total) +
                   " blocks were read back unstamped (a grid still running)");
}

std::int64_t first_start(const std::vector<BlockStamp>& stamps, int blocks) {
  std::int64_t t0 = stamps[0].start_ns;
  for (int b = 0; b < blocks; ++b) t0 = std::min(t0, stamps[static_cast<std::size_t>(b)].start_ns);
  return t0;
}

// Blocks [from, from + count) as prefix+"start_ns", "end_ns" and "sm" arrays, times from t0.
nlohmann::json stamps_json(const std::vector<BlockStamp>& stamps, std::size_t from, std::size_t count, std::int64_t t0,
                           const std::string& prefix) {
  nlohmann::json starts = nlohmann::json::array();
  nlohmann::json ends = nlohmann::json::array();
  nlohmann::json sms = nlohmann::json::array();
  for (std::size_t b = from; b < from + count; ++b) {
    starts.push_back(stamps[b].start_ns - t0);
    ends.push_back(stamps[b].end_ns - t0);
    sms.push_back(stamps[b].sm);
  }
  return nlohmann::json{{prefix + "start_ns", std::move(starts)}, {prefix + "end_ns", std::move(ends)},
                        {prefix + "sm", std::move(sms)}};
}

void spin_for(int delay_us) {
  const auto until = Clock::now() + std::chrono::microseconds(delay_us);
  while (Clock::now() < until) {
  }
}

// Where the probe's grids run: streams of the process's one context, or (green) each stream the one
// stream of its own whole-GPU green context, as `streams` runs live (simulator/live/unit_graphs.cpp);
// launched directly, or (graphs) through a CUDA graph captured and uploaded beforehand, as every live
// unit is. Streams are made on first use and kept for the run.
class ProbeLauncher {
 public:
  struct Grid {  // one launch of the stamping kernel
    BlockStamp* stamps = nullptr;
    int blocks = 0, shared_bytes = 0, trigger_block = -1;
    std::int64_t base_ns = 0, spread_ns = 0;
    unsigned* flag = nullptr;
  };
  struct Prepared {  // grids that run in order on one stream: one graph, or launches one by one
    cudaStream_t stream = nullptr;
    const Partition* partition = nullptr;
    cudaGraphExec_t exec = nullptr;
    std::vector<Grid> grids;
  };

  ProbeLauncher(bool green, bool graphs, int shared_bytes) : graphs_(graphs), shared_bytes_(shared_bytes) {
    if (green) pool_ = std::make_unique<PartitionPool>(0);
    SGPRS_CUDA_CALL(allow_stamp_grid_shared_memory(shared_bytes_));
  }
  ProbeLauncher(const ProbeLauncher&) = delete;
  ProbeLauncher& operator=(const ProbeLauncher&) = delete;
  ~ProbeLauncher() {
    for (auto& [key, stream] : plain_) cudaStreamDestroy(stream);
  }

  // The index-th stream at `priority`.
  std::pair<cudaStream_t, const Partition*> stream(int priority, int index) {
    const auto key = std::make_pair(priority, index);
    if (pool_) {
      auto it = green_.find(key);
      if (it == green_.end()) {
        const GpuSplit& split = pool_->split();
        std::vector<int> pieces(static_cast<std::size_t>(split.pieces));
        for (int i = 0; i < split.pieces; ++i) pieces[static_cast<std::size_t>(i)] = i;
        const Partition& part = pool_->add(pieces, split.remainder_sms > 0, 1, priority);
        part.make_current();
        SGPRS_CUDA_CALL(allow_stamp_grid_shared_memory(shared_bytes_));  // a function's attributes are per context
        it = green_.emplace(key, &part).first;
      }
      return {it->second->stream(), it->second};
    }
    auto it = plain_.find(key);
    if (it == plain_.end()) {
      cudaStream_t created = nullptr;
      SGPRS_CUDA_CALL(cudaStreamCreateWithPriority(&created, cudaStreamNonBlocking, priority));
      it = plain_.emplace(key, created).first;
    }
    return {it->second, nullptr};
  }

  Prepared prepare(int priority, int index, BlockStamp* stamps, int blocks, int shared_bytes, std::int64_t base_ns,
                   std::int64_t spread_ns, int trigger_block, unsigned* flag) {
    return prepare_chain(priority, index, {Grid{stamps, blocks, shared_bytes, trigger_block, base_ns, spread_ns, flag}});
  }

  // With graphs the whole chain is one graph, as a live unit's kernels are.
  Prepared prepare_chain(int priority, int index, std::vector<Grid> grids, bool as_graph = false) {
    const auto [s, part] = stream(priority, index);
    Prepared p{s, part, nullptr, std::move(grids)};
    if (!graphs_ && !as_graph) return p;
    if (part != nullptr) part->make_current();
    cudaGraph_t graph = nullptr;
    SGPRS_CUDA_CALL(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    cudaError_t launched = cudaSuccess;
    for (const Grid& g : p.grids)
      if (launched == cudaSuccess) launched = launch(s, g);
    const cudaError_t ended = cudaStreamEndCapture(s, &graph);
    SGPRS_CUDA_CALL(launched);
    SGPRS_CUDA_CALL(ended);
    const cudaError_t made = cudaGraphInstantiate(&p.exec, graph, 0);
    cudaGraphDestroy(graph);
    SGPRS_CUDA_CALL(made);
    SGPRS_CUDA_CALL(cudaGraphUpload(p.exec, s));
    SGPRS_CUDA_CALL(cudaStreamSynchronize(s));
    return p;
  }

  void fire(const Prepared& p) const {
    if (p.exec != nullptr) {
      SGPRS_CUDA_CALL(cudaGraphLaunch(p.exec, p.stream));
      return;
    }
    if (p.partition != nullptr) p.partition->make_current();
    for (const Grid& g : p.grids) SGPRS_CUDA_CALL(launch(p.stream, g));
  }

  static cudaError_t launch(cudaStream_t stream, const Grid& g) {
    return launch_stamp_grid(stream, g.stamps, g.blocks, g.shared_bytes, g.base_ns, g.spread_ns, g.trigger_block, g.flag);
  }

  static void release(Prepared& p) {
    if (p.exec != nullptr) SGPRS_CUDA_CALL(cudaGraphExecDestroy(p.exec));
    p.exec = nullptr;
  }

 private:
  bool graphs_ = false;
  int shared_bytes_ = 0;
  std::unique_ptr<PartitionPool> pool_;
  std::map<std::pair<int, int>, cudaStream_t> plain_;
  std::map<std::pair<int, int>, const Partition*> green_;
};

nlohmann::json run_trial(const Trial& trial, const GpuFacts& gpu, const PriorityProbeConfig& config,
                         ProbeLauncher& launcher, BlockStamp* device_stamps, unsigned* flag,
                         std::vector<BlockStamp>& host_stamps) {
  const Scenario& s = *trial.scenario;
  const int low_priority = gpu.least_priority - config.low_level;
  const std::size_t total = static_cast<std::size_t>(s.blocks) + 1;  // H's stamp last
  auto low = launcher.prepare(low_priority, 0, device_stamps, s.blocks, s.l_shared_bytes, s.l_base_ns, s.l_spread_ns, 0,
                              flag);
  auto high = launcher.prepare(low_priority - trial.gap, 1, device_stamps + s.blocks, 1, s.h_shared_bytes,
                               config.urgent_block_ns, 0, -1, nullptr);
  SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, total * sizeof(BlockStamp)));
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());
  *reinterpret_cast<volatile unsigned*>(flag) = 0;

  launcher.fire(low);
  wait_for_flag(flag);
  const auto seen = Clock::now();
  spin_for(trial.delay_us);
  const auto launch = Clock::now();
  launcher.fire(high);
  const auto launched = Clock::now();
  // Each stream by name: a green context's work is not the current context's to wait for.
  SGPRS_CUDA_CALL(cudaStreamSynchronize(low.stream));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(high.stream));
  copy_stamps(device_stamps, total, host_stamps);
  ProbeLauncher::release(low);
  ProbeLauncher::release(high);

  const std::int64_t t0 = first_start(host_stamps, s.blocks);
  nlohmann::json row = stamps_json(host_stamps, 0, s.blocks, t0, "l_");
  const BlockStamp& h = host_stamps.back();
  const auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  row.update({{"scenario", s.name},
              {"gap", trial.gap},
              {"low_level", config.low_level},
              {"delay_us", trial.delay_us},
              {"repeat", trial.repeat},
              {"host_delay_us", us(launch - seen)},
              {"host_launch_us", us(launched - launch)},
              {"trigger_block", 0},
              {"h_start_ns", h.start_ns - t0},
              {"h_end_ns", h.end_ns - t0},
              {"h_sm", h.sm}});
  return row;
}

// chains: L starts on the least urgent stream; once its first block runs, each of U streams at the
// most urgent level is given its whole chain at once, so each next kernel is pending the moment
// the one before it ends.
nlohmann::json run_chain_trial(const Trial& trial, const GpuFacts& gpu, const PriorityProbeConfig& config,
                               ProbeLauncher& launcher, BlockStamp* device_stamps, unsigned* flag,
                               std::vector<BlockStamp>& host_stamps) {
  const Scenario& s = *trial.scenario;
  const std::size_t per_stream = static_cast<std::size_t>(config.chain_kernels) * trial.chain_blocks;
  const std::size_t total = static_cast<std::size_t>(s.blocks) + static_cast<std::size_t>(trial.chain_streams) * per_stream;
  auto low = launcher.prepare(gpu.least_priority, 0, device_stamps, s.blocks, s.l_shared_bytes, s.l_base_ns,
                              s.l_spread_ns, 0, flag);
  std::vector<ProbeLauncher::Prepared> chain;  // kernel k of every stream, then k + 1; or one graph a stream
  const auto grid = [&](int u, int k) {
    return ProbeLauncher::Grid{device_stamps + s.blocks + static_cast<std::size_t>(u) * per_stream +
                                   static_cast<std::size_t>(k) * trial.chain_blocks,
                               trial.chain_blocks, s.h_shared_bytes, -1, config.chain_block_ns, 0, nullptr};
  };
  if (config.chain_one_graph) {
    for (int u = 0; u < trial.chain_streams; ++u) {
      std::vector<ProbeLauncher::Grid> grids;
      for (int k = 0; k < config.chain_kernels; ++k) grids.push_back(grid(u, k));
      chain.push_back(launcher.prepare_chain(gpu.greatest_priority, u, std::move(grids), true));
    }
  } else {
    for (int k = 0; k < config.chain_kernels; ++k)
      for (int u = 0; u < trial.chain_streams; ++u) chain.push_back(launcher.prepare_chain(gpu.greatest_priority, u, {grid(u, k)}));
  }
  SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, total * sizeof(BlockStamp)));
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());
  *reinterpret_cast<volatile unsigned*>(flag) = 0;

  launcher.fire(low);
  wait_for_flag(flag);
  for (const auto& p : chain) launcher.fire(p);
  SGPRS_CUDA_CALL(cudaStreamSynchronize(low.stream));
  for (const auto& p : chain) SGPRS_CUDA_CALL(cudaStreamSynchronize(p.stream));
  copy_stamps(device_stamps, total, host_stamps);
  ProbeLauncher::release(low);
  for (auto& p : chain) ProbeLauncher::release(p);

  const std::int64_t t0 = first_start(host_stamps, s.blocks);
  nlohmann::json row = stamps_json(host_stamps, 0, s.blocks, t0, "l_");
  row.update(stamps_json(host_stamps, static_cast<std::size_t>(s.blocks), total - static_cast<std::size_t>(s.blocks),
                         t0, "u_"));
  row.update({{"scenario", s.name},
              {"gap", gpu.least_priority - gpu.greatest_priority},
              {"repeat", trial.repeat},
              {"chain_streams", trial.chain_streams},
              {"chain_blocks", trial.chain_blocks},
              {"chain_kernels", config.chain_kernels}});
  return row;
}

// crowd: N streams at the least urgent level each run a chain of small kernels, and one stream at the
// most urgent level a chain of one-block kernels; each chain is one graph, launched at once, so the
// host launches nothing while they run. The blocks are small enough that every SM has room for all
// of them at once: whatever delays the urgent chain's kernels is not a lack of SMs.
nlohmann::json run_crowd_trial(const Trial& trial, const GpuFacts& gpu, const PriorityProbeConfig& config,
                               ProbeLauncher& launcher, BlockStamp* device_stamps, std::vector<BlockStamp>& host_stamps) {
  const int background = trial.chain_streams;
  const std::size_t per_stream = static_cast<std::size_t>(config.crowd_kernels) * config.crowd_blocks;
  const std::size_t urgent_at = static_cast<std::size_t>(background) * per_stream;
  const std::size_t total = urgent_at + static_cast<std::size_t>(config.crowd_kernels);
  std::vector<ProbeLauncher::Prepared> chains;
  for (int u = 0; u < background; ++u) {
    std::vector<ProbeLauncher::Grid> grids;
    for (int k = 0; k < config.crowd_kernels; ++k)
      grids.push_back({device_stamps + static_cast<std::size_t>(u) * per_stream + static_cast<std::size_t>(k) * config.crowd_blocks,
                       config.crowd_blocks, 0, -1, config.crowd_block_ns, 0, nullptr});
    chains.push_back(launcher.prepare_chain(gpu.least_priority, u, std::move(grids), true));
  }
  std::vector<ProbeLauncher::Grid> urgent;
  for (int k = 0; k < config.crowd_kernels; ++k)
    urgent.push_back({device_stamps + urgent_at + static_cast<std::size_t>(k), 1, 0, -1, config.crowd_urgent_ns, 0, nullptr});
  chains.push_back(launcher.prepare_chain(gpu.greatest_priority, 0, std::move(urgent), true));
  SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, total * sizeof(BlockStamp)));
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());

  for (const auto& c : chains) launcher.fire(c);  // the urgent chain last
  for (const auto& c : chains) SGPRS_CUDA_CALL(cudaStreamSynchronize(c.stream));
  copy_stamps(device_stamps, total, host_stamps);
  for (auto& c : chains) ProbeLauncher::release(c);

  std::int64_t t0 = host_stamps[0].start_ns;
  for (const BlockStamp& b : host_stamps) t0 = std::min(t0, b.start_ns);
  nlohmann::json row = stamps_json(host_stamps, urgent_at, static_cast<std::size_t>(config.crowd_kernels), t0, "u_");
  row.update(stamps_json(host_stamps, 0, urgent_at, t0, "b_"));
  row.update({{"scenario", "crowd"},
              {"gap", gpu.least_priority - gpu.greatest_priority},
              {"repeat", trial.repeat},
              {"background_streams", background},
              {"crowd_kernels", config.crowd_kernels},
              {"crowd_blocks", config.crowd_blocks}});
  return row;
}


}  // namespace

void run_priority_probe(const PriorityProbeConfig& config, const std::string& out_path) {
  // As the live mode: enough hardware queues that the probe's streams do not alias (before any CUDA call).
  init_cuda_for_partitions(32);
  const GpuFacts gpu = read_gpu_facts();
  const int levels = gpu.least_priority - gpu.greatest_priority;
  if (config.low_level > levels)
    throw InputError("--low-level", "", "must be at most " + std::to_string(levels) + " (this GPU's priority levels)");
  // One block per SM: a block asks for all the shared memory one block may have. Four per SM: a
  // quarter of the SM's, less the per-block reservation, so that a fifth does not fit.
  const int whole_sm = gpu.shared_per_block_optin;
  const int quarter_sm = gpu.shared_per_sm / 4 - gpu.reserved_shared_per_block - 1024;
  ProbeLauncher launcher(config.green_contexts, config.graphs, whole_sm);

  const std::vector<Scenario> all_scenarios = {
      {"free", config.repeats, gpu.sms / 2, whole_sm, whole_sm, 4 * (config.block_base_ns + config.block_spread_ns), 0, {0}},
      {"queue", config.repeats, config.waves * gpu.sms, whole_sm, whole_sm, config.block_base_ns, config.block_spread_ns,
       config.delays_us},
      {"drain", config.drain_repeats, config.waves * gpu.sms * 4, quarter_sm, whole_sm, config.block_base_ns,
       config.block_spread_ns, config.drain_delays_us},
      {"chains", config.chain_repeats, config.chain_waves * gpu.sms, whole_sm, whole_sm, config.block_base_ns,
       config.block_spread_ns, {0}},
      {"crowd", config.crowd_repeats, 0, 0, 0, config.crowd_block_ns, 0, {0}},
  };
  std::vector<Scenario> scenarios;
  for (const std::string& name : config.scenarios) {
    const auto it = std::find_if(all_scenarios.begin(), all_scenarios.end(), [&](const Scenario& s) { return s.name == name; });
    if (it == all_scenarios.end()) throw InputError("--scenarios", "", "unknown scenario '" + name + "' (free, queue, drain, chains, crowd)");
    scenarios.push_back(*it);
  }
  std::vector<Trial> trials;
  std::size_t most_stamps = 0;
  for (const Scenario& s : scenarios) {
    if (s.name == "crowd") {
      for (int background : config.crowd_streams) {
        for (int r = 0; r < s.repeats; ++r) trials.push_back({&s, levels, 0, r, background, 0});
        most_stamps = std::max(most_stamps, static_cast<std::size_t>(background + 1) * config.crowd_kernels *
                                                static_cast<std::size_t>(config.crowd_blocks));
      }
      continue;
    }
    if (s.name == "chains") {
      for (int streams : config.chain_streams)
        for (int share : config.chain_sm_shares) {
          const int blocks = std::max(1, gpu.sms * share / 100);
          for (int r = 0; r < s.repeats; ++r) trials.push_back({&s, levels, 0, r, streams, blocks});
          most_stamps = std::max(most_stamps, static_cast<std::size_t>(s.blocks) +
                                                  static_cast<std::size_t>(streams) * config.chain_kernels * blocks);
        }
      continue;
    }
    most_stamps = std::max(most_stamps, static_cast<std::size_t>(s.blocks) + 1);
    for (int gap = 0; gap <= levels - config.low_level; ++gap)
      for (int delay : s.delays_us)
        for (int r = 0; r < s.repeats; ++r) trials.push_back({&s, gap, delay, r});
  }
  std::mt19937_64 rng(config.seed);
  std::shuffle(trials.begin(), trials.end(), rng);  // drift in the GPU's state spreads over every cell

  BlockStamp* device_stamps = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(reinterpret_cast<void**>(&device_stamps), most_stamps * sizeof(BlockStamp)));
  unsigned* flag = nullptr;
  SGPRS_CUDA_CALL(cudaHostAlloc(reinterpret_cast<void**>(&flag), sizeof(unsigned), cudaHostAllocMapped | cudaHostAllocPortable));
  std::vector<BlockStamp> host_stamps;

  // Warm-up: module load and first-launch costs stay out of the trials.
  const auto run_any = [&](const Trial& t) {
    if (t.scenario->name == "crowd") return run_crowd_trial(t, gpu, config, launcher, device_stamps, host_stamps);
    return t.scenario->name == "chains" ? run_chain_trial(t, gpu, config, launcher, device_stamps, flag, host_stamps)
                                         : run_trial(t, gpu, config, launcher, device_stamps, flag, host_stamps);
  };
  for (const Scenario& s : scenarios)
    run_any({&s, 0, 0, -1, s.name == "crowd" ? config.crowd_streams.back() : config.chain_streams.front(),
             std::max(1, gpu.sms * config.chain_sm_shares.front() / 100)});

  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < trials.size(); ++i) {
    rows.push_back(run_any(trials[i]));
    if ((i + 1) % 50 == 0 || i + 1 == trials.size())
      std::fprintf(stderr, "priority probe: %zu of %zu trials\n", i + 1, trials.size());
  }
  SGPRS_CUDA_CALL(cudaFree(device_stamps));
  SGPRS_CUDA_CALL(cudaFreeHost(flag));

  nlohmann::json scenario_rows = nlohmann::json::array();
  for (const Scenario& s : scenarios)
    scenario_rows.push_back({{"name", s.name},
                             {"repeats", s.repeats},
                             {"l_blocks", s.blocks},
                             {"l_shared_bytes", s.l_shared_bytes},
                             {"h_shared_bytes", s.h_shared_bytes},
                             {"l_base_ns", s.l_base_ns},
                             {"l_spread_ns", s.l_spread_ns}});
  const nlohmann::json doc{
      {"schema", "sgprs.priority-probe/1"},
      {"measured_utc", utc_now_iso8601()},
      {"device",
       {{"name", gpu.name},
        {"sms", gpu.sms},
        {"shared_per_sm", gpu.shared_per_sm},
        {"shared_per_block_optin", gpu.shared_per_block_optin},
        {"least_priority", gpu.least_priority},
        {"greatest_priority", gpu.greatest_priority},
        {"driver_version", gpu.driver},
        {"runtime_version", gpu.runtime}}},
      {"config",
       {{"waves", config.waves},
        {"repeats", config.repeats},
        {"delays_us", config.delays_us},
        {"drain_delays_us", config.drain_delays_us},
        {"drain_repeats", config.drain_repeats},
        {"block_base_ns", config.block_base_ns},
        {"block_spread_ns", config.block_spread_ns},
        {"chain_streams", config.chain_streams},
        {"chain_sm_shares", config.chain_sm_shares},
        {"chain_kernels", config.chain_kernels},
        {"chain_block_ns", config.chain_block_ns},
        {"chain_waves", config.chain_waves},
        {"chain_one_graph", config.chain_one_graph},
        {"crowd_streams", config.crowd_streams},
        {"crowd_kernels", config.crowd_kernels},
        {"crowd_blocks", config.crowd_blocks},
        {"crowd_block_ns", config.crowd_block_ns},
        {"crowd_urgent_ns", config.crowd_urgent_ns},
        {"urgent_block_ns", config.urgent_block_ns},
        {"seed", config.seed},
        {"low_level", config.low_level},
        {"green_contexts", config.green_contexts},
        {"graphs", config.graphs}}},
      {"scenarios", std::move(scenario_rows)},
      {"trials", std::move(rows)}};
  write_file_atomic(out_path, doc.dump() + "\n");
}

}  // namespace sgprs::profiler
