#include "profiler/priority_probe.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/priority_probe_kernels.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
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

nlohmann::json run_trial(const Trial& trial, const GpuFacts& gpu, const PriorityProbeConfig& config,
                         BlockStamp* device_stamps, unsigned* flag, std::vector<BlockStamp>& host_stamps) {
  const Scenario& s = *trial.scenario;
  cudaStream_t low = nullptr;
  cudaStream_t high = nullptr;
  SGPRS_CUDA_CALL(cudaStreamCreateWithPriority(&low, cudaStreamNonBlocking, gpu.least_priority));
  SGPRS_CUDA_CALL(cudaStreamCreateWithPriority(&high, cudaStreamNonBlocking, gpu.least_priority - trial.gap));
  const std::size_t total = static_cast<std::size_t>(s.blocks) + 1;  // H's stamp last
  SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, total * sizeof(BlockStamp)));
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());
  *reinterpret_cast<volatile unsigned*>(flag) = 0;

  SGPRS_CUDA_CALL(launch_stamp_grid(low, device_stamps, s.blocks, s.l_shared_bytes, s.l_base_ns, s.l_spread_ns, 0, flag));
  wait_for_flag(flag);
  const auto seen = Clock::now();
  spin_for(trial.delay_us);
  const auto launch = Clock::now();
  SGPRS_CUDA_CALL(launch_stamp_grid(high, device_stamps + s.blocks, 1, s.h_shared_bytes, config.urgent_block_ns, 0, -1,
                                    nullptr));
  const auto launched = Clock::now();
  SGPRS_CUDA_CALL(cudaStreamSynchronize(high));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(low));
  host_stamps.resize(total);
  SGPRS_CUDA_CALL(cudaMemcpy(host_stamps.data(), device_stamps, total * sizeof(BlockStamp), cudaMemcpyDeviceToHost));
  SGPRS_CUDA_CALL(cudaStreamDestroy(low));
  SGPRS_CUDA_CALL(cudaStreamDestroy(high));

  const std::int64_t t0 = first_start(host_stamps, s.blocks);
  nlohmann::json row = stamps_json(host_stamps, 0, s.blocks, t0, "l_");
  const BlockStamp& h = host_stamps.back();
  const auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  row.update({{"scenario", s.name},
              {"gap", trial.gap},
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
                               BlockStamp* device_stamps, unsigned* flag, std::vector<BlockStamp>& host_stamps) {
  const Scenario& s = *trial.scenario;
  cudaStream_t low = nullptr;
  SGPRS_CUDA_CALL(cudaStreamCreateWithPriority(&low, cudaStreamNonBlocking, gpu.least_priority));
  std::vector<cudaStream_t> urgent(static_cast<std::size_t>(trial.chain_streams));
  for (cudaStream_t& u : urgent)
    SGPRS_CUDA_CALL(cudaStreamCreateWithPriority(&u, cudaStreamNonBlocking, gpu.greatest_priority));
  const std::size_t per_stream = static_cast<std::size_t>(config.chain_kernels) * trial.chain_blocks;
  const std::size_t total = static_cast<std::size_t>(s.blocks) + urgent.size() * per_stream;
  SGPRS_CUDA_CALL(cudaMemset(device_stamps, 0, total * sizeof(BlockStamp)));
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());
  *reinterpret_cast<volatile unsigned*>(flag) = 0;

  SGPRS_CUDA_CALL(launch_stamp_grid(low, device_stamps, s.blocks, s.l_shared_bytes, s.l_base_ns, s.l_spread_ns, 0, flag));
  wait_for_flag(flag);
  for (int k = 0; k < config.chain_kernels; ++k)
    for (std::size_t u = 0; u < urgent.size(); ++u) {
      BlockStamp* stamps = device_stamps + s.blocks + u * per_stream + static_cast<std::size_t>(k) * trial.chain_blocks;
      SGPRS_CUDA_CALL(launch_stamp_grid(urgent[u], stamps, trial.chain_blocks, s.h_shared_bytes, config.chain_block_ns,
                                        0, -1, nullptr));
    }
  SGPRS_CUDA_CALL(cudaDeviceSynchronize());
  host_stamps.resize(total);
  SGPRS_CUDA_CALL(cudaMemcpy(host_stamps.data(), device_stamps, total * sizeof(BlockStamp), cudaMemcpyDeviceToHost));
  SGPRS_CUDA_CALL(cudaStreamDestroy(low));
  for (cudaStream_t u : urgent) SGPRS_CUDA_CALL(cudaStreamDestroy(u));

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

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

void run_priority_probe(const PriorityProbeConfig& config, const std::string& out_path) {
  const GpuFacts gpu = read_gpu_facts();
  const int levels = gpu.least_priority - gpu.greatest_priority;
  // One block per SM: a block asks for all the shared memory one block may have. Four per SM: a
  // quarter of the SM's, less the per-block reservation, so that a fifth does not fit.
  const int whole_sm = gpu.shared_per_block_optin;
  const int quarter_sm = gpu.shared_per_sm / 4 - gpu.reserved_shared_per_block - 1024;
  SGPRS_CUDA_CALL(allow_stamp_grid_shared_memory(whole_sm));

  const std::vector<Scenario> all_scenarios = {
      {"free", config.repeats, gpu.sms / 2, whole_sm, whole_sm, 4 * (config.block_base_ns + config.block_spread_ns), 0, {0}},
      {"queue", config.repeats, config.waves * gpu.sms, whole_sm, whole_sm, config.block_base_ns, config.block_spread_ns,
       config.delays_us},
      {"drain", config.drain_repeats, config.waves * gpu.sms * 4, quarter_sm, whole_sm, config.block_base_ns,
       config.block_spread_ns, config.drain_delays_us},
      {"chains", config.chain_repeats, config.chain_waves * gpu.sms, whole_sm, whole_sm, config.block_base_ns,
       config.block_spread_ns, {0}},
  };
  std::vector<Scenario> scenarios;
  for (const std::string& name : config.scenarios) {
    const auto it = std::find_if(all_scenarios.begin(), all_scenarios.end(), [&](const Scenario& s) { return s.name == name; });
    if (it == all_scenarios.end()) throw InputError("--scenarios", "", "unknown scenario '" + name + "' (free, queue, drain, chains)");
    scenarios.push_back(*it);
  }
  std::vector<Trial> trials;
  std::size_t most_stamps = 0;
  for (const Scenario& s : scenarios) {
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
    for (int gap = 0; gap <= levels; ++gap)
      for (int delay : s.delays_us)
        for (int r = 0; r < s.repeats; ++r) trials.push_back({&s, gap, delay, r});
  }
  std::mt19937_64 rng(config.seed);
  std::shuffle(trials.begin(), trials.end(), rng);  // drift in the GPU's state spreads over every cell

  BlockStamp* device_stamps = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(reinterpret_cast<void**>(&device_stamps), most_stamps * sizeof(BlockStamp)));
  unsigned* flag = nullptr;
  SGPRS_CUDA_CALL(cudaHostAlloc(reinterpret_cast<void**>(&flag), sizeof(unsigned), cudaHostAllocMapped));
  std::vector<BlockStamp> host_stamps;

  // Warm-up: module load and first-launch costs stay out of the trials.
  const auto run_any = [&](const Trial& t) {
    return t.scenario->name == "chains" ? run_chain_trial(t, gpu, config, device_stamps, flag, host_stamps)
                                         : run_trial(t, gpu, config, device_stamps, flag, host_stamps);
  };
  for (const Scenario& s : scenarios)
    run_any({&s, 0, 0, -1, config.chain_streams.front(), std::max(1, gpu.sms * config.chain_sm_shares.front() / 100)});

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
      {"measured_utc", utc_now()},
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
        {"urgent_block_ns", config.urgent_block_ns},
        {"seed", config.seed}}},
      {"scenarios", std::move(scenario_rows)},
      {"trials", std::move(rows)}};
  write_file_atomic(out_path, doc.dump() + "\n");
}

}  // namespace sgprs::profiler
