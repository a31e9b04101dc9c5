// `sgprs simulate`: replay one task set under one scheduler and layout on a
// measured profile; write summary.json, events.jsonl and timeline.json into
// --out and print a table. Every input is read and checked before anything is
// written, and each output file appears whole or not at all.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/layout.hpp"
#include "common/limits.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/throughput_bound.hpp"
#include "simulator/outputs/event_log_writer.hpp"
#include "simulator/outputs/run_progress.hpp"
#include "simulator/outputs/summary_table.hpp"
#include "simulator/outputs/timeline_writer.hpp"
#include "simulator/simulation.hpp"
#include "tools/commands/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
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
  bool quiet = false;
  std::string out = "out/simulate";
  bool no_events = false;
  int max_parallel = 0;
  bool allow_deadline_over_period = false;
  std::string curve = "step";
  std::string estimates = "occupied";
  std::string gpu_times = "isolated";
};

/// Refuses a run whose event log and timeline would not fit the free space of --out's file
/// system (about 5 events of ~150 bytes per stage run, times two outputs), before it starts.
void check_space_for_events(const std::filesystem::path& out, std::int64_t jobs, const sim::Workload& workload) {
  std::size_t most_units = 1;
  for (const Model& model : workload.models) most_units = std::max(most_units, model.stages().size());
  constexpr double kBytesPerUnitRun = 2 * 5 * 150;
  const double needed = static_cast<double>(jobs) * static_cast<double>(most_units) * kBytesPerUnitRun;
  std::filesystem::path existing = out;
  std::error_code ec;
  while (!existing.empty() && !std::filesystem::exists(existing, ec)) existing = existing.parent_path();
  const auto space = std::filesystem::space(existing.empty() ? "." : existing, ec);
  if (ec || needed <= static_cast<double>(space.available)) return;
  throw InputError("--out", "",
                   fmt::format("the event log and timeline need about {:.3g} GB but {:.3g} GB are free there; "
                               "pass --no-events or choose another folder",
                               needed / 1e9, static_cast<double>(space.available) / 1e9));
}

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
    throw InputError("--scheduler", "", unknown_name("scheduler", args.scheduler, names));
  if (args.estimates != "occupied" && args.estimates != "isolated")
    throw InputError("--estimates", "", unknown_name("choice", args.estimates, {"occupied", "isolated"}));
  if (args.gpu_times != "occupied" && args.gpu_times != "isolated")
    throw InputError("--gpu-times", "", unknown_name("choice", args.gpu_times, {"isolated", "occupied"}));
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
  // Every file is read and checked: from here a long step says how far it is (stderr, after 5 s).
  std::size_t task_count = 0;
  for (const TaskSpec& spec : set.specs) task_count += static_cast<std::size_t>(spec.count);
  sim::RunProgress progress(stderr, run.duration_ns, task_count, !args.quiet);
  const sim::Workload workload = sim::make_workload(set, profile, args.models, args.seed);
  limits::check_run_size(workload.tasks, run.duration_ns, args.taskset, "tasks");
  // The physical limit for this mix (docs/experiments.md), from the times the simulated GPU runs.
  const exp::ThroughputBound bound = exp::throughput_bound(profile, workload.tasks, run.gpu_uses_occupied_times);
  const auto share_of_bound = [&bound](const sim::Summary& s) {
    return bound.sustainable_jobs_per_s > 0 ? s.throughput_jobs_per_s / bound.sustainable_jobs_per_s : 0.0;
  };

  // 2. Run with the writers attached. Every output is a PendingFile in --out: the event log and
  //    the timeline stream to their temporary names as the run goes, and nothing is renamed into
  //    place until all are complete, so the folder keeps its previous outputs or holds only new ones.
  //    Some bad input only shows when the run is planned (e.g. a reference partition the layout
  //    lacks): then nothing is left behind, not even the folder.
  namespace fs = std::filesystem;
  const fs::path out(args.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw InputError("--out", "", "'" + args.out + "' exists and is not a folder");
  for (const char* name : {"summary.json", "events.jsonl", "timeline.json"})
    if (fs::exists(out / name, ec) && !fs::is_regular_file(out / name, ec))
      throw InputError("--out", "", "'" + (out / name).string() + "' exists and is not a file");
  const std::int64_t jobs = limits::jobs_released(workload.tasks, run.duration_ns);
  if (!args.no_events) check_space_for_events(out, jobs, workload);
  const bool made_folder = !fs::exists(out, ec);
  if (made_folder) {
    fs::create_directories(out, ec);
    if (ec) throw InputError("--out", "", "cannot create '" + args.out + "' (" + ec.message() + ")");
  }
  const int folder_handle = made_folder ? remove_folder_on_signal_if_empty(out.string()) : -1;
  sim::Summary summary;
  try {
    std::unique_ptr<sim::EventLogWriter> log;
    std::unique_ptr<sim::TimelineWriter> timeline;
    std::vector<sim::Observer*> observers{&progress};
    if (!args.no_events) {
      log = std::make_unique<sim::EventLogWriter>((out / "events.jsonl").string());
      timeline = std::make_unique<sim::TimelineWriter>((out / "timeline.json").string());
      observers.push_back(log.get());
      observers.push_back(timeline.get());
    }
    summary = sim::simulate(profile, workload, layout, run, observers);
    progress.finish();
    Json summary_doc = summary.to_json();
    summary_doc["throughput_bound"] = bound.to_json();
    summary_doc["throughput_bound"]["times"] = run.gpu_uses_occupied_times ? "occupied" : "isolated";
    summary_doc["share_of_bound"] = share_of_bound(summary);
    PendingFile summary_file((out / "summary.json").string());
    summary_file.write(dump_pretty(summary_doc));
    // 3. Publish: every file complete first (write errors surface here), then all renamed.
    summary_file.close();
    if (log) {
      log->close();
      timeline->close();
      log->publish();
      timeline->publish();
    } else {
      // An event log or timeline left by an earlier run would sit beside this run's summary.
      for (const char* stale : {"events.jsonl", "timeline.json"}) fs::remove(out / stale, ec);
    }
    summary_file.publish();
  } catch (...) {
    forget_folder_on_signal(folder_handle);
    if (made_folder && fs::is_empty(out, ec)) fs::remove(out, ec);
    throw;
  }
  forget_folder_on_signal(folder_handle);

  std::printf("sgprs simulate: scheduler %s, layout %s, task set %s (%zu tasks), %.6g s, seed %llu\n",
              args.scheduler.c_str(), layout.name.c_str(), set.name.c_str(), workload.tasks.size(), args.duration_s,
              static_cast<unsigned long long>(args.seed));
  std::printf("profile %s (%s, %d SMs)\n\n", args.profile.c_str(), profile.device_name().c_str(),
              profile.gpu().sm_count);
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
  number_flag(cmd, "--duration", args->duration_s, 0, ns_to_seconds(limits::kMaxTimeNs),
              "simulated seconds during which jobs are released");
  integer_flag(cmd, "--seed", args->seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(),
               "seed of every random choice (task offsets)");
  cmd->add_option("--out", args->out, "output folder")->capture_default_str();
  cmd->add_flag("--no-events", args->no_events, "write only summary.json (no events.jsonl, no timeline.json): long runs");
  integer_flag(cmd, "--max-parallel", args->max_parallel, 0, limits::kMaxParallel,
               "stages per partition at once; 0 = the layout's (paper: 3 with 2 partitions, 2 with 3)");
  cmd->add_flag("--quiet", args->quiet, "no progress line on stderr during long runs");
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
