// Simulator throughput: stage events (starts + finishes) per wall-clock second
// on one core, for 30 ResNet-like tasks (6-stage chain) at 30 Hz over one
// simulated hour, with no observer but the built-in metrics (as
// `sgprs simulate --no-events`). Inputs: tests/data/sim (synthetic 16-SM GPU;
// not measured data). Target: >= 10 million stage events/s.
// simulate_paper_run: one overloaded run shaped as the paper sweeps' (per CPU second).
//
//   build/bench/sgprs_simulator_bench                     # all
//   build/bench/sgprs_simulator_bench --benchmark_filter=sgprs
//   build/bench/sgprs_simulator_bench --benchmark_filter=paper_run
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/simulation.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace {

const std::string kData = std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim";

struct Inputs {
  sgprs::Profile profile;
  sgprs::sim::Workload workload;
  sgprs::Layout layout;
};

Inputs load(const std::string& profile_path, const std::string& models_dir) {
  Inputs in{sgprs::Profile::load(profile_path), {}, {}};
  in.workload = sgprs::sim::make_workload(sgprs::TaskSet::load(kData + "/taskset-bench.json"), in.profile, models_dir, 1);
  in.layout = sgprs::parse_layout("equal:2:1.0x", in.profile.gpu());
  return in;
}

const Inputs& inputs() {
  static const Inputs in = load(kData + "/profile.json", kData + "/models");
  return in;
}

// `count` ResNet-18 tasks at 30 Hz (random offsets) on the measured H100 profile, on `layout`.
Inputs h100_resnet18(int count, const std::string& layout) {
  const std::string root(SGPRS_SOURCE_DIR);
  std::string ts = sgprs::Json{{"schema", "sgprs.taskset/1"},
                               {"tasks", {{{"name", "r"}, {"model", "resnet18"}, {"rate_hz", 30},
                                           {"offset_ns", "random"}, {"count", count}}}}}.dump();
  Inputs out{sgprs::Profile::load(root + "/traces/profiles/h100-fp32.json"), {}, {}};
  out.workload = sgprs::sim::make_workload(sgprs::TaskSet::from_json(sgprs::Json::parse(ts), "bench"), out.profile,
                                           root + "/traces/models", 1);
  out.layout = sgprs::parse_layout(layout, out.profile.gpu());
  return out;
}

// The same 30 x 30 Hz shape with ResNet-18 on the measured H100 profile, when
// it is there: its 16-point curves and its slightly overlapping equal:2:1.0x
// (2 x 64 SMs share one 8-SM piece) make more work per event than the test GPU.
const Inputs& h100_inputs() {
  static const Inputs in = h100_resnet18(30, "equal:2:1.0x");
  return in;
}

// One run of the paper sweeps as they spend their time (bench/paper_sweeps.sh): 214 ResNet-18
// tasks at 30 Hz on the H100 profile, past the throughput bound of equal:2:1.5x (so queues form
// and every start and finish moves the shares of the coupled partitions), 3 simulated s. Timed
// in CPU time (the machine is shared), so the rates are events per CPU second.
const Inputs& paper_inputs() {
  static const Inputs in = h100_resnet18(214, "equal:2:1.5x");
  return in;
}

void run_hour(benchmark::State& state, const Inputs& in, const std::string& scheduler) {
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

void simulate_hour(benchmark::State& state, const std::string& scheduler) { run_hour(state, inputs(), scheduler); }

// False (the benchmark skipped) when the measured H100 profile is not there.
bool have_h100(benchmark::State& state) {
  if (std::filesystem::exists(std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h100-fp32.json")) return true;
  state.SkipWithError("traces/profiles/h100-fp32.json is not there");
  for (auto _ : state) {
  }
  return false;
}

void simulate_hour_h100(benchmark::State& state, const std::string& scheduler) {
  if (have_h100(state)) run_hour(state, h100_inputs(), scheduler);
}

void simulate_paper_run(benchmark::State& state, const std::string& scheduler) {
  if (have_h100(state)) run_hour(state, paper_inputs(), scheduler);
}

}  // namespace

BENCHMARK_CAPTURE(simulate_paper_run, sgprs, std::string("sgprs"))->Arg(3)->Repetitions(3)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(simulate_paper_run, static, std::string("static"))->Arg(3)->Repetitions(3)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(simulate_paper_run, naive, std::string("naive"))->Arg(3)->Repetitions(3)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(simulate_hour, sgprs, std::string("sgprs"))->Arg(3600)->Iterations(1)->Repetitions(3)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, static, std::string("static"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, sequential, std::string("sequential"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(simulate_hour, naive, std::string("naive"))->Arg(3600)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

BENCHMARK_CAPTURE(simulate_hour_h100, sgprs, std::string("sgprs"))->Arg(3600)->Iterations(1)->Repetitions(3)->UseRealTime()->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
