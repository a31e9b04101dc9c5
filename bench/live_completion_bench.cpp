// How the live executor notices completed units, measured on the GPU, for each mechanism of
// ExecutorSetup::completion (simulator/live/executor_setup.hpp): GPU end to noticed (the
// completion thread saw it), GPU end to returned (wait() handed it to the control thread) and
// the host cost of launch(), as p50 / p99 / max in microseconds, in three phases:
//   loaded: every slot of every partition busy back to back (a heavy run);
//   single: one unit at a time, each launched as soon as the previous one is back;
//   sparse: one unit at a time, 2 ms apart (the completion thread has gone idle: a light run).
// With --setup-only it measures the set-up alone (time, GPU memory, graphs), e.g. for
// 240 ResNet-18 tasks on 3 partitions:
//   sgprs_live_bench --setup-only --tasks 240 --layout equal:3:1.0x
// Prints a table and, with --out, writes the numbers as JSON.
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/stats.hpp"
#include "simulator/live/cuda_executor.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

using sgprs::Ns;
using namespace sgprs::live;

struct Options {
  std::string profile = std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h200-fp32.json";
  std::string model = std::string(SGPRS_SOURCE_DIR) + "/traces/models/resnet18.json";
  std::string layout = "equal:3:1.0x";
  std::string precision = "fp32";
  std::vector<std::string> completions{"polling", "callback", "blocking"};
  int tasks = 0;  // 0: two per slot
  int max_parallel = 0;
  double seconds = 3.0;
  int single_units = 300;
  bool setup_only = false;
  std::string out;
};

struct Samples {
  std::vector<std::int64_t> end_to_noticed, end_to_returned, launch_cost;
  long units = 0;
  double seconds = 0;
};

sgprs::Json percentiles_us(const std::vector<std::int64_t>& ns) {
  const auto us = [&](double q) {
    return static_cast<double>(sgprs::quantile_nearest_rank(ns, q)) / static_cast<double>(sgprs::kNsPerUs);
  };
  return {{"p50", us(0.5)}, {"p99", us(0.99)}, {"max", us(1.0)}, {"n", ns.size()}};
}

/// Launches `unit` and records the host cost of launch() itself.
void timed_launch(CudaStageExecutor& gpu, const UnitLaunch& unit, Samples& s) {
  const Ns before = steady_clock_ns_now();
  gpu.launch(unit, 0);
  s.launch_cost.push_back(steady_clock_ns_now() - before);
}

void record(const std::vector<UnitCompletion>& done, Ns returned_ns, Samples& s) {
  for (const UnitCompletion& c : done) {
    s.end_to_noticed.push_back(c.noticed_ns - c.gpu_end_ns);
    s.end_to_returned.push_back(returned_ns - c.gpu_end_ns);
    ++s.units;
  }
}

/// Every slot busy: each partition cycles over its tasks (task t runs on partition t % P), each
/// task at most one unit in flight, its stages in order.
Samples loaded(CudaStageExecutor& gpu, const ExecutorSetup& setup, double seconds) {
  const int partitions = static_cast<int>(setup.layout.partitions.size());
  const int tasks = static_cast<int>(setup.task_models.size());
  std::vector<int> next_unit(static_cast<std::size_t>(tasks), 0);
  std::vector<bool> running(static_cast<std::size_t>(tasks), false);
  std::vector<int> cursor(static_cast<std::size_t>(partitions), 0);
  std::int64_t job = 0;
  Samples s;
  const auto launch_on = [&](int p) {
    for (int k = 0; k < tasks; ++k) {
      const int t = (cursor[static_cast<std::size_t>(p)] + k) % tasks;
      if (t % partitions != p || running[static_cast<std::size_t>(t)]) continue;
      cursor[static_cast<std::size_t>(p)] = t + 1;
      running[static_cast<std::size_t>(t)] = true;
      timed_launch(gpu, {t, next_unit[static_cast<std::size_t>(t)], job++, p}, s);
      next_unit[static_cast<std::size_t>(t)] = (next_unit[static_cast<std::size_t>(t)] + 1) % unit_count(setup, t);
      return;
    }
  };
  for (int p = 0; p < partitions; ++p)
    for (int i = 0; i < setup.layout.max_parallel; ++i) launch_on(p);
  const Ns start = steady_clock_ns_now();
  const Ns stop = start + static_cast<Ns>(seconds * 1e9);
  std::vector<UnitCompletion> done;
  while (steady_clock_ns_now() < stop) {
    done.clear();
    gpu.wait(sgprs::kNever, done);
    record(done, steady_clock_ns_now() - setup.epoch_steady_ns, s);
    for (const UnitCompletion& c : done) {
      running[static_cast<std::size_t>(c.launch.task)] = false;
      launch_on(c.launch.partition);
    }
  }
  s.seconds = static_cast<double>(steady_clock_ns_now() - start) / 1e9;
  while (gpu.in_flight() > 0) {
    done.clear();
    gpu.wait(sgprs::kNever, done);
  }
  return s;
}

/// One unit at a time, cycling over tasks, stages and partitions; with `gap` the host idles that
/// long between a completion and the next launch (the completion thread has gone idle).
Samples single(CudaStageExecutor& gpu, const ExecutorSetup& setup, int units, std::chrono::microseconds gap) {
  const int partitions = static_cast<int>(setup.layout.partitions.size());
  Samples s;
  const Ns start = steady_clock_ns_now();
  std::vector<UnitCompletion> done;
  for (int i = 0; i < units; ++i) {
    if (gap.count() > 0) std::this_thread::sleep_for(gap);
    const int task = i % static_cast<int>(setup.task_models.size());
    timed_launch(gpu, {task, (i / partitions) % unit_count(setup, task), i, task % partitions}, s);
    done.clear();
    while (done.empty()) gpu.wait(sgprs::kNever, done);
    record(done, steady_clock_ns_now() - setup.epoch_steady_ns, s);
  }
  s.seconds = static_cast<double>(steady_clock_ns_now() - start) / 1e9;
  return s;
}

sgprs::Json phase_json(const Samples& s) {
  return {{"units", s.units},
          {"units_per_s", s.seconds > 0 ? static_cast<double>(s.units) / s.seconds : 0},
          {"end_to_noticed_us", percentiles_us(s.end_to_noticed)},
          {"end_to_returned_us", percentiles_us(s.end_to_returned)},
          {"launch_cost_us", percentiles_us(s.launch_cost)}};
}

void print_phase(const std::string& mode, const std::string& phase, const sgprs::Json& j) {
  const auto row = [&](const char* what, const sgprs::Json& p) {
    std::printf("  %-9s %-7s %-16s p50 %8.1f  p99 %8.1f  max %9.1f us\n", mode.c_str(), phase.c_str(), what,
                p["p50"].get<double>(), p["p99"].get<double>(), p["max"].get<double>());
  };
  row("end->noticed", j["end_to_noticed_us"]);
  row("end->returned", j["end_to_returned_us"]);
  row("launch() cost", j["launch_cost_us"]);
  std::printf("  %-9s %-7s %ld units, %.0f units/s\n", mode.c_str(), phase.c_str(), j["units"].get<long>(),
              j["units_per_s"].get<double>());
}

ExecutorSetup make_setup(const Options& o, const sgprs::GpuShape& gpu, CompletionNotice completion) {
  ExecutorSetup setup;
  setup.gpu = gpu;
  setup.layout = sgprs::parse_layout(o.layout, gpu, o.max_parallel);
  setup.precision = parse_precision(o.precision);
  setup.models.push_back({sgprs::Model::load(o.model), false});
  const int slots = static_cast<int>(setup.layout.partitions.size()) * setup.layout.max_parallel;
  setup.task_models.assign(static_cast<std::size_t>(o.tasks > 0 ? o.tasks : 2 * slots), 0);
  setup.epoch_steady_ns = steady_clock_ns_now();
  setup.completion = completion;
  return setup;
}

sgprs::Json setup_json(const SetupReport& r) {
  return {{"setup_s", r.setup_s}, {"gpu_memory_bytes", r.gpu_memory_bytes}, {"graphs", r.graphs},
          {"device", r.device_name}, {"notes", r.notes}};
}

int run(const Options& o) {
  const sgprs::GpuShape gpu = sgprs::Profile::load(o.profile).gpu();
  sgprs::Json doc;
  doc["layout"] = o.layout;
  doc["model"] = o.model;
  doc["precision"] = o.precision;
  for (const std::string& name : o.completions) {
    const ExecutorSetup setup = make_setup(o, gpu, parse_completion_notice(name));
    CudaStageExecutor executor(setup);
    const SetupReport& r = executor.setup_report();
    std::printf("%s: %zu tasks, layout %s (max_parallel %d): set-up %.2f s, GPU memory %.2f GiB, %lld graphs\n  %s\n",
                name.c_str(), setup.task_models.size(), o.layout.c_str(), setup.layout.max_parallel, r.setup_s,
                static_cast<double>(r.gpu_memory_bytes) / (1 << 30), static_cast<long long>(r.graphs),
                r.notes.c_str());
    sgprs::Json mode;
    mode["tasks"] = setup.task_models.size();
    mode["setup"] = setup_json(r);
    if (!o.setup_only) {
      const sgprs::Json heavy = phase_json(loaded(executor, setup, o.seconds));
      const sgprs::Json light = phase_json(single(executor, setup, o.single_units, std::chrono::microseconds(0)));
      const sgprs::Json sparse = phase_json(single(executor, setup, o.single_units, std::chrono::microseconds(2000)));
      print_phase(name, "loaded", heavy);
      print_phase(name, "single", light);
      print_phase(name, "sparse", sparse);
      mode["loaded"] = heavy;
      mode["single"] = light;
      mode["sparse"] = sparse;
      const ClockStats clock = executor.clock_stats();
      std::vector<double> drift_us;
      for (Ns d : executor.measure_clock_drift_ns()) drift_us.push_back(static_cast<double>(d) / 1e3);
      mode["clock"] = {{"offset_uncertainty_us", static_cast<double>(clock.offset_uncertainty_ns) / 1e3},
                       {"clamped_timestamps", clock.clamped},
                       {"largest_clamp_us", static_cast<double>(clock.largest_clamp_ns) / 1e3},
                       {"drift_after_run_us", drift_us}};
      std::printf("  clock: offset +-%.1f us, %lld timestamps clamped (largest %.1f us), drift after the run:",
                  static_cast<double>(clock.offset_uncertainty_ns) / 1e3, static_cast<long long>(clock.clamped),
                  static_cast<double>(clock.largest_clamp_ns) / 1e3);
      for (double d : drift_us) std::printf(" %.1f", d);
      std::printf(" us\n");
    }
    doc["completion"][name] = mode;
    std::fflush(stdout);
  }
  if (!o.out.empty()) {
    std::ofstream file(o.out);
    file << doc.dump(2) << "\n";
    if (!file) throw sgprs::InputError("--out", "", "cannot write " + o.out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Completion-noticing latency, launch cost and set-up cost of the live CUDA executor"};
  app.add_option("--profile", o.profile, "profile whose GPU split the layout is made for");
  app.add_option("--model", o.model, "model file");
  app.add_option("--layout", o.layout, "layout (a shorthand or a file)");
  app.add_option("--max-parallel", o.max_parallel, "units per partition at once (0: the layout's)");
  app.add_option("--precision", o.precision, "fp32, tf32 or fp16");
  app.add_option("--completion", o.completions, "mechanisms to measure: polling, callback, blocking, flags");
  app.add_option("--tasks", o.tasks, "tasks (0: two per slot)");
  app.add_option("--seconds", o.seconds, "length of the loaded phase per mechanism");
  app.add_option("--single-units", o.single_units, "units in the one-at-a-time phase");
  app.add_flag("--setup-only", o.setup_only, "measure the set-up only");
  app.add_option("--out", o.out, "JSON file for the numbers");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const sgprs::InputError& e) {
    std::fprintf(stderr, "sgprs_live_bench: %s\n", e.what());
    return sgprs::kExitInputError;
  } catch (const sgprs::NoGpuError& e) {
    std::fprintf(stderr, "sgprs_live_bench: %s\n", e.what());
    return sgprs::kExitNoGpu;
  } catch (const sgprs::GpuError& e) {
    std::fprintf(stderr, "sgprs_live_bench: %s\n", e.what());
    return sgprs::kExitGpuFault;
  }
}
