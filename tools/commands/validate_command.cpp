// `sgprs validate --live DIR`: re-simulates a live run with exactly its inputs (task set, profile,
// pool, scheduler and options, seed, duration, and each job's release latency as logged) and
// compares the two runs job by job (simulator/validation/run_comparison.hpp). Writes into --out:
// validation.json (sgprs.validation/1), report.md, responses.csv, sim-events.jsonl (the
// re-simulation's log), timeline.json (both runs, Perfetto) and responses.png.
#include "common/errors.hpp"
#include "common/file_fingerprint.hpp"
#include "common/stats.hpp"
#include "common/json_io.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/live/live_device.hpp"
#include "simulator/outputs/event_log_writer.hpp"
#include "simulator/sim/running_limit.hpp"
#include "simulator/validation/dual_timeline.hpp"
#include "simulator/validation/live_replay.hpp"
#include "simulator/validation/run_comparison.hpp"
#include "tools/commands/commands.hpp"
#include "tools/commands/run_inputs.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sgprs::cli {

namespace {

namespace fs = std::filesystem;

struct ValidateArgs {
  std::string live;
  std::string out;
  std::string models = "traces/models";
  std::string gpu_times = "isolated";
  std::string curve;  // empty: the live run's
  std::string interference = "profile";
  std::string stage_overhead = "measured";
  std::string sharing = "auto";  // packed where the profile has a calibration beside it, else even-step
  std::string sharing_calibration;  // empty: beside the profile
  std::string profile;  // empty: the one the run recorded, where it recorded it
  std::string priority_rule = "strict";
  int hardware_queues = 0;  // 0: the live run's, from its notes
  std::string gpu_times_profile;  // empty: the GPU runs the run's profile
  bool no_plot = false;
};

std::string option_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

/// The file the live run recorded as its `input` ("profile", "taskset"). One that cannot be found is
/// refused here, naming the summary's field: the loader would name only the recorded path ("#", or
/// the working folder for an empty one), which the user never typed.
std::string recorded_source(const JsonView& provenance, std::string_view input) {
  const JsonView entry = provenance.object(input);
  const std::string source = entry.get<std::string>("source");
  std::error_code error;
  if (source.empty() || !fs::is_regular_file(source, error))
    entry.fail("source", "'" + source + "' is not a file here (the live run's " + std::string(input) +
                             "; a relative path is read from the folder validate runs in, as the run read it)");
  return source;
}

/// The run's inputs as `sgprs simulate` flags, from its summary's provenance; the task set and
/// layout files the run folder carries win over the recorded paths.
RunArgs args_from_provenance(const Json& prov, const std::string& summary_path, const fs::path& live,
                             const ValidateArgs& va) {
  JsonView p(prov, summary_path, "provenance");
  RunArgs args;
  args.scheduler = p.get<std::string>("scheduler");
  for (const auto& [name, value] : p.object("scheduler_options").raw().items())
    args.options.push_back(name + "=" + option_text(value));
  if (!p.has("seed") || !prov["seed"].is_number_unsigned()) p.fail("seed", "must be a whole number from 0 to 2^64-1");
  args.seed = prov["seed"].get<std::uint64_t>();
  args.duration_s = static_cast<double>(p.get<Ns>("duration_ns")) / 1e9;
  args.estimates = p.get<std::string>("predicted_times");
  args.curve = va.curve.empty() ? p.get_or<std::string>("curve", "step") : va.curve;
  args.gpu_times = va.gpu_times;
  args.gpu_times_profile = va.gpu_times_profile;
  args.interference = va.interference;
  args.sharing = va.sharing;
  args.sharing_calibration = va.sharing_calibration;
  args.priority_rule = va.priority_rule;
  args.hardware_queues = va.hardware_queues;
  args.models = va.models;
  args.quiet = true;
  args.allow_deadline_over_period = true;  // the live run already accepted its task set
  args.profile = va.profile.empty() ? recorded_source(p, "profile") : va.profile;
  args.taskset = fs::exists(live / "taskset.json") ? (live / "taskset.json").string() : recorded_source(p, "taskset");
  // The layout the live run was given, exactly (pieces included), whatever the shorthand was: the
  // scheduler makes its pool from it again as the live run did (moldable blocks cut from the pool
  // would be blocks of blocks). Records without it give the pool, which every record has.
  const fs::path layout = fs::temp_directory_path() / ("sgprs-validate-layout-" + std::to_string(::getpid()) + ".json");
  const JsonView pool = p.object("pool");  // checked here: the report writes it beside the validation
  write_file_atomic(layout.string(), dump_pretty((p.has("layout") ? p.object("layout") : pool).raw()));
  args.layout = layout.string();
  return args;
}

/// A file in `folder`/runs/ (where a measured-again profile's predecessor is kept) whose
/// fingerprint is `fingerprint`, or "".
std::string kept_profile_with(const fs::path& folder, const std::string& fingerprint) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder / "runs", error))
    if (entry.path().extension() == ".json" && file_fingerprint(entry.path().string()) == fingerprint)
      return entry.path().string();
  return "";
}

void check_profile_unchanged(const Json& prov, const std::string& summary_path, const Profile& profile) {
  const JsonView p = JsonView(prov, summary_path, "provenance").object("profile");
  const std::string recorded = p.get_or<std::string>("fingerprint", "");
  if (!recorded.empty()) {
    if (file_fingerprint(profile.source()) != recorded) {
      const std::string kept = kept_profile_with(fs::path(profile.source()).parent_path(), recorded);
      throw InputError(profile.source(), "",
                       "changed since the live run (fingerprint " + file_fingerprint(profile.source()) +
                           ", the run recorded " + recorded + "): validate against the profile the run used" +
                           (kept.empty() ? std::string(" (--profile FILE)") : ": add --profile " + kept));
    }
    return;
  }
  if (p.get<std::string>("device") != profile.device_name() || p.get<std::string>("precision") != profile.precision() ||
      p.get<int>("sm_count") != profile.gpu().sm_count)
    throw InputError(profile.source(), "",
                     "is not the profile of the live run (device, precision or SM count differ from " + summary_path +
                         ")");
}

validation::RunTotals totals_of(const JsonView& summary) {
  return validation::RunTotals{summary.get<double>("miss_ratio"), summary.get<double>("throughput_jobs_per_s")};
}

void write_responses_csv(const validation::RunLog& live, const validation::RunLog& sim, const fs::path& path) {
  std::string csv = "task,job,release_ns,live_response_ns,sim_response_ns,live_end,sim_end\n";
  for (const validation::JobRun& l : live.jobs) {
    const std::int64_t j = sim.find_job(l.task, l.job);
    const validation::JobRun* s = j >= 0 ? &sim.jobs[static_cast<std::size_t>(j)] : nullptr;
    csv += fmt::format("{},{},{},{},{},{},{}\n", Json(live.tasks[static_cast<std::size_t>(l.task)]).dump(), l.job,
                       l.release_ns, l.response_ns, s ? s->response_ns : -1, validation::to_string(l.end),
                       s ? validation::to_string(s->end) : "absent");
  }
  write_file_atomic(path.string(), csv);
}

/// The host's share of every stage in the live run: start to the launch call and GPU end to
/// noticed (medians over the log) plus the launch latency, or none, or a number of ns. From its
/// launch call on a unit is the GPU's (validation::StageRun::busy_start): its wait for SMs is in its
/// measured time and in the sharing rule's contention, not here. A unit queued on its stream before
/// its start (launch_ns < start_ns) pays no launch at its start, live or simulated: it is left out.
Ns stage_overhead(const std::string& choice, const validation::RunLog& live) {
  if (choice == "none") return 0;
  if (choice == "measured") {
    std::vector<Ns> launch, latency, notice;
    for (const validation::StageRun& s : live.stage_runs) {
      if (s.gpu_start_ns < 0 || s.finish_ns < 0) continue;
      notice.push_back(std::max<Ns>(0, s.finish_ns - s.gpu_end_ns));
      if (s.was_queued()) continue;
      launch.push_back(std::max<Ns>(0, s.busy_start() - s.start_ns));
      latency.push_back(std::max<Ns>(0, s.gpu_start_ns - s.busy_start()));
    }
    // The launch latency of a unit that finds free SMs: the low end (5th percentile) of launch
    // call to GPU start, since the rest of that interval is waiting for SMs (sharing).
    return quantile_nearest_rank(launch, 0.5) + quantile_nearest_rank(latency, 0.05) +
           quantile_nearest_rank(notice, 0.5);
  }
  try {
    std::size_t used = 0;
    const long long ns = std::stoll(choice, &used);
    if (used == choice.size() && ns >= 0 && ns <= 1'000'000'000) return ns;
  } catch (const std::exception&) {
  }
  throw InputError("--stage-overhead", "", "'" + choice + "' is not measured, none or a whole number of ns (0..1e9)");
}

void run_validate(const ValidateArgs& va) {
  const fs::path live(va.live);
  const std::string summary_path = (live / "summary.json").string();
  if (!fs::is_directory(live)) throw InputError("--live", "", "'" + va.live + "' is not a folder");
  if (!fs::exists(summary_path))
    throw InputError("--live", "", "'" + va.live + "' holds no summary.json: not the folder of a run");
  const Json summary = load_json_document(summary_path, "sgprs.summary", 1);
  const JsonView summary_view(summary, summary_path);
  if (summary_view.object("provenance").get<std::string>("world") != "live")
    throw InputError(summary_path, "provenance.world", "is not \"live\": this folder holds a simulated run");
  if (summary_view.object("live").get_or<bool>("interrupted", false))
    throw InputError(summary_path, "live.interrupted", "is true: the live run was stopped early, so its log is partial");
  const fs::path out = va.out.empty() ? live / "validation" : fs::path(va.out);
  if (fs::exists(out) && !fs::is_directory(out)) throw InputError("--out", "", "'" + out.string() + "' is not a folder");

  // 1. The live run's log, checked against its summary.
  const validation::RunLog live_log = validation::read_run_log((live / "events.jsonl").string());
  const std::int64_t released = summary_view.get<std::int64_t>("jobs_released");
  // The summary counts skipped jobs among the released ones (a skip is a release that never ran).
  if (live_log.releases + live_log.skips != released)
    throw InputError((live / "events.jsonl").string(), "",
                     fmt::format("holds {} releases and skips but summary.json counts {}: the log was cut short",
                                 live_log.releases + live_log.skips, released));
  for (const validation::JobRun& j : live_log.jobs)
    if (j.end == validation::JobEnd::kUnfinished)
      throw InputError((live / "events.jsonl").string(), "",
                       "job " + std::to_string(j.job) + " of " + live_log.tasks[static_cast<std::size_t>(j.task)] +
                           " was released but never ended: the log was cut short");

  // 2. The same inputs, re-read; the replayed release latencies.
  const validation::RunTotals live_totals = totals_of(summary_view);
  RunArgs args = args_from_provenance(summary.at("provenance"), summary_path, live, va);
  const Json pool = summary.at("provenance").at("pool");  // an object: args_from_provenance checked it
  struct RemoveOnExit {
    fs::path path;
    ~RemoveOnExit() { std::error_code ec; fs::remove(path, ec); }
  } temporary_layout{args.layout};
  // A run of the default profile standing in for another GPU (`sgprs live` with no --profile)
  // is re-simulated on the same stand-in: the same curves, cut from that GPU's SMs.
  ProfileAdapter same_stand_in;
  if (const JsonView live_object = summary_view.object("live");
      live_object.has("profile_stand_in") && !summary.at("live").at("profile_stand_in").is_null()) {
    const JsonView record = live_object.object("profile_stand_in");
    const live::DeviceIdentity gpu = live::stand_in_gpu(record);
    const std::string measured_on = record.get<std::string>("measured_on");
    same_stand_in = [gpu, measured_on](const Profile& profile) -> std::optional<Json> {
      if (profile.device_name() != measured_on)
        throw InputError(profile.source(), "device",
                         "is '" + profile.device_name() + "' but the live run's stand-in curves were measured on '" +
                             measured_on + "'");
      return live::stand_in_profile(profile.raw(), gpu, profile.source());
    };
  }
  // The hardware queues the live run had (its notes), which the running limit reads.
  if (args.hardware_queues == 0) {
    const int recorded = sim::hardware_queues_in_notes(summary_view.object("live").get_or<std::string>("notes", ""));
    args.hardware_queues = recorded > 0 ? recorded : sim::RunOptions{}.hardware_queues;
  }
  RunInputs in = read_run_inputs(args, args.taskset, args.profile, same_stand_in);
  check_profile_unchanged(summary.at("provenance"), summary_path, in.profile);
  in.run.duration_ns = summary.at("provenance").at("duration_ns").get<Ns>();
  if (in.workload.tasks.size() != live_log.tasks.size())
    throw InputError(args.taskset, "tasks",
                     fmt::format("makes {} tasks but the live run had {}", in.workload.tasks.size(), live_log.tasks.size()));
  for (std::size_t t = 0; t < live_log.tasks.size(); ++t)
    if (in.workload.tasks[t].name != live_log.tasks[t])
      throw InputError(args.taskset, "tasks",
                       "task " + std::to_string(t) + " is '" + in.workload.tasks[t].name + "' but the live run's is '" +
                           live_log.tasks[t] + "'");
  // A task set edited since the run (a period, an offset) would re-simulate other jobs, and a
  // period of a few ns would simulate millions of them: every logged nominal release must be
  // the file's offset + k x period.
  for (const validation::JobRun& j : live_log.jobs) {
    const Task& task = in.workload.tasks[static_cast<std::size_t>(j.task)];
    const Ns since_offset = j.release_ns - task.offset_ns;
    if (since_offset < 0 || task.period_ns <= 0 || since_offset % task.period_ns != 0 ||
        since_offset / task.period_ns != j.job)
      throw InputError(args.taskset, "tasks",
                       fmt::format("task '{}' has period {} ns and offset {} ns, but the live run released its job {} "
                                   "at {} ns: the task set changed since the run",
                                   task.name, task.period_ns, task.offset_ns, j.job, j.release_ns));
  }
  in.run.stage_overhead_ns = stage_overhead(va.stage_overhead, live_log);
  in.run.release_latencies = std::make_shared<const std::vector<std::vector<Ns>>>(validation::release_latencies(live_log));

  // 3. The re-simulation, logged like any run, and read back with the same reader. A folder made
  // here goes again if anything below fails: a failed validation leaves nothing behind.
  struct RemoveIfFailed {
    fs::path path;
    bool armed;
    ~RemoveIfFailed() {
      std::error_code ec;
      if (armed) fs::remove_all(path, ec);
    }
  } made_out{out, !fs::exists(out)};
  fs::create_directories(out);
  const fs::path sim_events = out / "sim-events.jsonl";
  sim::Summary sim_summary;
  {
    sim::EventLogWriter writer(sim_events.string());
    sim_summary = sim::simulate(in.profile, in.workload, in.layout, in.run, {&writer});
    writer.close();
    writer.publish();
  }
  validation::RunLog sim_log = validation::read_run_log(sim_events.string());
  // The simulated GPU took each unit stage_overhead_ns after its start event (at once when it was
  // queued on its stream: sim/simulated_platform.hpp), and its finish event is the GPU's end: its
  // busy time is what the live run's GPU stamps measure.
  for (validation::StageRun& s : sim_log.stage_runs) {
    s.gpu_start_ns = s.start_ns + (s.queued ? 0 : in.run.stage_overhead_ns);
    s.gpu_end_ns = s.finish_ns;
  }

  // 4. The comparison.
  std::vector<std::string> task_models;
  for (std::size_t model : in.workload.task_model) task_models.push_back(in.workload.models[model].name());
  // The input error is judged against the times the simulated GPU ran.
  const Profile& profile = in.run.gpu_times_profile ? *in.run.gpu_times_profile : in.profile;
  const auto stage_time = [&](int task, int stage, int sms, bool occupied) -> Ns {
    const ModelProfile* model = profile.find_model(task_models[static_cast<std::size_t>(task)]);
    if (model == nullptr) return 0;
    const StageProfile* sp = model->find_stage(live_log.stages[static_cast<std::size_t>(task)][static_cast<std::size_t>(stage)]);
    if (sp == nullptr) return 0;  // a whole-model unit: no stage of that name
    return sp->curve(occupied ? ProfileTimes::kOccupied : ProfileTimes::kIsolated).time_at(sms);
  };
  const validation::Validation v = validation::compare_runs(live_log, sim_log, live_totals,
                                                            validation::RunTotals{sim_summary.miss_ratio,
                                                                                  sim_summary.throughput_jobs_per_s},
                                                            task_models, stage_time);
  Json doc = v.to_json();
  doc["provenance"] = {{"live", live.string()},
                       {"gpu_times", va.gpu_times},
                       {"interference", va.interference},
                       {"stage_overhead_ns", in.run.stage_overhead_ns},
                       {"sharing", sim::to_string(in.run.sharing)},
                       {"sharing_calibration", in.run.sharing_calibration},
                       {"sharing_rule", sim_summary.provenance->value("sharing_rule", "")},
                       {"scheduler", args.scheduler},
                       {"taskset", args.taskset},
                       {"profile", args.profile},
                       {"curve", args.curve}};
  if (!va.gpu_times_profile.empty()) doc["provenance"]["gpu_times_profile"] = va.gpu_times_profile;
  for (const char* key : {"sharing_spread", "sharing_share_weights", "running_limit"})
    if (sim_summary.provenance->contains(key)) doc["provenance"][key] = (*sim_summary.provenance)[key];
  // As in the summary: only for runs whose streams have priorities.
  if (sim_summary.provenance->contains("priority_rule")) doc["provenance"]["priority_rule"] = (*sim_summary.provenance)["priority_rule"];
  const std::string title = live.filename().string() == "" ? live.string() : live.filename().string();
  write_file_atomic((out / "layout.json").string(), dump_pretty(pool));
  write_file_atomic((out / "validation.json").string(), dump_pretty(doc));
  write_file_atomic((out / "report.md").string(), validation::validation_report(v, title));
  write_responses_csv(live_log, sim_log, out / "responses.csv");
  validation::write_dual_timeline(live_log, sim_log, (out / "timeline.json").string());
  made_out.armed = false;
  if (!va.no_plot) draw_plots("plot_validation.py", out.string());
  // The headline table only; report.md has one row per task and per stage group.
  const std::string report = validation::validation_report(v, title);
  std::fputs(report.substr(0, report.find("\n| task |")).c_str(), stdout);
  std::printf("\nwrote %s: validation.json, report.md, responses.csv, sim-events.jsonl, timeline.json%s\n",
              out.string().c_str(), va.no_plot ? "" : ", responses.png");
}

}  // namespace

void add_validate_subcommand(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Re-simulate a live run with exactly its inputs and logged releases, and compare both job by job: response "
      "times, misses, throughput, partition decisions, stage GPU times.");
  cmd->add_option("--live", args->live, "folder of a `sgprs live` run (summary.json, events.jsonl)")->required();
  cmd->add_option("--out", args->out, "output folder (default: LIVE/validation)");
  cmd->add_option("--models", args->models, "folder of model files <model>.json")->capture_default_str();
  cmd->add_option("--profile", args->profile,
                  "the run's profile where it has moved since (a measured-again profile replaces the file; the "
                  "old one is kept under traces/profiles/runs/); it must be the same file: its fingerprint is "
                  "checked against the run's record");
  cmd->add_option("--gpu-times", args->gpu_times,
                  "what the simulated GPU runs: isolated | occupied (the profile's times shared by processor sharing)")
      ->capture_default_str();
  cmd->add_option("--curve", args->curve,
                  "interpolation between measured SM counts for the re-simulation: step | linear (default: the "
                  "live run's)");
  cmd->add_option("--interference", args->interference,
                  "slowdown from SMs busy in other partitions in the re-simulation: none | profile")
      ->capture_default_str();
  cmd->add_option("--stage-overhead", args->stage_overhead,
                  "host time per stage that holds its slot without SMs, in the re-simulation: measured (median "
                  "start-to-launch-call and GPU-end-to-noticed of the live log, plus the 5th percentile of "
                  "launch-call-to-GPU-start) | none | NS")
      ->capture_default_str();
  cmd->add_option("--sharing", args->sharing,
                  "how units that share SMs split them in the re-simulation: auto (packed when the profile has a "
                  "<profile>.sharing.json beside it or --sharing-calibration is given, else even-step) | even-step | "
                  "packed (docs/simulator.md)")
      ->capture_default_str();
  cmd->add_option("--sharing-calibration", args->sharing_calibration,
                  "sgprs.sharing/1 file of the packed rule (default: beside the profile, <profile>.sharing.json)");
  add_priority_rule_flag(cmd, args->priority_rule);
  cmd->add_option("--hardware-queues", args->hardware_queues,
                  "hardware queues the re-simulation has, which a calibration's running_limit reads (default: the "
                  "live run's CUDA_DEVICE_MAX_CONNECTIONS from its notes, the driver's 8 where it was unset)")
      ->check(CLI::Range(1, 32));
  add_gpu_times_profile_flag(cmd, args->gpu_times_profile);
  cmd->add_flag("--no-plot", args->no_plot, "skip responses.png");
  cmd->callback([args] { run_validate(*args); });
}

}  // namespace sgprs::cli
