// `sgprs live`: the same flags and files as `sgprs simulate` (run_inputs.hpp), run on
// the GPU by the live platform (simulator/live/live_run.hpp) with the same scheduler
// objects and run core. summary.json adds a "live" object (set-up, device, latency
// figures); events.jsonl adds each stage's launch and GPU interval on the host clock.
// --fake-device runs the same control loop on host timers (each stage takes its
// profile time), without a GPU. SIGINT/SIGTERM stop releases, let released jobs end
// (bounded), write complete outputs marked interrupted and exit 130/143.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "common/profile.hpp"
#include "simulator/core/background_observers.hpp"
#include "simulator/live/fake_executor.hpp"
#include "simulator/live/live_device.hpp"
#include "simulator/live/live_run.hpp"
#include "simulator/live/thread_accounting.hpp"
#include "tools/commands/commands.hpp"
#include "tools/commands/run_inputs.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sgprs::cli {

namespace {

constexpr const char* kDefaultTaskset = "traces/tasksets/live-default.json";
constexpr const char* kDefaultProfile = "traces/profiles/h200-tf32.json";

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int signal) {
  g_signal.store(signal);
  g_stop.store(true);
}

struct LiveArgs {
  bool fake_device = false;
  std::string completion = "polling";
  std::string stamps = "auto";
  double spin_us = 0;
  bool spin_given = false;  // else: kGpuSpinUs on the GPU, kFakeSpinUs on the fake device
  bool profile_given = false;  // else the shipped default, which may stand in for another GPU
  std::string fake_gpu;        // --fake-gpu NAME,SMS: the GPU the fake device says it is
  double stall_timeout_s = 10;
  int realtime_priority = 0;  // SCHED_FIFO priority of the control thread (0: the default policy)
  std::int64_t fake_stall_after = 0;  // the fake device never finishes this launch (1-based; 0: none)
  std::int64_t fake_fail_after = 0;   // the fake device fails this launch, as a faulting GPU would (0: none)
  std::int64_t gpu_fault_after = 0;   // the GPU runs a trapping kernel in place of this launch (0: none)
  std::int64_t gpu_stall_after = 0;   // the GPU runs a 30-s spinning kernel in place of this launch (0: none)
  int launch_threads = live::kAutoLaunchThreads;  // threads that issue the graph launches (0: the control thread)
  int polling_threads = live::kDefaultPollingThreads;  // --completion polling: threads that poll
  std::string kernel_trace;  // --kernel-trace: every kernel's CUPTI record (live/kernel_trace.hpp)
};

/// Counts for the progress line; runs on the control thread with the run core.
class ProgressCounter final : public sim::Observer {
 public:
  void on_event(const sim::RunEvent& e) override {
    if (e.kind == sim::EventKind::kRelease || e.kind == sim::EventKind::kSkip) ++released;
    if (e.kind == sim::EventKind::kSkip) ++missed;
    if (e.kind == sim::EventKind::kJobEnd) {
      ++ended;
      if (e.outcome != sim::JobOutcome::kOnTime) ++missed;
    }
  }
  bool wants_stage_deadlines() const override { return false; }
  std::int64_t released = 0, ended = 0, missed = 0;
};

/// The injected device error of --fake-fail-after: what a failed graph launch of the real
/// device reports (a GpuError naming the call and the unit), from the Nth launch on.
[[noreturn]] void fail_launch(const sim::PolicyPlan& plan, const sim::Workload& workload, const live::UnitLaunch& u,
                              std::int64_t launch, Ns launched_ns) {
  const sim::ModelPlan& model = plan.models()[static_cast<std::size_t>(plan.tasks()[static_cast<std::size_t>(u.task)].model)];
  char text[512];
  std::snprintf(text, sizeof text,
                "injected device error (--fake-fail-after %lld) in 'launch' of unit '%s/%s' of task '%s' (job %lld) on "
                "partition '%s', %.3f s after set-up began",
                static_cast<long long>(launch), model.name.c_str(),
                model.units[static_cast<std::size_t>(u.unit)].name.c_str(),
                workload.tasks[static_cast<std::size_t>(u.task)].name.c_str(), static_cast<long long>(u.job),
                plan.pool().partitions[static_cast<std::size_t>(u.partition)].name.c_str(),
                static_cast<double>(launched_ns) / 1e9);
  throw GpuError(escape_control(text));
}

live::StampPlace parse_stamp_place(const std::string& value) {
  if (value == "auto") return live::StampPlace::kAuto;
  if (value == "stream") return live::StampPlace::kStream;
  if (value == "graph") return live::StampPlace::kGraph;
  throw InputError("--stamps", "", unknown_name("value", value, {"auto", "stream", "graph"}));
}

live::ExecutorFactory fake_factory(const LiveArgs& live_args) {
  const std::int64_t stall_after = live_args.fake_stall_after, fail_after = live_args.fake_fail_after;
  return [stall_after, fail_after](const live::DeviceNeeds& needs) -> std::unique_ptr<live::StageExecutor> {
    static std::unique_ptr<live::SteadyHostClock> clock;  // outlives the executor (one run per process)
    clock = std::make_unique<live::SteadyHostClock>(needs.epoch_steady_ns);
    const sim::PolicyPlan* p = &needs.plan;
    const sim::Workload* w = &needs.workload;
    const live::SteadyHostClock* host = clock.get();
    auto launches = std::make_shared<std::int64_t>(0);
    auto executor = std::make_unique<live::FakeStageExecutor>(
        [p, w, host, stall_after, fail_after, launches](const live::UnitLaunch& u) -> Ns {
          ++*launches;
          if (*launches == fail_after) fail_launch(*p, *w, u, *launches, host->now());
          if (*launches == stall_after) return kNever / 2;  // a kernel that never ends
          return p->predicted_ns(p->tasks()[static_cast<std::size_t>(u.task)].model, u.unit, u.partition);
        },
        *clock);
    if (needs.plan.pool().max_parallel == 1) executor->one_stream_per_partition();
    return executor;
  };
}

/// A whole number in `text`, or -1.
int whole_number(const std::string& text) {
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(text);
}

/// --fake-gpu "NAME,SMS[,PIECES]": the GPU cut into PIECES pieces of 8 SMs (as many as fit by
/// default) and a remainder, as a green-context split cuts Hopper (132 SMs: 15 pieces + 12).
live::DeviceIdentity parse_fake_gpu(const std::string& text) {
  const auto refuse = [&text]() -> InputError {
    return InputError("--fake-gpu", "", "must be NAME,SMS[,PIECES] with 8 to 1024 SMs and 1 to SMS/8 pieces of 8, not '" +
                                            text + "'");
  };
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
    parts.push_back(text.substr(start, comma - start));
  parts.push_back(text.substr(start));
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty()) throw refuse();
  const int sms = whole_number(parts[1]);
  if (sms < 8 || sms > 1024) throw refuse();
  const int pieces = parts.size() == 3 ? whole_number(parts[2]) : sms / 8;
  if (pieces < 1 || pieces > sms / 8) throw refuse();
  live::DeviceIdentity gpu;
  gpu.name = parts[0];
  gpu.split = GpuShape{sms, 8, pieces, sms - 8 * pieces};
  return gpu;
}

/// With no --profile on a GPU other than the default's: a shipped profile of that GPU, measured in the
/// default's precision and named like it (`<gpu>-tf32.json` beside `h200-tf32.json`: the H100's since
/// 2026-12-05), when its device and split are this GPU's; else nothing, and the default stands in.
/// Only a file whose `<gpu>` the GPU's name holds is read, so that start-up on the default's own GPU
/// (or one with no profile shipped) reads no profile more than before.
std::optional<std::string> shipped_profile_of(const live::DeviceIdentity& gpu) {
  namespace fs = std::filesystem;
  const fs::path fallback = shipped_default(kDefaultProfile, kDefaultProfile);
  const std::string name = fallback.filename().string();  // "h200-tf32.json"
  const std::string suffix = name.substr(name.find('-'));  // "-tf32.json"
  std::string gpu_name = gpu.name;
  std::transform(gpu_name.begin(), gpu_name.end(), gpu_name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::error_code error;
  std::vector<fs::path> candidates;
  for (const fs::directory_entry& entry : fs::directory_iterator(fallback.parent_path(), error)) {
    const std::string file = entry.path().filename().string();
    if (file == name || file.size() <= suffix.size() || !file.ends_with(suffix)) continue;
    if (gpu_name.find(file.substr(0, file.size() - suffix.size())) != std::string::npos) candidates.push_back(entry.path());
  }
  std::sort(candidates.begin(), candidates.end());  // the first of several, whatever the directory's order
  for (const fs::path& path : candidates) {
    try {
      const Profile profile = Profile::load(path.string());
      if (live::same_gpu_model(profile.device_name(), gpu.name) && profile.gpu() == gpu.split) return path.string();
    } catch (const InputError&) {  // a file that is not a profile is not this GPU's
    }
  }
  return std::nullopt;
}

/// The stand-in rule of `sgprs live` with no --profile: the shipped profile was measured on one
/// GPU; on any other its curves stand in, relabelled with this GPU's name and split (so that the
/// default layout is cut from its SMs), and the run says so. A profile the user named must be
/// this GPU's.
ProfileAdapter stand_in_rule(const std::optional<live::DeviceIdentity>& gpu, bool profile_given) {
  return [gpu, profile_given](const Profile& profile) -> std::optional<Json> {
    if (!gpu) return std::nullopt;
    const GpuShape& shape = profile.gpu();
    if (live::same_gpu_model(profile.device_name(), gpu->name) && (shape == gpu->split || profile_given))
      return std::nullopt;
    if (profile_given)
      throw InputError(profile.source(), "device",
                       "was measured on '" + profile.device_name() + "' but this GPU is '" + gpu->name +
                           "': profile this GPU first (sgprs profile), or leave --profile out to run this GPU's shipped "
                           "profile, or the default's curves as a stand-in where there is none");
    const auto split_text = [](const GpuShape& g) {
      return std::to_string(g.sm_count) + " SMs: " + std::to_string(g.pieces) + " pieces of " +
             std::to_string(g.piece_sms) + " + " + std::to_string(g.remainder_sms);
    };
    std::fprintf(stderr,
                 "sgprs live: warning: the default profile was measured on '%s' (%s), not on this GPU ('%s', %s): "
                 "its curves stand in, layouts are cut from this GPU's SMs, and every predicted time, the bound and "
                 "the simulated comparison are the %s's (profile this GPU: sgprs profile)\n",
                 profile.device_name().c_str(), split_text(shape).c_str(), gpu->name.c_str(),
                 split_text(gpu->split).c_str(), profile.device_name().c_str());
    return live::stand_in_profile(profile.raw(), *gpu, profile.source());
  };
}

// Measured on the lent H200 (docs/live.md, fifteenth session): at ResNet-18 N = 220, a control
// thread that slept between timers woke up to 0.5-8.7 ms late whenever the host stole CPU time
// (release jitter p99 0.9-2.4 ms at 100-300 ms of steal per 2-s run); one that never slept kept
// p99 at 0.7-2.5 us under the same steal. The fake device shares a CI machine's two cores with
// the test runner: there it sleeps.
constexpr double kGpuSpinUs = 1e6;
constexpr double kFakeSpinUs = 100;

void run_live(RunArgs args, const LiveArgs& live_args) {
  if (!std::isfinite(live_args.spin_us) || live_args.spin_us < 0 || live_args.spin_us > 1e6)
    throw InputError("--spin-us", "", "must be a number of microseconds from 0 to 1e6");
  if (!live_args.fake_device && (live_args.fake_stall_after > 0 || live_args.fake_fail_after > 0))
    throw InputError(live_args.fake_stall_after > 0 ? "--fake-stall-after" : "--fake-fail-after", "",
                     "needs --fake-device");
  const live::StampPlace stamps = parse_stamp_place(live_args.stamps);
  if (live_args.fake_device && live_args.gpu_fault_after > 0)
    throw InputError("--gpu-fault-after", "", "needs the GPU (the fake device's is --fake-fail-after)");
  if (live_args.fake_device && !live_args.kernel_trace.empty())
    throw InputError("--kernel-trace", "", "needs the GPU (the fake device runs no kernels)");
  if (!live_args.kernel_trace.empty()) {
    const std::filesystem::path parent = std::filesystem::path(live_args.kernel_trace).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent))
      throw InputError("--kernel-trace", "", "folder '" + parent.string() + "' does not exist");
  }
  if (live_args.fake_device && live_args.gpu_stall_after > 0)
    throw InputError("--gpu-stall-after", "", "needs the GPU (the fake device's is --fake-stall-after)");
  if (live_args.realtime_priority > 0) {  // asked of the system now, before anything is built or written
    const live::ScopedRealtimePriority probe(live_args.realtime_priority);
    if (!probe.refused().empty()) throw InputError("--realtime-priority", "", probe.refused());
  }
  if (!live_args.fake_gpu.empty() && !live_args.fake_device) throw InputError("--fake-gpu", "", "needs --fake-device");
  // The GPU first (in a child process: this one initialises CUDA only at set-up), so that a default
  // profile of another GPU can stand in before any layout is cut.
  // Without a usable GPU, bad input still comes first (exit 2); then the missing GPU (exit 3).
  std::optional<live::DeviceIdentity> gpu;
  std::exception_ptr no_gpu;
  if (!live_args.fake_device) {
    try {
      gpu = live::probe_device(0);
    } catch (const NoGpuError&) {  // no GPU, no CUDA build, or no kernels for this GPU
      no_gpu = std::current_exception();
    }
  } else if (!live_args.fake_gpu.empty()) {
    gpu = parse_fake_gpu(live_args.fake_gpu);
  }
  if (gpu && !live_args.profile_given)
    if (const std::optional<std::string> own = shipped_profile_of(*gpu)) args.profile = *own;
  const RunInputs in = read_run_inputs(args, kDefaultTaskset, kDefaultProfile, stand_in_rule(gpu, live_args.profile_given));
  if (no_gpu) std::rethrow_exception(no_gpu);
  live::ExecutorFactory factory;
  if (live_args.fake_device) {
    factory = fake_factory(live_args);
  } else {
    live::DeviceRequest request;
    request.precision = live::profile_precision(in.profile);
    request.completion = live_args.completion;
    request.setup_step_limit_ns = static_cast<Ns>(live_args.stall_timeout_s * 1e9);
    request.fault_after_launches = live_args.gpu_fault_after;
    request.stall_after_launches = live_args.gpu_stall_after;
    request.stamps = stamps;
    request.launch_threads = live_args.launch_threads;
    request.polling_threads = live_args.polling_threads;
    request.kernel_trace = live_args.kernel_trace;
    factory = live::cuda_executor_factory(in.profile, request);  // NoGpuError / NotAvailable without CUDA
  }
  in.progress->finish();  // the live run prints its own progress line
  // Drain instead of dying (common/temp_files.hpp's handler), from before the outputs exist: a
  // signal during the GPU set-up then stops the run at its start with complete outputs. Restored
  // after the run.
  const auto previous_int = std::signal(SIGINT, on_stop_signal);
  const auto previous_term = std::signal(SIGTERM, on_stop_signal);
  RunOutputs outputs(args.out, args.no_events, in);
  ProgressCounter counter;
  // The event log and timeline are written on a thread of their own, off the control loop.
  sim::BackgroundObservers written(outputs.observers());
  std::vector<sim::Observer*> observers{&written, &counter};

  live::LiveOptions options;
  const double spin_us = live_args.spin_given ? live_args.spin_us : live_args.fake_device ? kFakeSpinUs : kGpuSpinUs;
  const Ns spin_ns = static_cast<Ns>(spin_us * 1000.0);
  options.spin_ns = spin_ns;
  options.stop = &g_stop;
  options.stall_timeout_ns = static_cast<Ns>(live_args.stall_timeout_s * 1e9);
  options.realtime_priority = live_args.realtime_priority;
  const Ns duration = in.run.duration_ns;
  if (!args.quiet)
    options.progress = [&counter, duration](Ns now) {
      std::fprintf(stderr, "live: %.1f s of %.1f: %lld released, %lld ended, %lld missed\n",
                   static_cast<double>(now) / 1e9, static_cast<double>(duration) / 1e9,
                   static_cast<long long>(counter.released), static_cast<long long>(counter.ended),
                   static_cast<long long>(counter.missed));
    };
  live::LiveRunResult result;
  try {
    result = live::live_run(in.profile, in.workload, in.layout, in.run, factory, std::move(options), observers);
  } catch (const GpuError&) {
    written.drain();
    outputs.publish_log_after_fault();  // what was logged up to the fault, complete; no summary
    throw;
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);

  Json doc = summary_document(in, result.summary);
  doc["live"] = result.live_json();
  doc["live"]["spin_us"] = static_cast<double>(spin_ns) / 1000.0;
  doc["live"]["profile_stand_in"] = live::stand_in_record(in.profile);
  doc["live"]["precision"] = live_args.fake_device ? "fake" : std::string(live::profile_precision(in.profile));
  outputs.publish(doc);
  print_run_report("live", args, in, result.summary);
  const Json& l = doc["live"];
  std::printf("live: device %s, set-up %.2f s, %lld graphs, %.1f MiB of GPU memory; %lld launches\n",
              result.setup.device_name.c_str(), result.setup.setup_s, static_cast<long long>(result.setup.graphs),
              static_cast<double>(result.setup.gpu_memory_bytes) / (1024.0 * 1024.0),
              static_cast<long long>(result.stats.launches));
  for (const char* key : {"release_jitter_us", "decision_us", "launch_us", "core_call_us", "release_to_launch_us",
                          "gpu_end_to_noticed_us", "launch_to_gpu_start_us", "wake_lateness_us", "loop_handling_us"})
    if (l[key].value("count", 0) > 0)
      std::printf("  %-22s p50 %8.1f  p99 %8.1f  max %8.1f us\n", key, l[key]["p50"].get<double>(),
                  l[key]["p99"].get<double>(), l[key]["max"].get<double>());
  const live::ThreadAccounting& control = result.stats.control_thread;
  std::printf("  control thread: %s on %d CPUs, %lld involuntary switches, %.1f ms runnable but waiting; host steal %.1f ms\n",
              result.stats.control_thread_policy.c_str(), result.stats.usable_cpus,
              static_cast<long long>(control.involuntary_switches), static_cast<double>(control.run_queue_wait_ns) / 1e6,
              static_cast<double>(control.host_steal_ns) / 1e6);
  std::fflush(stdout);
  if (result.stats.interrupted) {
    std::fprintf(stderr, "sgprs live: interrupted by signal %d; outputs are complete up to the stop\n", g_signal.load());
    std::exit(128 + g_signal.load());
  }
}

}  // namespace

void add_live_subcommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  args->taskset = kDefaultTaskset;
  args->profile = kDefaultProfile;
  args->out = "out/live";
  args->duration_s = 5.0;
  auto live_args = std::make_shared<LiveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "live",
      "Run a periodic task set on the GPU with the same scheduler and run core as `simulate` (green-context "
      "partitions, one CUDA graph per stage and partition); same flags and files, plus live latency figures.\n"
      "With no flags: 16 ResNet-18 tasks at 30 Hz on the H200 profile, or on this GPU's own shipped TF32 profile "
      "(traces/profiles/h100-tf32.json on an H100); on any other GPU the H200's curves stand in, labelled, and the "
      "layout is cut from that GPU's SMs; equal:2:1.0x, sgprs, 5 s.");
  add_run_flags(cmd, args);
  cmd->add_flag("--fake-device", live_args->fake_device,
                "no GPU: each stage takes its profile time on a host timer (tests the control loop)");
  cmd->add_option("--completion", live_args->completion,
                  "how finished stages are noticed: polling (a thread polls CUDA events) | callback | blocking | "
                  "flags (a thread watches words the GPU writes into host memory after each unit)")
      ->capture_default_str();
  cmd->add_option("--kernel-trace", live_args->kernel_trace,
                  "write every kernel the run's units ran (CUPTI records: partition, start, end, name, launch shape) "
                  "to this JSON-lines file; about 1 us more launch cost a kernel (docs/live.md)");
  cmd->add_option("--stamps", live_args->stamps,
                  "where each unit's start and end events are recorded: stream (around its graph launch: three CUDA "
                  "calls per launch) | graph (event nodes inside the graph: one call) | auto (graph where every unit "
                  "is a whole model, as under streams and naive; stream where units are stages: on the H200 event nodes "
                  "in stage graphs slowed sgprs-best several-fold, docs/live.md)")
      ->capture_default_str();
  CLI::Option* spin = cmd->add_option(
      "--spin-us", live_args->spin_us,
      "the control thread sleeps until this long before its next release or timer, then polls; default: 1e6 "
      "on the GPU (it never sleeps between timers under a second apart: on the lent H200 a sleeping thread "
      "woke up to milliseconds late whenever the host was busy, docs/live.md), 100 on the fake device");
  spin->default_str("auto");
  number_flag(cmd, "--stall-timeout", live_args->stall_timeout_s, 0.001, 3600,
              "seconds a stage, or one step of the GPU set-up, may run before the run stops with a GPU fault naming it (exit 5)");
  integer_flag(cmd, "--fake-stall-after", live_args->fake_stall_after, std::int64_t{0}, std::int64_t{1} << 40,
               "with --fake-device: the Nth launch never finishes (tests the stall watchdog; 0: none)");
  integer_flag(cmd, "--fake-fail-after", live_args->fake_fail_after, std::int64_t{0}, std::int64_t{1} << 40,
               "with --fake-device: the Nth launch fails like a faulting GPU call (exit 5; 0: none)");
  integer_flag(cmd, "--gpu-fault-after", live_args->gpu_fault_after, std::int64_t{0}, std::int64_t{1} << 40,
               "on the GPU: the Nth launch runs a kernel that traps instead of its stage, a real GPU fault (tests "
               "the fault path: exit 5 naming the call; 0: none)");
  integer_flag(cmd, "--gpu-stall-after", live_args->gpu_stall_after, std::int64_t{0}, std::int64_t{1} << 40,
               "on the GPU: the Nth launch runs a kernel that spins for 30 s instead of its stage, a stuck stage (tests "
               "the stall watchdog: exit 5 naming the stage after --stall-timeout, the process ending at once; 0: none)");
  integer_flag(cmd, "--launch-threads", live_args->launch_threads, 0, 64,
               "threads that issue the CUDA graph launches, a stream's always from the same one (0: the control "
               "thread, which then spends a launch's host time between two decisions); default: 2 where units are "
               "stages, 1 where every unit is a whole model (streams, naive), as measured on the H200 (docs/live.md)")
      ->default_str("auto");
  integer_flag(cmd, "--realtime-priority", live_args->realtime_priority, 0, 99,
               "run the control thread (releases, decisions) under SCHED_FIFO at this priority, so that no "
               "ordinary thread can delay a release (needs root or CAP_SYS_NICE; a refusal exits 2); the launcher "
               "and polling threads keep the default policy (0: the default policy for all)");
  integer_flag(cmd, "--polling-threads", live_args->polling_threads, 1, 16,
               "with --completion polling: threads that query the streams' oldest units, the streams dealt out "
               "among them (at 32 busy streams one thread noticed ends at p99 59-101 us, four at 28-38 us; "
               "docs/live.md)");
  cmd->add_option("--fake-gpu", live_args->fake_gpu,
                  "with --fake-device: the device says it is this GPU, NAME,SMS[,PIECES] (cut into PIECES pieces of 8 "
                  "SMs, as many as fit by default, and a remainder), instead of the profile's; tests what the default "
                  "profile does on another GPU");
  const CLI::Option* profile = cmd->get_option("--profile");
  cmd->callback([args, live_args, spin, profile] {
    live_args->spin_given = spin->count() > 0;
    live_args->profile_given = profile->count() > 0;
    run_live(*args, *live_args);
  });
}

}  // namespace sgprs::cli
