#include "profiler/profile_command.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "profiler/profile_runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sgprs::profiler {

namespace {

struct Options {
  std::string models = "all";
  std::string ops = "all";
  std::string precision = "fp32";
  std::string sms;
  std::string model_dir = "traces/models";
  int batch = 1;
  int piece_sms = 8;
  std::string out;  // empty: <gpu>-<precision>.json (default_profile_file)
  std::string kernel_report;
  bool quick = false;
  bool quiet = false;
  bool no_occupied = false;
  bool flush_l2 = false;
  bool keep_going = false;
  double threshold = 0.01;
  double timeout_s = 0.25;
  int warmup = 5;
  int min_samples = 10;
  int max_samples = 2000;
  int plateau_min_samples = MeasureSettings{}.plateau_min_samples;
  double plateau_tolerance = MeasureSettings{}.plateau_tolerance;
  double pivot_gain = kDefaultPivotGain;
};

// --quick: one model, a few ops, four SM counts, short points (under a minute).
constexpr const char* kQuickModel = "resnet18";
constexpr std::size_t kQuickOps = 4;
const std::vector<int> kQuickSms = {8, 32, 64, 132};
constexpr double kQuickTimeout = 0.1;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

std::vector<int> parse_sms(const std::string& text) {
  std::vector<int> counts;
  for (const std::string& item : split_list(text)) {
    try {
      std::size_t used = 0;
      const int value = std::stoi(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
      counts.push_back(value);
    } catch (const std::exception&) {
      throw InputError("--sms", "", "'" + item + "' is not an SM count (expected e.g. 8,16,132)");
    }
  }
  return counts;
}

std::vector<std::string> all_models(const std::string& model_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  if (fs::is_directory(model_dir))
    for (const auto& file : fs::directory_iterator(model_dir))
      if (file.path().extension() == ".json") names.push_back(file.path().stem().string());
  std::sort(names.begin(), names.end());
  if (names.empty()) throw InputError("--model-dir", "", "no model files (*.json) in '" + model_dir + "'");
  return names;
}

/// The exact command line of this process, for provenance.
std::string own_command_line() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::string line;
  std::size_t start = 0;
  while (start < raw.size()) {
    const std::size_t end = raw.find('\0', start);
    std::string arg = raw.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (arg.find_first_of(" \t'\"") != std::string::npos) arg = "'" + arg + "'";
    line += (line.empty() ? "" : " ") + arg;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return line;
}

void run(const Options& o) {
  ProfileRequest request;
  request.precision = parse_precision(o.precision);
  // The variable that chose TF32 before --precision did: refuse it rather than let it be ignored.
  if (const char* old = std::getenv("SGPRS_CUDNN_FP32"); old != nullptr)
    throw InputError("SGPRS_CUDNN_FP32", "",
                     std::string("is no longer read (set to '") + old + "'): use --precision tf32 and unset it");
  request.batch = o.batch;
  request.piece_sms = o.piece_sms;
  request.model_dir = o.model_dir;
  request.occupied = !o.no_occupied;
  request.flush_l2 = o.flush_l2;
  request.keep_going = o.keep_going;
  request.progress = !o.quiet;
  request.pivot_gain = o.pivot_gain;
  request.settings.rel_spread_threshold = o.threshold;
  request.settings.timeout_s = o.quick ? std::min(o.timeout_s, kQuickTimeout) : o.timeout_s;
  request.settings.warmup_runs = o.warmup;
  request.settings.min_samples = o.min_samples;
  request.settings.max_samples = o.max_samples;
  request.settings.plateau_min_samples = o.plateau_min_samples;
  request.settings.plateau_tolerance = o.plateau_tolerance;
  if (o.flush_l2 && !o.no_occupied)
    throw InputError("--flush-l2", "",
                     "measures isolated times only: add --no-occupied (a background load refills the L2 at once)");
  if (o.plateau_tolerance <= 0) throw InputError("--plateau-tolerance", "", "must be positive");
  if (o.plateau_min_samples < 0) throw InputError("--plateau-min-samples", "", "must be 0 (off) or positive");
  if (o.threshold <= 0) throw InputError("--threshold", "", "must be positive");
  if (o.timeout_s <= 0) throw InputError("--timeout", "", "must be positive");
  if (o.min_samples < 1 || o.max_samples < o.min_samples)
    throw InputError("--min-samples", "", "need 1 <= --min-samples <= --max-samples");

  if (o.models == "all")
    request.models = o.quick ? std::vector<std::string>{kQuickModel} : all_models(o.model_dir);
  else if (o.models != "none")
    request.models = split_list(o.models);
  if (o.ops == "all") {
    request.ops = op_case_names();
    if (o.quick && request.ops.size() > kQuickOps) request.ops.resize(kQuickOps);
  } else if (o.ops != "none") {
    request.ops = split_list(o.ops);
  }
  request.sm_counts = o.sms.empty() ? (o.quick ? kQuickSms : std::vector<int>{}) : parse_sms(o.sms);
  request.command = own_command_line();

  Json kernels = Json::array();
  if (!o.kernel_report.empty()) request.kernel_report = &kernels;
  const Json doc = run_profile(request);
  const std::string out =
      o.out.empty() ? default_profile_file(doc["device"].value("name", std::string("gpu")), request.precision) : o.out;
  write_file_atomic(out, dump_pretty(doc));
  if (!o.kernel_report.empty()) write_file_atomic(o.kernel_report, dump_pretty(kernels));
  std::fprintf(stderr, "sgprs: wrote %s (precision %s)\n", out.c_str(),
               std::string(precision_name(request.precision)).c_str());
}

}  // namespace

void add_profile_subcommand(CLI::App& app) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Measure how DNN operations and model stages speed up with SMs on green-context partitions");
  cmd->add_option("--models", options->models,
                  "Comma-separated model names (files <model-dir>/<name>.json) or .json paths; 'all' or 'none'")
      ->capture_default_str();
  cmd->add_option("--model-dir", options->model_dir, "Folder of sgprs.model/1 files")->capture_default_str();
  cmd->add_option("--ops", options->ops, "Comma-separated op benchmark names; 'all' or 'none'")
      ->capture_default_str();
  cmd->add_option("--precision,--dtype", options->precision,
                  "fp32 (strict), tf32 (PyTorch's defaults: convolutions may use TF32, matmuls strict) or fp16 "
                  "(--dtype is its older name)")
      ->capture_default_str();
  cmd->add_option("--sms", options->sms,
                  "Comma-separated SM counts (multiples of the split's piece, or the whole GPU); default: all");
  cmd->add_option("--piece-sms", options->piece_sms,
                  "Partition step: 8 (default split: 15 x 8 + 12 on the H100) or 2 (fine split, 2-SM steps)")
      ->capture_default_str();
  cmd->add_option("--batch", options->batch, "Batch size of the model inputs")->capture_default_str();
  cmd->add_option("--out", options->out,
                  "Profile file to write (sgprs.profile/1); default <gpu>-<precision>.json, e.g. h200-tf32.json");
  cmd->add_option("--kernel-report", options->kernel_report,
                  "Also write each stage's and op's kernels (name, ns) at the smallest and largest SM count here");
  cmd->add_flag("--quick", options->quick,
                "resnet18, the first 4 ops, SMs 8,32,64,132, 0.1 s per point: under a minute");
  cmd->add_flag("--keep-going", options->keep_going,
                "Leave out a model or op whose measurement fails (recorded in summary.failures) instead of stopping");
  cmd->add_flag("--quiet", options->quiet, "No progress bar (warnings and errors still go to stderr)");
  cmd->add_flag("--no-occupied", options->no_occupied, "Skip the occupied (background load) measurements");
  cmd->add_flag("--flush-l2", options->flush_l2,
                "Evict the L2 before every timed stage replay (cold stages, as after other models ran); default: "
                "replays back to back (warm)");
  cmd->add_option("--threshold", options->threshold,
                  "Stop a point once the trimmed stdev/mean of its samples is below this")
      ->capture_default_str();
  cmd->add_option("--timeout", options->timeout_s, "Seconds per point before it stops unconverged (with a warning)")
      ->capture_default_str();
  cmd->add_option("--plateau-min-samples", options->plateau_min_samples,
                  "Fewest samples before a point whose spread has stopped improving may stop (0: never)")
      ->capture_default_str();
  cmd->add_option("--plateau-tolerance", options->plateau_tolerance,
                  "A spread has stopped improving when its readings over the last half of the samples lie within "
                  "this fraction of the current one")
      ->capture_default_str();
  cmd->add_option("--warmup", options->warmup, "Untimed runs before each point")->capture_default_str();
  cmd->add_option("--min-samples", options->min_samples, "Fewest samples per point")->capture_default_str();
  cmd->add_option("--max-samples", options->max_samples, "Most samples per point")->capture_default_str();
  cmd->add_option("--pivot-gain", options->pivot_gain,
                  "An op's pivot is the fewest SMs within this fraction of its best time at any larger count")
      ->capture_default_str();
  cmd->callback([options] { run(*options); });
}

}  // namespace sgprs::profiler
