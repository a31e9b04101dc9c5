// `sgprs simulate`: replay one task set under one scheduler and layout on a
// measured profile; write summary.json, events.jsonl and timeline.json into
// --out and print a table. Every input is read and checked before anything is
// written, and each output file appears whole or not at all.
#include "common/errors.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/throughput_bound.hpp"
#include "simulator/outputs/event_log_writer.hpp"
#include "simulator/outputs/summary_table.hpp"
#include "simulator/outputs/timeline_writer.hpp"
#include "simulator/simulation.hpp"
#include "tools/commands/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sgprs::cli {

namespace {

constexpr const char* kDefaultTaskset = "traces/tasksets/default.json";
constexpr const char* kDefaultProfile = "traces/profiles/h100-fp32.json";
constexpr const char* kDefaultModels = "traces/models";

struct SimulateArgs {
  std::string taskset = kDefaultTaskset;
  std::string profile = kDefaultProfile;
  std::string models = kDefaultModels;
  std::string layout = "equal:2:1.0x";
  std::string scheduler = "sgprs";
  std::vector<std::string> options;                 // k=v
  std::map<std::string, std::string> option_flags;  // one flag per option
  double duration_s = 10.0;
  std::uint64_t seed = 1;
  std::string out = "out/simulate";
  bool no_events = false;
  int max_parallel = 0;
  bool allow_deadline_over_period = false;
  std::string curve = "step";
  std::string estimates = "occupied";
  std::string gpu_times = "isolated";
};

std::string flag_name(const std::string& option) {
  std::string flag = option;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return "--" + flag;
}

sim::SchedulerOptions parse_scheduler_options(const SimulateArgs& args) {
  sim::SchedulerOptions options;
  for (const auto& [name, value] : args.option_flags) sim::set_scheduler_option(options, name, value, flag_name(name));
  for (const std::string& kv : args.options) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("--option", "", "'" + kv + "' must look like name=value, e.g. waiting_order=edf");
    std::string name = kv.substr(0, eq);
    std::replace(name.begin(), name.end(), '-', '_');
    sim::set_scheduler_option(options, name, kv.substr(eq + 1), "--option");
  }
  return options;
}

void run_simulate(SimulateArgs args) {
  args.taskset = shipped_default(args.taskset, kDefaultTaskset);
  args.profile = shipped_default(args.profile, kDefaultProfile);
  args.models = shipped_default(args.models, kDefaultModels);
  // 1. Read and check everything; nothing is written until the run has succeeded.
  const std::vector<std::string> names = sim::scheduler_names();
  if (std::find(names.begin(), names.end(), args.scheduler) == names.end())
    throw InputError("--scheduler", "", "unknown scheduler '" + args.scheduler + "' (known: " + fmt::format("{}", fmt::join(names, ", ")) + ")");
  if (!(args.duration_s > 0) || !std::isfinite(args.duration_s) || args.duration_s > 1e6)
    throw InputError("--duration", "", "must be a positive number of seconds up to 1e6");
  if (args.max_parallel < 0) throw InputError("--max-parallel", "", "must be 0 (the layout's) or positive");
  if (args.estimates != "occupied" && args.estimates != "isolated")
    throw InputError("--estimates", "", "must be occupied or isolated");
  if (args.gpu_times != "occupied" && args.gpu_times != "isolated")
    throw InputError("--gpu-times", "", "must be isolated or occupied");
  sim::RunOptions run;
  run.scheduler = args.scheduler;
  run.scheduler_options = parse_scheduler_options(args);
  run.duration_ns = seconds_to_ns(args.duration_s);
  run.seed = args.seed;
  run.use_occupied_times = args.estimates == "occupied";
  run.gpu_uses_occupied_times = args.gpu_times == "occupied";

  const Profile profile = Profile::load(args.profile, parse_curve_interpolation(args.curve, "--curve"));
  const TaskSet set = TaskSet::load(args.taskset);
  set.check_deadlines(args.allow_deadline_over_period);
  const Layout layout = parse_layout(args.layout, profile.gpu(), args.max_parallel, "--layout");
  const sim::Workload workload = sim::make_workload(set, profile, args.models, args.seed);
  // The physical limit for this mix (docs/experiments.md), from the times the simulated GPU runs.
  const exp::ThroughputBound bound = exp::throughput_bound(profile, workload.tasks, run.gpu_uses_occupied_times);
  const auto share_of_bound = [&bound](const sim::Summary& s) {
    return bound.sustainable_jobs_per_s > 0 ? s.throughput_jobs_per_s / bound.sustainable_jobs_per_s : 0.0;
  };

  // 2. Run with the writers attached; the event log goes to a temporary file.
  //    Some bad input only shows when the run is planned (e.g. a reference
  //    partition the layout lacks): then nothing is left behind, not even the folder.
  const std::filesystem::path out(args.out);
  if (std::filesystem::exists(out) && !std::filesystem::is_directory(out))
    throw InputError("--out", "", "'" + args.out + "' exists and is not a folder");
  for (const char* name : {"summary.json", "events.jsonl", "timeline.json"})
    if (std::filesystem::exists(out / name) && !std::filesystem::is_regular_file(out / name))
      throw InputError("--out", "", "'" + (out / name).string() + "' exists and is not a file");
  const bool made_folder = !std::filesystem::exists(out);
  std::unique_ptr<sim::EventLogWriter> log;
  sim::TimelineWriter timeline;
  sim::Summary summary;
  try {
    std::vector<sim::Observer*> observers;
    if (!args.no_events) {
      try {
        log = std::make_unique<sim::EventLogWriter>((out / "events.jsonl").string());
      } catch (const std::exception& e) {  // no permission, no space, ...
        throw InputError("--out", "", e.what());
      }
      observers = {log.get(), &timeline};
    }
    summary = sim::simulate(profile, workload, layout, run, observers);
    // 3. Publish: each file atomically.
    Json summary_doc = summary.to_json();
    summary_doc["throughput_bound"] = bound.to_json();
    summary_doc["throughput_bound"]["times"] = run.gpu_uses_occupied_times ? "occupied" : "isolated";
    summary_doc["share_of_bound"] = share_of_bound(summary);
    // What the profile measured (fp32 strict, tf32, fp16): the same GPU differs by up to 3x between them.
    summary_doc["provenance"]["profile"]["precision"] = profile.precision();
    write_file_atomic((out / "summary.json").string(), dump_pretty(summary_doc));
    if (!args.no_events) {
      timeline.write((out / "timeline.json").string());
      log->commit();
    } else {
      // An event log or timeline left by an earlier run would sit beside this run's summary.
      for (const char* stale : {"events.jsonl", "timeline.json"}) std::filesystem::remove(out / stale);
    }
  } catch (const std::filesystem::filesystem_error& e) {  // no space, a folder turned read-only, ...
    log.reset();
    throw InputError("--out", "", std::string("cannot write the outputs: ") + e.what());
  } catch (...) {
    log.reset();  // removes the temporary event log
    std::error_code ignored;
    if (made_folder && std::filesystem::is_empty(out, ignored)) std::filesystem::remove(out, ignored);
    throw;
  }

  std::printf("sgprs simulate: scheduler %s, layout %s, task set %s (%zu tasks), %.6g s, seed %llu\n",
              args.scheduler.c_str(), layout.name.c_str(), set.name.c_str(), workload.tasks.size(), args.duration_s,
              static_cast<unsigned long long>(args.seed));
  std::printf("profile %s (%s, %d SMs, precision %s)\n\n", args.profile.c_str(), profile.device_name().c_str(),
              profile.gpu().sm_count, profile.precision().c_str());
  std::fputs(sim::format_summary_table(summary).c_str(), stdout);
  std::printf("bound: this mix can complete at most %.1f jobs/s on this GPU (every stage at its most SM-efficient "
              "size, SMs perfectly packed); offered %.1f jobs/s, so at most %.1f here; throughput is %.1f%% of that\n",
              bound.max_jobs_per_s, bound.offered_jobs_per_s, bound.sustainable_jobs_per_s,
              100.0 * share_of_bound(summary));
  std::printf("wrote %s/summary.json%s\n", args.out.c_str(),
              args.no_events ? " (--no-events: no events.jsonl, no timeline.json)" : ", events.jsonl, timeline.json");
}

}  // namespace

void add_simulate_subcommand(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  std::string scheduler_help = "scheduler:";
  for (const std::string& name : sim::scheduler_names())
    scheduler_help += "\n  " + name + ": " + sim::scheduler_description(name);
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Replay a periodic task set under one scheduler and partition layout on a measured GPU profile.\n"
      "With no flags: ResNet-18 tasks at 30 Hz on the H100 profile, equal:2:1.0x, sgprs, 10 s.");
  cmd->add_option("--taskset", args->taskset, "task set file (sgprs.taskset/1)")->capture_default_str();
  cmd->add_option("--profile", args->profile, "GPU profile (sgprs.profile/1)")->capture_default_str();
  cmd->add_option("--models", args->models, "folder of model files <model>.json (sgprs.model/1)")->capture_default_str();
  cmd->add_option("--layout", args->layout, "full | equal:N:B | stepwise:N:B | layout file")->capture_default_str();
  cmd->add_option("--scheduler", args->scheduler, scheduler_help)->capture_default_str();
  cmd->add_option("--option", args->options, "scheduler option name=value (repeatable); each also has its own flag below");
  for (const sim::SchedulerOptionInfo& info : sim::scheduler_option_infos()) {
    cmd->add_option_function<std::string>(
           flag_name(info.name), [args, name = info.name](const std::string& v) { args->option_flags[name] = v; },
           info.help + " [" + info.values + "] (default " + info.paper_value + ")")
        ->group("Scheduler options");
  }
  cmd->add_option("--duration", args->duration_s, "simulated seconds during which jobs are released")->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of every random choice (task offsets)")
      ->check(CLI::Validator(
          [](std::string& v) { return v.empty() || v[0] == '-' ? std::string("must be a non-negative integer") : std::string(); },
          "UINT"))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output folder")->capture_default_str();
  cmd->add_flag("--no-events", args->no_events, "write only summary.json (no events.jsonl, no timeline.json): long runs");
  cmd->add_option("--max-parallel", args->max_parallel, "stages per partition at once; 0 = the layout's (paper: 3 with 2 partitions, 2 with 3)")
      ->capture_default_str();
  cmd->add_flag("--allow-deadline-over-period", args->allow_deadline_over_period,
                "accept tasks whose deadline exceeds their period");
  cmd->add_option("--curve", args->curve, "interpolation between measured SM counts: step | linear")->capture_default_str();
  cmd->add_option("--estimates", args->estimates,
                  "scheduler predictions from the profile's occupied | isolated times (paper: occupied)")
      ->capture_default_str();
  cmd->add_option("--gpu-times", args->gpu_times,
                  "what the simulated GPU runs: the profile's isolated times shared by processor sharing, or its "
                  "occupied times (a crude interference model) under the same rule")
      ->capture_default_str();
  cmd->callback([args] { run_simulate(*args); });
}

}  // namespace sgprs::cli
