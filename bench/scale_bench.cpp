// How the simulator grows with the task count: n distinct tasks (ResNet-18, ResNet-50 and
// MobileNet-V2 in turn, 1 s periods, random offsets) on the shipped H200 TF32 profile,
// equal:2:1.0x, sgprs, 1 simulated second of releases (about n/2 jobs: far past what the GPU
// completes, so queues grow to thousands of stages and the run goes on until every released
// job has ended). Each case times the three steps a run takes, as `sgprs simulate` does them:
//   load      the task set parsed from its JSON text and resolved against the profile and models
//   plan      scheduler, pool and the policy plan (stage deadlines, predictions)
//   simulate  sim::simulate() (which plans again, then runs) with only the built-in metrics
// Targets: n = 100,000 in under 10 s for the three together on a 2-core machine, and the time per
// task nearly flat from 25,000 to 100,000 (n log n at most). plan_only/1000000 shows that planning
// a million tasks takes seconds, not minutes.
//
//   build/bench/sgprs_scale_bench                                   # 25k, 50k, 100k and 1e6 plan
//   build/bench/sgprs_scale_bench --benchmark_filter=load_plan_simulate
#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/policy/planned_run.hpp"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace {

const std::string kRoot(SGPRS_SOURCE_DIR);

const sgprs::Profile& profile() {
  static const sgprs::Profile p = sgprs::Profile::load(kRoot + "/traces/profiles/h200-tf32.json");
  return p;
}

std::string taskset_text(std::int64_t n) {
  static const char* const kModels[] = {"resnet18", "resnet50", "mobilenet_v2"};
  sgprs::Json tasks = sgprs::Json::array();
  for (std::int64_t i = 0; i < n; ++i)
    tasks.push_back({{"name", "t" + std::to_string(i)},
                     {"model", kModels[i % 3]},
                     {"period_ns", sgprs::kNsPerSecond},
                     {"offset_ns", "random"}});
  return sgprs::Json{{"schema", "sgprs.taskset/1"}, {"name", "scale"}, {"tasks", tasks}}.dump();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

sgprs::sim::Workload load(const std::string& text) {
  const sgprs::TaskSet set = sgprs::TaskSet::from_json(sgprs::Json::parse(text), "scale");
  return sgprs::sim::make_workload(set, profile(), kRoot + "/traces/models", 1);
}

void load_plan_simulate(benchmark::State& state) {
  const std::string text = taskset_text(state.range(0));
  const sgprs::Layout layout = sgprs::parse_layout("equal:2:1.0x", profile().gpu());
  sgprs::sim::RunOptions options;
  options.scheduler = "sgprs";
  options.duration_ns = sgprs::kNsPerSecond;
  double load_s = 0, plan_s = 0, simulate_s = 0;
  std::int64_t stage_events = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    const sgprs::sim::Workload workload = load(text);
    load_s += seconds_since(start);
    start = std::chrono::steady_clock::now();
    const sgprs::sim::PlannedRun planned = sgprs::sim::plan_run(profile(), workload, layout, options.scheduler,
                                                                options.scheduler_options, options.predicted_times);
    plan_s += seconds_since(start);
    start = std::chrono::steady_clock::now();
    const sgprs::sim::Summary s = sgprs::sim::simulate(profile(), workload, layout, options);
    simulate_s += seconds_since(start);
    stage_events += s.stage_events;
    benchmark::DoNotOptimize(s.jobs_completed);
  }
  const auto runs = static_cast<double>(state.iterations());
  state.counters["load_s"] = load_s / runs;
  state.counters["plan_s"] = plan_s / runs;
  state.counters["simulate_s"] = simulate_s / runs;
  state.counters["us_per_task"] = (load_s + plan_s + simulate_s) / runs / static_cast<double>(state.range(0)) * 1e6;
  state.counters["stage_events"] = static_cast<double>(stage_events) / runs;
}

void plan_only(benchmark::State& state) {
  const std::string text = taskset_text(state.range(0));
  const sgprs::Layout layout = sgprs::parse_layout("equal:2:1.0x", profile().gpu());
  for (auto _ : state) {
    const sgprs::sim::Workload workload = load(text);
    const sgprs::sim::PlannedRun planned =
        sgprs::sim::plan_run(profile(), workload, layout, "sgprs", {}, sgprs::ProfileTimes::kOccupied);
    benchmark::DoNotOptimize(planned.plan.get());
  }
}

}  // namespace

BENCHMARK(load_plan_simulate)->Arg(25'000)->Arg(50'000)->Arg(100'000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(plan_only)->Arg(1'000'000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
