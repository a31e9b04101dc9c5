#include "tools/commands/run_inputs.hpp"

#include "common/errors.hpp"
#include "common/file_fingerprint.hpp"
#include "common/command_line.hpp"
#include "common/limits.hpp"
#include "common/temp_files.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/policy/registry.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/outputs/summary_table.hpp"
#include "tools/commands/commands.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

namespace sgprs::cli {

namespace {

std::string flag_name(const std::string& option) {
  std::string flag = option;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return "--" + flag;
}

sim::SchedulerOptions parse_scheduler_options(const RunArgs& args) {
  sim::SchedulerOptions options = sim::scheduler_default_options(args.scheduler);
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

}  // namespace

void add_sharing_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args) {
  cmd->add_option("--sharing", args->sharing,
                  "how units that share SMs split them: even-step (evenly, step curve) | packed (by demand, "
                  "fractional share, calibrated contention; docs/simulator.md) | auto (packed where a calibration "
                  "is given or sits beside the profile, else even-step)")
      ->capture_default_str();
  cmd->add_option("--sharing-calibration", args->sharing_calibration,
                  "sgprs.sharing/1 file of the packed rule's contention (default: beside the profile, "
                  "<profile>.sharing.json)");
  add_hardware_queues_flag(cmd, args->hardware_queues);
  add_priority_rule_flag(cmd, args->priority_rule);
}

void add_hardware_queues_flag(CLI::App* cmd, int& queues) {
  cmd->add_option("--hardware-queues", queues,
                  "hardware queues of the simulated process (CUDA_DEVICE_MAX_CONNECTIONS; sgprs live asks for 32): "
                  "under the packed rule, a calibration's running_limit caps the units running at once for this "
                  "many (docs/simulator.md)")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
}

void add_priority_rule_flag(CLI::App* cmd, std::string& rule) {
  cmd->add_option("--priority-rule", rule,
                  "how streams of different priority share SMs: strict (level by level, each getting what the "
                  "more urgent leave idle) | strict-floor (strict, but no urgent unit gets less than its share without "
                  "priorities, out of what the more urgent leave) | weighted (processor sharing weighted 2^level); "
                  "docs/simulator.md")
      ->capture_default_str();
}

void add_run_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args) {
  std::string scheduler_help = "scheduler:";
  for (const std::string& name : sim::scheduler_names())
    scheduler_help += "\n  " + name + ": " + sim::scheduler_description(name);
  cmd->add_option("--taskset", args->taskset, "task set file (sgprs.taskset/1)")->capture_default_str();
  cmd->add_option("--profile", args->profile, "GPU profile (sgprs.profile/1)")->capture_default_str();
  cmd->add_option("--models", args->models, "folder of model files <model>.json (sgprs.model/1)")->capture_default_str();
  cmd->add_option("--layout", args->layout, "full | pieces (one partition per green-context piece) | equal:N:B | stepwise:N:B | layout file")->capture_default_str();
  cmd->add_option("--scheduler", args->scheduler, scheduler_help)->capture_default_str();
  cmd->add_option("--option", args->options, "scheduler option name=value (repeatable); each also has its own flag below");
  for (const sim::SchedulerOptionInfo& info : sim::scheduler_option_infos()) {
    cmd->add_option_function<std::string>(
           flag_name(info.name), [args, name = info.name](const std::string& v) { args->option_flags[name] = v; },
           info.help + " [" + info.values + "] (default " + info.paper_value + ")")
        ->group("Scheduler options");
  }
  number_flag(cmd, "--duration", args->duration_s, 0, ns_to_seconds(limits::kMaxTimeNs),
              "seconds during which jobs are released");
  integer_flag(cmd, "--seed", args->seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(),
               "seed of every random choice (task offsets)");
  cmd->add_option("--out", args->out, "output folder")->capture_default_str();
  cmd->add_flag("--quiet", args->quiet, "no progress line on stderr");
  cmd->add_flag("--no-events", args->no_events, "write only summary.json (no events.jsonl, no timeline.json): long runs");
  integer_flag(cmd, "--max-parallel", args->max_parallel, 0, limits::kMaxParallel,
               "stages per partition at once; 0 = the layout's (paper: 3 with 2 partitions, 2 with 3)");
  cmd->add_flag("--allow-deadline-over-period", args->allow_deadline_over_period,
                "accept tasks whose deadline exceeds their period");
  cmd->add_option("--curve", args->curve, "interpolation between measured SM counts: step | linear")->capture_default_str();
  cmd->add_option("--estimates", args->estimates,
                  "scheduler predictions from the profile's occupied | isolated times (paper: occupied)")
      ->capture_default_str();
}

void add_gpu_model_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args) {
  cmd->add_option("--interference", args->interference,
                  "slowdown from SMs busy in other partitions: none | profile (interpolated between the profile's "
                  "isolated and occupied times; docs/simulator.md)")
      ->capture_default_str();
  integer_flag(cmd, "--stage-overhead-ns", args->stage_overhead_ns, std::int64_t{0}, std::int64_t{1'000'000'000},
               "host time per stage that holds its slot before the GPU starts it (launch + completion noticing; "
               "the H200 live runs of 2026-12-03 measured 34-37 us)");
  add_sharing_flags(cmd, args);
}

void add_gpu_times_profile_flag(CLI::App* cmd, std::string& path) {
  cmd->add_option("--gpu-times-profile", path,
                  "another profile of the same GPU whose stage times the simulated GPU runs, while the scheduler's "
                  "predictions read --profile's (e.g. one measured with `sgprs profile --flush-l2`: every replay "
                  "with a cold L2, as a live stage finds it after other models ran; or "
                  "traces/profiles/h200-tf32.corun.json: those times slowed per stage as measured live beside busy "
                  "blocks, docs/validation.md)");
}

std::shared_ptr<const Profile> load_gpu_times_profile(const std::string& path, const Profile& profile,
                                                      const sim::Workload& workload, CurveInterpolation interpolation) {
  if (path.empty()) return nullptr;
  auto executed = std::make_shared<const Profile>(Profile::load(path, interpolation));
  sim::check_gpu_times_profile(*executed, profile, workload, "--gpu-times-profile");
  return executed;
}

void check_gpu_model_args(const RunArgs& args) {
  (void)sim::parse_interference_rule(args.interference, "--interference");
  if (args.sharing != "auto" && args.sharing != "even-step" && args.sharing != "packed")
    throw InputError("--sharing", "", unknown_name("sharing rule", args.sharing, {"auto", "even-step", "packed"}));
  (void)sim::parse_priority_rule(args.priority_rule, "--priority-rule");
}

void apply_gpu_model_args(const RunArgs& args, const Profile& profile, sim::RunOptions& run) {
  run.interference = sim::parse_interference_rule(args.interference, "--interference");
  run.stage_overhead_ns = args.stage_overhead_ns;
  run.sharing = sim::resolve_sharing_rule(args.sharing, args.sharing_calibration, args.profile, "--sharing");
  run.priority_rule = sim::parse_priority_rule(args.priority_rule, "--priority-rule");
  run.hardware_queues = args.hardware_queues;
  if (run.sharing == sim::SharingRule::kPacked) {
    run.sharing_calibration = args.sharing_calibration.empty() ? sim::sharing_calibration_beside(args.profile)
                                                               : args.sharing_calibration;
    sim::use_sharing_calibration(sim::SharingCalibration::load(run.sharing_calibration, profile), run);
  }
}

RunInputs read_run_inputs(RunArgs& args, const std::string& default_taskset, const std::string& default_profile,
                          const ProfileAdapter& adapt_profile) {
  args.taskset = shipped_default(args.taskset, default_taskset);
  args.profile = shipped_default(args.profile, default_profile);
  args.models = shipped_default(args.models, "traces/models");
  const std::vector<std::string> names = sim::scheduler_names();
  if (std::find(names.begin(), names.end(), args.scheduler) == names.end())
    throw InputError("--scheduler", "", unknown_name("scheduler", args.scheduler, names));
  if (!(args.duration_s > 0) || !std::isfinite(args.duration_s) || args.duration_s > 1e6)
    throw InputError("--duration", "", "must be a positive number of seconds up to 1e6");
  if (args.max_parallel < 0) throw InputError("--max-parallel", "", "must be 0 (the layout's) or positive");
  sim::RunOptions run;
  run.scheduler = args.scheduler;
  run.scheduler_options = parse_scheduler_options(args);
  run.duration_ns = seconds_to_ns(args.duration_s);
  run.seed = args.seed;
  run.predicted_times = parse_profile_times(args.estimates, "--estimates");
  run.gpu_times = parse_profile_times(args.gpu_times, "--gpu-times");
  check_gpu_model_args(args);
  const CurveInterpolation interpolation = parse_curve_interpolation(args.curve, "--curve");
  Profile profile = Profile::load(args.profile, interpolation);
  if (adapt_profile)
    if (std::optional<Json> replaced = adapt_profile(profile))
      profile = Profile::from_json(*replaced, profile.source(), interpolation);
  apply_gpu_model_args(args, profile, run);
  TaskSet set = TaskSet::load(args.taskset);
  set.check_deadlines(args.allow_deadline_over_period);
  Layout layout = parse_layout(args.layout, profile.gpu(), args.max_parallel, "--layout");
  // Every file is read and checked: from here a long step says how far it is (stderr, after 5 s).
  std::size_t task_count = 0;
  for (const TaskSpec& spec : set.specs) task_count += static_cast<std::size_t>(spec.count);
  auto progress = std::make_shared<sim::RunProgress>(stderr, run.duration_ns, task_count, !args.quiet);
  sim::Workload workload = sim::make_workload(set, profile, args.models, args.seed);
  run.gpu_times_profile = load_gpu_times_profile(args.gpu_times_profile, profile, workload, interpolation);
  limits::check_run_size(workload.tasks, run.duration_ns, args.taskset, "tasks");
  const std::int64_t jobs = limits::jobs_released(workload.tasks, run.duration_ns);
  // The physical limit for this mix (docs/experiments.md), from the times the GPU runs.
  exp::ThroughputBound bound = exp::throughput_bound(profile, workload.tasks, run.gpu_times);
  return RunInputs{std::move(profile), std::move(set), std::move(layout), std::move(workload), run, bound, jobs,
                   std::move(progress), args.curve};
}

namespace {

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

}  // namespace

RunOutputs::RunOutputs(const std::string& out, bool no_events, const RunInputs& in) : out_(out), no_events_(no_events) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(out_, ec) && !fs::is_directory(out_, ec))
    throw InputError("--out", "", "'" + out + "' exists and is not a folder");
  for (const char* name : {"summary.json", "events.jsonl", "timeline.json"})
    if (fs::exists(out_ / name, ec) && !fs::is_regular_file(out_ / name, ec))
      throw InputError("--out", "", "'" + (out_ / name).string() + "' exists and is not a file");
  if (!no_events_) check_space_for_events(out_, in.jobs, in.workload);
  made_folder_ = !fs::exists(out_, ec);
  if (made_folder_) {
    fs::create_directories(out_, ec);
    if (ec) throw InputError("--out", "", "cannot create '" + out + "' (" + ec.message() + ")");
    folder_handle_ = remove_folder_on_signal_if_empty(out_.string());
  }
  try {
    if (!no_events_) {
      log_ = std::make_unique<sim::EventLogWriter>((out_ / "events.jsonl").string());
      timeline_ = std::make_unique<sim::TimelineWriter>((out_ / "timeline.json").string());
    }
  } catch (...) {
    forget_folder_on_signal(folder_handle_);
    if (made_folder_ && fs::is_empty(out_, ec)) fs::remove(out_, ec);
    throw;
  }
}

RunOutputs::~RunOutputs() {
  log_.reset();  // an unpublished writer removes its temporary file
  timeline_.reset();
  forget_folder_on_signal(folder_handle_);
  if (published_) return;
  std::error_code ignored;
  if (made_folder_ && std::filesystem::is_empty(out_, ignored)) std::filesystem::remove(out_, ignored);
}

std::vector<sim::Observer*> RunOutputs::observers() {
  if (no_events_) return {};
  return {log_.get(), timeline_.get()};
}

void RunOutputs::publish_streams() {
  // Both complete first (write errors surface here), then both renamed into place.
  log_->close();
  timeline_->close();
  log_->publish();
  timeline_->publish();
}

void RunOutputs::publish_log_after_fault() {
  std::error_code ec;
  std::filesystem::remove(out_ / "summary.json", ec);
  if (log_) {
    publish_streams();
  }
  published_ = true;
}

void RunOutputs::publish(const Json& summary_doc) {
  PendingFile summary_file((out_ / "summary.json").string());
  summary_file.write(dump_pretty(summary_doc));
  // Every file complete first (write errors surface here), then all renamed.
  summary_file.close();
  if (log_) {
    publish_streams();
  } else {
    // An event log or timeline left by an earlier run would sit beside this run's summary.
    std::error_code ec;
    for (const char* stale : {"events.jsonl", "timeline.json"}) std::filesystem::remove(out_ / stale, ec);
  }
  summary_file.publish();
  published_ = true;
}

Json summary_document(const RunInputs& in, const sim::Summary& summary) {
  Json doc = summary.to_json();
  doc["throughput_bound"] = in.bound.to_json();
  doc["throughput_bound"]["times"] = to_string(in.run.gpu_times);
  doc["share_of_bound"] = in.share_of_bound(summary);
  // What `sgprs validate` needs to re-run exactly this: the profile as it was, the curve rule.
  doc["provenance"]["profile"]["fingerprint"] = file_fingerprint(in.profile.source());
  if (in.run.gpu_times_profile)
    doc["provenance"]["gpu_times_profile"]["fingerprint"] = file_fingerprint(in.run.gpu_times_profile->source());
  doc["provenance"]["curve"] = in.curve;
  return doc;
}

void print_run_report(const char* verb, const RunArgs& args, const RunInputs& in, const sim::Summary& summary) {
  std::printf("sgprs %s: scheduler %s, layout %s, task set %s (%zu tasks), %.6g s, seed %llu\n", verb,
              args.scheduler.c_str(), in.layout.name.c_str(), in.set.name.c_str(), in.workload.tasks.size(),
              args.duration_s, static_cast<unsigned long long>(args.seed));
  const Profile& p = in.profile;
  const std::string stand_in =
      p.measured_on() == p.device_name() ? "" : "; the " + p.measured_on() + "'s curves standing in";
  std::printf("profile %s (%s, %d SMs, precision %s%s)\n\n", args.profile.c_str(), p.device_name().c_str(),
              p.gpu().sm_count, p.precision().c_str(), stand_in.c_str());
  std::fputs(sim::format_summary_table(summary).c_str(), stdout);
  std::printf("bound: this mix can complete at most %.1f jobs/s on the profile's GPU (every stage at its most SM-efficient "
              "size, SMs perfectly packed); offered %.1f jobs/s, so at most %.1f here; throughput is %.1f%% of that\n",
              in.bound.max_jobs_per_s, in.bound.offered_jobs_per_s, in.bound.sustainable_jobs_per_s,
              100.0 * in.share_of_bound(summary));
  std::printf("wrote %s/summary.json%s\n", args.out.c_str(),
              args.no_events ? " (--no-events: no events.jsonl, no timeline.json)" : ", events.jsonl, timeline.json");
}

}  // namespace sgprs::cli
