// `sgprs sweep`: run one experiment file (many task sets x layouts x schedulers)
// in parallel and write DIR/runs.csv, DIR/summary.csv, DIR/sweep.json and plots.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/simulated_run.hpp"
#include "simulator/experiments/sweep_runner.hpp"
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace sgprs::cli {

namespace {

struct SweepArgs {
  std::string config;
  std::string out;
  int jobs = 0;
  bool resume = false;
  bool no_plots = false;
  bool quiet = false;
};

/// tools/plot_sweep.py: $SGPRS_PLOT_SCRIPT, else next to this source file (a
/// build tree), else beside the executable's parent folder.
std::string find_plot_script() {
  if (const char* env = std::getenv("SGPRS_PLOT_SCRIPT")) return env;
  namespace fs = std::filesystem;
  const fs::path from_source = fs::path(__FILE__).parent_path().parent_path() / "plot_sweep.py";
  if (fs::exists(from_source)) return from_source.string();
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path().parent_path() / "tools" / "plot_sweep.py"))
    return (exe.parent_path().parent_path() / "tools" / "plot_sweep.py").string();
  return "";
}

/// $SGPRS_PYTHON, else Debian's /usr/bin/python3 (where the README's set-up
/// installs python3-matplotlib, even when a pyenv python3 comes first on PATH).
std::string python_interpreter() {
  if (const char* env = std::getenv("SGPRS_PYTHON")) return env;
  if (std::filesystem::exists("/usr/bin/python3")) return "/usr/bin/python3";
  return "python3";
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void run(const SweepArgs& args) {
  exp::PreparedExperiment prep =
      exp::prepare_experiment(exp::read_experiment(args.config), exp::simulator_scheduler_names());
  const exp::RunFunction run_one = exp::make_simulated_run(prep);
  exp::SweepOptions options;
  options.out_dir = args.out;
  options.jobs = args.jobs;
  options.resume = args.resume;
  options.progress = !args.quiet;
  options.command_line = "sgprs sweep --config " + args.config + " --out " + args.out +
                         (args.jobs > 0 ? " --jobs " + std::to_string(args.jobs) : "") + (args.resume ? " --resume" : "");
  exp::check_sweep_folder(prep, options);  // every input is known good before the plan is printed

  std::string loads;
  for (double l : prep.loads) loads += (loads.empty() ? "" : " ") + exp::load_text(l);
  std::fprintf(stderr, "sweep %s: %zu runs (%zu layouts x %zu schedulers x %zu loads x %d repetitions), loads: %s\n",
               prep.experiment.name.c_str(), prep.runs(), prep.layouts.size(), prep.experiment.schedulers.size(),
               prep.loads.size(), prep.experiment.repetitions, loads.c_str());
  if (prep.bound_max_tasks > 0)
    std::fprintf(stderr, "throughput bound: at most %d tasks (%.1f jobs/s) on %s\n", prep.bound_max_tasks,
                 prep.bounds.front().max_jobs_per_s, prep.profile.device_name().c_str());

  const exp::SweepResult result = exp::run_sweep(prep, options, run_one, exp::make_simulated_signature(prep));
  std::fprintf(stderr, "%zu runs (%zu resumed, %zu simulated, the rest shared by identical runs) on %d threads in %.2f s "
               "-> %s/runs.csv, %s/summary.csv\n",
               result.runs_total, result.runs_resumed, result.runs_simulated, result.threads, result.wall_time_s,
               args.out.c_str(), args.out.c_str());

  if (args.no_plots) return;
  const std::string script = find_plot_script();
  if (script.empty()) {
    std::fprintf(stderr, "sgprs: warning: tools/plot_sweep.py not found (set SGPRS_PLOT_SCRIPT); no plots\n");
    return;
  }
  const std::string command = shell_quote(python_interpreter()) + " " + shell_quote(script) + " " + shell_quote(args.out);
  if (std::system(command.c_str()) != 0)
    std::fprintf(stderr, "sgprs: warning: plotting failed (%s); the CSV files are complete\n", command.c_str());
}

}  // namespace

void add_sweep_subcommand(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sub = app.add_subcommand(
      "sweep",
      "Run an experiment file (sgprs.experiment/1: task-set generator, loads, layouts, schedulers, repetitions) in "
      "parallel; write DIR/runs.csv (one row per run), DIR/summary.csv (mean, 95% CI, schedulability ratio, share of "
      "the throughput bound per layout x scheduler x load), DIR/sweep.json and plots. Results do not depend on --jobs.");
  sub->add_option("--config", args->config, "experiment file (schema sgprs.experiment/1)")->required();
  sub->add_option("--out", args->out, "output folder")->required();
  integer_flag(sub, "--jobs", args->jobs, 0, 1024, "worker threads (0: all hardware threads)");
  sub->add_flag("--resume", args->resume, "keep the runs already in DIR/runs.csv and run only the rest");
  sub->add_flag("--no-plots", args->no_plots, "skip tools/plot_sweep.py (redraw later: python3 tools/plot_sweep.py DIR)");
  sub->add_flag("--quiet", args->quiet, "no progress bar");
  sub->callback([args] { run(*args); });
}

}  // namespace sgprs::cli
