#pragma once
// What `sgprs simulate` and `sgprs live` share: the same flags, the same checks of
// every input before anything is written, the same output files written whole or
// not at all, and the same printed report. Each verb adds only its own flags.
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/core/run_options.hpp"
#include "simulator/experiments/throughput_bound.hpp"
#include "simulator/outputs/event_log_writer.hpp"
#include "simulator/outputs/run_progress.hpp"
#include "simulator/outputs/summary.hpp"
#include "simulator/outputs/timeline_writer.hpp"
#include "simulator/policy/workload.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sgprs::cli {

struct RunArgs {
  std::string taskset;
  std::string profile;
  std::string models = "traces/models";
  std::string layout = "equal:2:1.0x";
  std::string scheduler = "sgprs";
  std::vector<std::string> options;                 // k=v
  std::map<std::string, std::string> option_flags;  // one flag per option
  double duration_s = 10.0;
  std::uint64_t seed = 1;
  std::string out;
  bool no_events = false;
  int max_parallel = 0;
  bool allow_deadline_over_period = false;
  std::string curve = "step";
  std::string estimates = "occupied";
  std::string gpu_times = "isolated";  // simulate only
  std::string gpu_times_profile;       // simulate and validate: another measurement the simulated GPU runs
  std::string interference = "none";   // simulate only
  std::int64_t stage_overhead_ns = 0;  // simulate only
  std::string sharing = "even-step";   // simulate only (validate chooses its own default)
  std::string sharing_calibration;     // empty: the profile's path with .json -> .sharing.json
  std::string priority_rule = "strict";  // how streams of different priority share SMs
  int hardware_queues = 32;  // the running limit's Q (sim/running_limit.hpp); validate: the live run's
  bool quiet = false;
};

/// The flags both verbs take (task set, profile, models, layout, scheduler and options, duration,
/// seed, out, ...), registered on `cmd` with `args`' values as defaults.
void add_run_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args);
/// --sharing, --sharing-calibration, --hardware-queues and --priority-rule (simulate; validate has
/// its own defaults).
void add_sharing_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args);
/// The simulated GPU's rules as flags (simulate, tune): --interference, --stage-overhead-ns and
/// add_sharing_flags' --sharing, --sharing-calibration, --priority-rule.
void add_gpu_model_flags(CLI::App* cmd, const std::shared_ptr<RunArgs>& args);
/// InputError naming the flag for an unknown rule name (no file is read).
void check_gpu_model_args(const RunArgs& args);
/// Sets run's GPU-model fields from those flags (checked first by check_gpu_model_args); "auto"
/// sharing is packed where a calibration is given or sits beside args.profile, whose contention
/// points are then read.
void apply_gpu_model_args(const RunArgs& args, const Profile& profile, sim::RunOptions& run);
/// --gpu-times-profile (simulate; validate registers its own with the same meaning).
void add_gpu_times_profile_flag(CLI::App* cmd, std::string& path);
/// The profile named by --gpu-times-profile, checked against the run's `profile` (same GPU, SM
/// count and precision; every model and stage of `workload` present): InputError naming the file
/// and field otherwise.
std::shared_ptr<const Profile> load_gpu_times_profile(const std::string& path, const Profile& profile,
                                                      const sim::Workload& workload, CurveInterpolation interpolation);
/// --priority-rule into `rule` (which must outlive the parse).
void add_priority_rule_flag(CLI::App* cmd, std::string& rule);
/// --hardware-queues (simulate; validate registers it with the live run's count as default).
void add_hardware_queues_flag(CLI::App* cmd, int& queues);

struct RunInputs {
  Profile profile;
  TaskSet set;
  Layout layout;
  sim::Workload workload;
  sim::RunOptions run;
  exp::ThroughputBound bound;  // from the times the run's GPU runs
  std::int64_t jobs = 0;       // jobs the run would release
  /// Says how far a long step is (stderr, after 5 s); started before the workload is built.
  std::shared_ptr<sim::RunProgress> progress;
  std::string curve = "step";  // interpolation between measured SM counts (--curve)
  double share_of_bound(const sim::Summary& s) const {
    return bound.sustainable_jobs_per_s > 0 ? s.throughput_jobs_per_s / bound.sustainable_jobs_per_s : 0.0;
  }
};

/// Given the profile just read, a document to use in its place, before any layout is sized from it
/// (`sgprs live`'s stand-in for a GPU the default profile was not measured on), or nullopt to keep it.
using ProfileAdapter = std::function<std::optional<Json>(const Profile&)>;

/// Reads and checks every input (shipped defaults resolved from any folder); InputError on the first problem.
RunInputs read_run_inputs(RunArgs& args, const std::string& default_taskset, const std::string& default_profile,
                          const ProfileAdapter& adapt_profile = {});

/// The output folder of one run: summary.json, events.jsonl, timeline.json. Checked at
/// construction (a file where the folder goes, a folder where a file goes, too little free
/// space for the event log: InputError); the event log and timeline stream to temporary names
/// in the folder as the run goes (common/temp_files.hpp); publish() writes the summary, closes
/// everything (write errors surface here) and only then renames all into place, so the folder
/// keeps its previous outputs or holds only new ones; destroying an unpublished folder (or a
/// signal) removes what the run began.
class RunOutputs {
 public:
  RunOutputs(const std::string& out, bool no_events, const RunInputs& in);
  ~RunOutputs();
  RunOutputs(const RunOutputs&) = delete;
  RunOutputs& operator=(const RunOutputs&) = delete;
  /// The writers to attach to the run (none with --no-events).
  std::vector<sim::Observer*> observers();
  /// Writes summary.json (and the timeline and log) atomically.
  void publish(const Json& summary_doc);
  /// After a device fault: puts the event log and timeline written so far in place (each
  /// complete up to the fault) and removes any summary.json an earlier run left there.
  void publish_log_after_fault();

 private:
  void publish_streams();  // the event log and the timeline, closed and put in place

  std::filesystem::path out_;
  bool no_events_;
  bool made_folder_ = false;
  int folder_handle_ = -1;
  bool published_ = false;
  std::unique_ptr<sim::EventLogWriter> log_;
  std::unique_ptr<sim::TimelineWriter> timeline_;
};

/// The summary document both verbs write: Summary::to_json plus the bound and the share of it.
Json summary_document(const RunInputs& in, const sim::Summary& summary);

/// The report both verbs print: header, table, bound, where the files went.
void print_run_report(const char* verb, const RunArgs& args, const RunInputs& in, const sim::Summary& summary);

}  // namespace sgprs::cli
