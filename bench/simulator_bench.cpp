// Simulator throughput: stage events (starts + finishes) per wall-clock second
// on one core, for 30 ResNet-like tasks (6-stage chain) at 30 Hz over one
// simulated hour, with no observer but the built-in metrics (as
// `sgprs simulate --no-events`). Inputs: tests/data/sim (synthetic 16-SM GPU;
// not measured data). Target (issue 2): >= 10 million stage events/s.
//
//   build/bench/sgprs_simulator_bench                     # all
//   build/bench/sgprs_simulator_bench --benchmark_filter=sgprs
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/simulation.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

const std::string kData = std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim";

struct Inputs {
  sgprs::Profile profile = sgprs::Profile::load(kData + "/profile.json");
  sgprs::sim::Workload workload = sgprs::sim::make_workload(sgprs::TaskSet::load(kData + "/taskset-bench.json"),
                                                            profile, kData + "/models", 1);
  sgprs::Layout layout = sgprs::parse_layout("equal:2:1.0x", profile.gpu());
};

const Inputs& inputs() {
  static const Inputs in;
  return in;
}

void simulate_hour(benchmark::State& state, const std::string& scheduler) {
  const Inputs& in = inputs();
  sgprs::sim::RunOptions options;
  options.scheduler = scheduler;
  options.duration_ns = static_cast<sgprs::Ns>(state.range(0)) * sgprs::kNsPerSecond;
  std::int64_t stage_events = 0, events = 0;
  for (auto _ : state) {
    const sgprs::sim::Summary s = sgprs::sim::simulate(in.profile, in.workload, in.layout, options);
    stage_events += s.stage_events;
    events += s.events_processed;
    benchmark::DoNotOptimize(s.jobs_completed);
  }
  state.counters["stage_events_per_s"] = benchmark::Counter(static_cast<double>(stage_events), benchmark::Counter::kIsRate);
  state.counters["all_events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["stage_events"] = static_cast<double>(stage_events) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(simulate_hour, sgprs, std::string("sgprs"))->Arg(3600)->Iterations(1)->Repetitions(3)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, static, std::string("static"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, sequential, std::string("sequential"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, naive, std::string("naive"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
