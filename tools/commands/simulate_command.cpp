// `sgprs simulate`: replay one task set under one scheduler and layout on a
// measured profile; write summary.json, events.jsonl and timeline.json into
// --out and print a table. Every input is read and checked before anything is
// written, and each output file appears whole or not at all (run_inputs.hpp).
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "simulator/experiments/simulation.hpp"
#include "tools/commands/commands.hpp"
#include "tools/commands/run_inputs.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>
#include <string>

namespace sgprs::cli {

namespace {

constexpr const char* kSimulateTaskset = "traces/tasksets/default.json";
constexpr const char* kSimulateProfile = "traces/profiles/h200-tf32.json";

void run_simulate(RunArgs args) {
  if (args.gpu_times != "occupied" && args.gpu_times != "isolated")
    throw InputError("--gpu-times", "", unknown_name("choice", args.gpu_times, {"isolated", "occupied"}));
  // 1. Read and check everything; nothing is written until the run has succeeded.
  const RunInputs in = read_run_inputs(args, kSimulateTaskset, kSimulateProfile);
  // 2. Run with the writers attached. Some bad input only shows when the run is planned
  //    (e.g. a reference partition the layout lacks): then nothing is left behind.
  RunOutputs outputs(args.out, args.no_events, in);
  std::vector<sim::Observer*> observers = outputs.observers();
  observers.insert(observers.begin(), in.progress.get());
  const sim::Summary summary = sim::simulate(in.profile, in.workload, in.layout, in.run, observers);
  in.progress->finish();
  // 3. Publish: each file atomically.
  outputs.publish(summary_document(in, summary));
  print_run_report("simulate", args, in, summary);
}

}  // namespace

void add_simulate_subcommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  args->taskset = kSimulateTaskset;
  args->profile = kSimulateProfile;
  args->out = "out/simulate";
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Replay a periodic task set under one scheduler and partition layout on a measured GPU profile.\n"
      "With no flags: 90 ResNet-18 tasks at 30 Hz on the H200 TF32 profile, equal:2:1.0x, sgprs, 10 s.");
  add_run_flags(cmd, args);
  cmd->add_option("--gpu-times", args->gpu_times,
                  "what the simulated GPU runs: the profile's isolated times shared by processor sharing, or its "
                  "occupied times (a crude interference model) under the same rule")
      ->capture_default_str();
  add_gpu_model_flags(cmd, args);
  add_gpu_times_profile_flag(cmd, args->gpu_times_profile);
  cmd->callback([args] { run_simulate(*args); });
}

}  // namespace sgprs::cli
