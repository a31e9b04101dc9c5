#include "profiler/profile_runner.hpp"

#include "common/errors.hpp"
#include "common/model.hpp"
#include "common/progress_bar.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/driver_api.hpp"
#include "profiler/gpu_monitor.hpp"
#include "profiler/graph_timer.hpp"
#include "profiler/kernel_activity.hpp"
#include "profiler/partition_pool.hpp"
#include "profiler/utc_time.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

namespace sgprs::profiler {

namespace {

constexpr const char* kToolVersion = "0.1.0";
// Replays per batch are chosen so a batch lasts about this long: long enough
// to amortise the CUPTI flush, short enough to check the stopping rule often.
constexpr Ns kTargetBatchNs = 2 * kNsPerMs;
constexpr int kMaxBatchRuns = 50;
// cuDNN/cuBLAS handles, one graph and a background stream per partition: the
// pool never has more than this many streams busy, but all exist at once.
constexpr int kHardwareQueues = 32;

/// One measured point with the GPU's state while it ran.
struct Point {
  PointStats stats;
  PointReadings readings;
  double background_coverage = -1;  // occupied points: share of the time the load overlapped
};

/// Series of points for one stage or op, aligned with sm_counts.
struct Series {
  std::vector<Point> points;
  Json to_json(const std::string& prefix) const {
    Json j = Json::object();
    std::vector<Ns> median, p5, p95;
    std::vector<int> samples, clock;
    std::vector<bool> throttled, converged;
    std::vector<std::string> stop;
    std::vector<double> spread;
    for (const Point& p : points) {
      median.push_back(p.stats.median_ns);
      p5.push_back(p.stats.p5_ns);
      p95.push_back(p.stats.p95_ns);
      samples.push_back(p.stats.samples);
      spread.push_back(std::round(p.stats.rel_spread * 1e5) / 1e5);
      converged.push_back(p.stats.converged);
      stop.push_back(std::string(stop_reason_name(p.stats.stop)));
      throttled.push_back(p.readings.throttled);
      clock.push_back(p.readings.known ? p.readings.min_sm_clock_mhz : 0);
    }
    j[prefix + "median_ns"] = median;
    j[prefix + "p5_ns"] = p5;
    j[prefix + "p95_ns"] = p95;
    j[prefix + "samples"] = samples;
    j[prefix + "rel_spread"] = spread;
    j[prefix + "converged"] = converged;
    j[prefix + "stop"] = stop;  // why the point stopped: spread, plateau, timeout, sample_cap
    j[prefix + "throttled"] = throttled;
    j[prefix + "sm_clock_mhz"] = clock;
    if (prefix == "occupied_") {
      std::vector<double> coverage;
      for (const Point& p : points) coverage.push_back(std::round(p.background_coverage * 1000) / 1000);
      j["occupied_background_coverage"] = coverage;  // -1: no background at that count
    }
    return j;
  }
};


std::string host_name() {
  char text[256] = {};
  if (gethostname(text, sizeof text - 1) != 0) return "unknown";
  return text;
}

/// The environment variables that change what is measured (library policies, queues).
Json measurement_environment() {
  Json env = Json::object();
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::size_t eq = text.find('=');
    const std::string name = text.substr(0, eq);
    // The op library's policy switches (SGPRS_CUDNN_*), the commit, and CUDA's own knobs.
    if (name.starts_with("SGPRS_") || name == "CUDA_DEVICE_MAX_CONNECTIONS" || name == "NVIDIA_TF32_OVERRIDE" ||
        name == "CUDA_MODULE_LOADING" || name == "CUBLAS_WORKSPACE_CONFIG")
      env[name] = eq == std::string::npos ? "" : text.substr(eq + 1);
  }
  return env;
}

std::string precision_description(Precision precision) {
  switch (precision) {
    case Precision::kTf32:
      return "tf32: fp32 weights and activations; convolutions (cuDNN, 1x1 ones as cuBLASLt matmuls) may use TF32 "
             "tensor cores, linear layers and attention strict FP32 (PyTorch's defaults for an fp32 model)";
    case Precision::kFp16:
      return "fp16: half weights and activations; cuDNN and cuBLAS on tensor cores with float accumulation";
    case Precision::kFp32:
      break;
  }
  return "fp32: strict FP32 everywhere (cuDNN FMA math, no TF32 engines; cuBLAS 32F compute)";
}

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

/// Everything that touches the GPU for one profile, in construction order:
/// CUPTI before the partitions, so every context is traced from its start.
class Session {
 public:
  Session(const ProfileRequest& request, std::vector<int> sm_counts_or_empty)
      : request_(request) {
    init_cuda_for_partitions(kHardwareQueues);
    check_precision_supported(request.precision);
    collector_.emplace();
    const unsigned piece = static_cast<unsigned>(request.piece_sms);
    pool_.emplace(0, piece, piece < 8);
    sm_counts_ = sm_counts_or_empty.empty() ? pool_->buildable_sm_counts() : std::move(sm_counts_or_empty);
    std::sort(sm_counts_.begin(), sm_counts_.end());
    sm_counts_.erase(std::unique(sm_counts_.begin(), sm_counts_.end()), sm_counts_.end());
    const std::vector<int> buildable = pool_->buildable_sm_counts();
    for (int s : sm_counts_) {
      if (std::find(buildable.begin(), buildable.end(), s) == buildable.end()) pool_->add_sms(s);  // throws
    }
    const GpuSplit& split = pool_->split();
    for (int s : sm_counts_) {
      measured_.push_back(&pool_->add_sms(s));
      // The rest of the GPU is the background's partition, unless nothing or only
      // the split's remainder is left. On the H100 the fp16 cuDNN and cuBLASLt
      // kernels failed to launch on the remainder alone (CUDNN_STATUS_EXECUTION_FAILED,
      // cuBLASLt "failed to launch"; plain kernels and 2-block clusters run there),
      // and cuda.h gives the remainder no co-scheduling guarantee.
      const bool pieces_left = s != split.sm_count && s / split.piece_sms < split.pieces;
      complement_.push_back(request.occupied && pieces_left ? &pool_->add_complement_of(s) : nullptr);
    }
    pool_->seal();
    pool_->make_primary_current();
    if (request.flush_l2) l2_flush_ = std::make_unique<L2Flush>();
    char bus[32] = {};
    CUdevice device = 0;
    SGPRS_CUDA_CALL(driver().cuDeviceGet(&device, 0));
    SGPRS_CUDA_CALL(driver().cuDeviceGetPCIBusId(bus, sizeof bus, device));
    monitor_ = std::make_unique<GpuMonitor>(bus);
  }

  static void check_precision_supported(Precision precision) {
    CUdevice device = 0;
    int major = 0;
    int minor = 0;
    SGPRS_CUDA_CALL(driver().cuDeviceGet(&device, 0));
    SGPRS_CUDA_CALL(driver().cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
    SGPRS_CUDA_CALL(driver().cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
    const std::string problem = precision_support_problem(precision, major, minor);
    if (!problem.empty()) throw InputError("--precision", "", problem);
  }

  const std::vector<int>& sm_counts() const { return sm_counts_; }
  PartitionPool& pool() { return *pool_; }
  const Partition& measured(std::size_t i) const { return *measured_[i]; }
  const Partition* complement(std::size_t i) const { return complement_[i]; }
  KernelActivityCollector& collector() { return *collector_; }
  GpuMonitor& monitor() { return *monitor_; }
  L2Flush* l2_flush() { return l2_flush_.get(); }  // nullptr: stages measured warm

  Json device_json() const {
    CUdevice device = 0;
    SGPRS_CUDA_CALL(driver().cuDeviceGet(&device, 0));
    char name[256] = {};
    SGPRS_CUDA_CALL(driver().cuDeviceGetName(name, sizeof name, device));
    int driver_version = 0;
    int runtime = 0;
    SGPRS_CUDA_CALL(driver().cuDriverGetVersion(&driver_version));
    SGPRS_CUDA_CALL(cudaRuntimeGetVersion(&runtime));
    int clock_khz = 0;
    int memory_khz = 0;
    SGPRS_CUDA_CALL(driver().cuDeviceGetAttribute(&clock_khz, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, device));
    SGPRS_CUDA_CALL(driver().cuDeviceGetAttribute(&memory_khz, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, device));
    const GpuSplit& split = pool_->split();
    Json j;
    j["name"] = name;
    j["sm_count"] = split.sm_count;
    j["piece_sms"] = split.piece_sms;
    j["pieces"] = split.pieces;
    j["remainder_sms"] = split.remainder_sms;
    const std::string nvml_driver = monitor_->driver_version();
    j["driver"] = nvml_driver != "unknown" ? nvml_driver : "CUDA " + version_text(driver_version);
    j["driver_cuda_version"] = version_text(driver_version);
    j["cuda"] = version_text(runtime);
    j["sm_clock_mhz"] = monitor_->max_sm_clock_mhz() > 0 ? monitor_->max_sm_clock_mhz() : clock_khz / 1000;
    j["memory_clock_mhz"] =
        monitor_->max_memory_clock_mhz() > 0 ? monitor_->max_memory_clock_mhz() : memory_khz / 1000;
    j["nvml"] = monitor_->available();
    Json parts = Json::array();
    for (std::size_t i = 0; i < pool_->size(); ++i) {
      const Partition& p = (*pool_)[i];
      parts.push_back({{"id", p.id()},
                       {"pieces", p.pieces()},
                       {"remainder", p.has_remainder()},
                       {"requested_sms", p.requested_sms()},
                       {"sm_count", p.sm_count()}});
    }
    j["partitions"] = parts;
    return j;
  }

 private:
  const ProfileRequest& request_;
  std::optional<KernelActivityCollector> collector_;
  std::optional<PartitionPool> pool_;
  std::vector<int> sm_counts_;
  std::vector<const Partition*> measured_;
  std::vector<const Partition*> complement_;
  std::unique_ptr<GpuMonitor> monitor_;
  std::unique_ptr<L2Flush> l2_flush_;  // after the pool: destroyed before its contexts
};

Point measure_graph(Session& session, GraphTimer& timer, const MeasureSettings& settings,
                    BackgroundLoad* background, Ns expected_ns) {
  Point point;
  // The warm-up doubles as a pilot that sizes the batches.
  const std::vector<Ns> pilot = timer.run(std::max(1, settings.warmup_runs), background, expected_ns);
  Ns estimate = expected_ns;
  if (!pilot.empty()) estimate = summarize(pilot, StopReason::kTimeout).median_ns;
  estimate = std::max<Ns>(estimate, 1000);
  MeasureSettings tuned = settings;
  tuned.warmup_runs = 0;
  tuned.batch_runs = static_cast<int>(std::clamp<Ns>(kTargetBatchNs / estimate, 1, kMaxBatchRuns));
  point.stats = measure_point(tuned, [&](int runs) {
    std::vector<Ns> samples = timer.run(runs, background, estimate);
    point.readings.add(session.monitor().read());
    return samples;
  });
  return point;
}

void add_kernel_report(Json& report, const std::string& what, int sms, const GraphTimer& timer) {
  Json kernels = Json::array();
  Ns total = 0;
  for (const GraphTimer::KernelTime& k : timer.last_run_kernels()) {
    kernels.push_back({{"name", k.name},
                       {"ns", k.ns},
                       {"blocks", k.blocks},
                       {"threads_per_block", k.threads_per_block},
                       {"registers_per_thread", k.registers_per_thread},
                       {"shared_bytes", k.shared_bytes}});
    total += k.ns;
  }
  report.push_back({{"what", what}, {"sms", sms}, {"kernel_sum_ns", total}, {"kernels", std::move(kernels)}});
}

/// Runs `body`; a failure is rethrown with what was being measured in front of its one line
/// (the library's own message names only the call): bad input stays InputError (exit 2), a
/// GPU or library failure becomes GpuError (exit 5).
template <class Body>
void with_context(const std::string& what, Body&& body) {
  try {
    body();
  } catch (const NoGpuError&) {
    throw;
  } catch (const InputError& e) {
    throw InputError("while measuring " + what, "", e.what());
  } catch (const std::exception& e) {
    throw GpuError("while measuring " + what + ": " + e.what());
  }
}

struct Tally {
  int points = 0;
  int timed_out = 0;  // stopped by the time-out or the sample cap
  int by_reason[4] = {0, 0, 0, 0};
  int throttled = 0;
  PointReadings clocks;  // every reading of the run
  void count(const Point& p) {
    ++points;
    if (!p.stats.converged) ++timed_out;
    ++by_reason[static_cast<int>(p.stats.stop)];
    if (p.readings.throttled) ++throttled;
    clocks.add(p.readings);
  }
  int stopped_by(StopReason reason) const { return by_reason[static_cast<int>(reason)]; }
};

Json clock_range_json(const ClockRange& range) {
  if (!range.known) return nullptr;
  return {{"min", range.min_mhz}, {"max", range.max_mhz}};
}

Json profile_model(Session& session, const ProfileRequest& request, const std::string& path, ProgressBar& progress,
                   Tally& tally) {
  const Model model = Model::load(path);
  session.pool().make_primary_current();
  std::unique_ptr<ModelInstance> foreground_net;
  std::unique_ptr<ModelInstance> background_net;
  with_context(model.name() + " (building it on the GPU)", [&] {
    foreground_net = std::make_unique<ModelInstance>(model, request.precision, request.batch);
    if (request.occupied) background_net = std::make_unique<ModelInstance>(model, request.precision, request.batch);
  });
  ModelInstance& foreground = *foreground_net;

  const std::size_t stages = foreground.stage_count();
  const std::vector<int>& sm_counts = session.sm_counts();
  std::vector<Series> isolated(stages), occupied(stages);

  for (std::size_t i = 0; i < sm_counts.size(); ++i) {
    const Partition& part = session.measured(i);
    const int sms = part.sm_count();
    with_context(model.name() + " on " + std::to_string(sms) + " SMs", [&] {
      part.make_current();
      foreground.enqueue_all(part.stream(), sms);  // eager: library handles for this stream, warm caches
      SGPRS_CUDA_CALL(cudaStreamSynchronize(part.stream()));
    });

    std::unique_ptr<BackgroundLoad> load;
    if (const Partition* rest = session.complement(i)) {
      with_context(model.name() + " as background load on " + std::to_string(rest->sm_count()) + " SMs", [&] {
        rest->make_current();
        background_net->enqueue_all(rest->stream(), rest->sm_count());
        SGPRS_CUDA_CALL(cudaStreamSynchronize(rest->stream()));
        load = std::make_unique<BackgroundLoad>(
            *rest, capture_graph(*rest, [&](cudaStream_t s) { background_net->enqueue_all(s, rest->sm_count()); }));
      });
    }

    for (std::size_t k = 0; k < stages; ++k) {
      const std::string label = model.name() + "/" + foreground.stage_name(k) + " @ " + std::to_string(sms) + " SMs";
      with_context(label, [&] {
        GraphExec graph = capture_graph(part, [&](cudaStream_t s) { foreground.enqueue_stage(k, s, sms); });
        GraphTimer timer(session.collector(), part, graph.get(), TimeMode::kStageExtent);
        timer.set_l2_flush(session.l2_flush());
        Point alone = measure_graph(session, timer, request.settings, nullptr, 0);
        tally.count(alone);
        if (request.kernel_report != nullptr && (i == 0 || i + 1 == sm_counts.size()))
          add_kernel_report(*request.kernel_report, model.name() + "/" + foreground.stage_name(k), sms, timer);
        isolated[k].points.push_back(alone);
        progress.advance(1, label);
        if (request.occupied) {
          if (load) {
            timer.reset_coverage();
            Point busy = measure_graph(session, timer, request.settings, load.get(), alone.stats.median_ns);
            busy.background_coverage = timer.background_coverage();
            tally.count(busy);
            occupied[k].points.push_back(busy);
          } else {
            occupied[k].points.push_back(alone);  // no background partition at this count (see Session)
          }
          progress.advance(1, label + " (occupied)");
        }
      });
    }
  }
  session.pool().make_primary_current();

  Json j;
  j["name"] = model.name();
  j["file"] = path;
  Json stage_list = Json::array();
  for (std::size_t k = 0; k < stages; ++k) {
    Json s = Json::object();
    s["name"] = foreground.stage_name(k);
    s.update(isolated[k].to_json(""));
    if (request.occupied) s.update(occupied[k].to_json("occupied_"));
    stage_list.push_back(std::move(s));
  }
  j["stages"] = std::move(stage_list);
  return j;
}

Json profile_op(Session& session, const ProfileRequest& request, const std::string& name, ProgressBar& progress,
                Tally& tally) {
  session.pool().make_primary_current();
  std::unique_ptr<OpInstance> op_ptr;
  with_context("op " + name + " (building it on the GPU)",
               [&] { op_ptr = std::make_unique<OpInstance>(name, request.precision); });
  OpInstance& op = *op_ptr;
  const std::vector<int>& sm_counts = session.sm_counts();
  Series series;
  for (std::size_t i = 0; i < sm_counts.size(); ++i) {
    const Partition& part = session.measured(i);
    const int sms = part.sm_count();
    with_context("op " + name + " @ " + std::to_string(sms) + " SMs", [&] {
      part.make_current();
      op.enqueue(part.stream(), sms);
      SGPRS_CUDA_CALL(cudaStreamSynchronize(part.stream()));
      GraphExec graph = capture_graph(part, [&](cudaStream_t s) { op.enqueue(s, sms); });
      GraphTimer timer(session.collector(), part, graph.get(), TimeMode::kKernelSum);
      Point p = measure_graph(session, timer, request.settings, nullptr, 0);
      tally.count(p);
      if (request.kernel_report != nullptr && (i == 0 || i + 1 == sm_counts.size()))
        add_kernel_report(*request.kernel_report, "op/" + name, sms, timer);
      series.points.push_back(p);
    });
    progress.advance(1, "op " + name + " @ " + std::to_string(sms) + " SMs");
  }
  session.pool().make_primary_current();
  Json j;
  j["name"] = name;
  j["description"] = op.description();
  j.update(series.to_json(""));
  std::vector<Ns> medians;
  for (const Point& p : series.points) medians.push_back(p.stats.median_ns);
  j["pivot_sms"] = pivot_sms(sm_counts, medians, request.pivot_gain);
  return j;
}

}  // namespace

std::string precision_support_problem(Precision precision, int cc_major, int cc_minor) {
  const int cc = cc_major * 10 + cc_minor;
  const std::string have = std::to_string(cc_major) + "." + std::to_string(cc_minor);
  if (precision == Precision::kTf32 && cc < 80)
    return "tf32 needs a GPU with TF32 tensor cores (compute capability 8.0 or newer); this GPU has " + have;
  if (precision == Precision::kFp16 && cc < 70)
    return "fp16 needs a GPU with fp16 tensor cores (compute capability 7.0 or newer); this GPU has " + have;
  return "";
}

std::string default_profile_file(const std::string& device_name, Precision precision) {
  // The first word that is a letter and 2 to 4 digits (H200, A100, L40) is the model, as
  // tools/profile_gpu.sh names its output.
  std::string model;
  std::string words;
  std::string word;
  const auto flush = [&] {
    if (word.empty()) return;
    const bool is_model = word.size() >= 3 && word.size() <= 5 && std::isalpha(static_cast<unsigned char>(word[0])) &&
                          std::all_of(word.begin() + 1, word.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (is_model && model.empty()) model = word;
    if (word != "nvidia") words += (words.empty() ? "" : "-") + word;
    word.clear();
  };
  for (char c : device_name) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else
      flush();
  }
  flush();
  std::string gpu = !model.empty() ? model : (!words.empty() ? words : "gpu");
  return gpu + "-" + std::string(precision_name(precision)) + ".json";
}

std::string resolve_model_path(const std::string& entry, const std::string& model_dir) {
  namespace fs = std::filesystem;
  const fs::path path = entry.ends_with(".json") ? fs::path(entry) : fs::path(model_dir) / (entry + ".json");
  if (!fs::exists(path)) {
    std::vector<std::string> names;  // sorted: directory order differs between machines
    if (fs::is_directory(model_dir))
      for (const auto& file : fs::directory_iterator(model_dir))
        if (file.path().extension() == ".json") names.push_back(file.path().stem().string());
    std::sort(names.begin(), names.end());
    throw InputError("--models", "", unknown_name("model", entry, names) + ": no file " + path.string());
  }
  return path.string();
}

Json run_profile(const ProfileRequest& request) {
  // Check every name before touching the GPU, so a typo costs nothing.
  std::vector<std::string> model_paths;
  for (const std::string& entry : request.models) model_paths.push_back(resolve_model_path(entry, request.model_dir));
  const std::vector<std::string> known_ops = op_case_names();
  for (const std::string& op : request.ops)
    if (std::find(known_ops.begin(), known_ops.end(), op) == known_ops.end())
      throw InputError("--ops", "", unknown_name("op", op, known_ops));
  if (request.batch < 1) throw InputError("--batch", "", "must be at least 1");
  if (request.piece_sms != 8 && request.piece_sms != 2)
    throw InputError("--piece-sms", "", "must be 8 (the default split) or 2 (the fine split)");

  const auto started = std::chrono::steady_clock::now();
  Session session(request, request.sm_counts);
  const std::vector<int>& sm_counts = session.sm_counts();

  long stage_points = 0;
  for (const std::string& path : model_paths) {
    const Model model = Model::load(path);
    stage_points += static_cast<long>(model.stages().size());
  }
  const long total = (stage_points * (request.occupied ? 2 : 1) + static_cast<long>(request.ops.size())) *
                     static_cast<long>(sm_counts.size());
  ProgressBar progress(static_cast<std::size_t>(total), 0, stderr, request.progress, "points");
  Tally tally;

  Json doc;
  doc["schema"] = schema_tag("sgprs.profile", 1);
  doc["device"] = session.device_json();
  doc["provenance"] = {{"created", utc_now_iso8601()},
                       {"command", request.command},
                       {"tool_version", kToolVersion},
                       {"host", host_name()}};
  doc["precision"] = std::string(precision_name(request.precision));
  doc["dtype"] = std::string(dtype_name(storage_dtype(request.precision)));  // storage; older readers use it
  doc["provenance"]["precision"] = precision_description(request.precision);
  doc["batch"] = request.batch;
  doc["settings"] = {{"warmup", request.settings.warmup_runs},
                     {"min_samples", request.settings.min_samples},
                     {"max_samples", request.settings.max_samples},
                     {"rel_spread_threshold", request.settings.rel_spread_threshold},
                     {"rel_spread_definition", "stdev/mean of the samples between p5 and p95"},
                     {"plateau_min_samples", request.settings.plateau_min_samples},
                     {"plateau_tolerance", request.settings.plateau_tolerance},
                     {"stopping_rule",
                      "a point stops when its spread is under rel_spread_threshold (stop=spread), or when from "
                      "plateau_min_samples on its spread readings over the last half of the samples lie within "
                      "plateau_tolerance of the current one (stop=plateau: the spread is the point's own noise), "
                      "else at timeout_s (stop=timeout) or max_samples (stop=sample_cap)"},
                     {"timeout_s", request.settings.timeout_s},
                     {"stage_time", "first kernel start to last kernel end of one graph replay (CUPTI)"},
                     {"l2", request.flush_l2 ? "cold: L2 evicted before every timed stage replay (a memset of twice "
                                               "the L2 on another stream, between replays)"
                                             : "warm: a stage's replays back to back"},
                     {"op_time", "sum of the op's kernel durations in one graph replay (CUPTI)"},
                     {"occupied_load",
                      "the same model's whole inference replayed on the disjoint rest of the GPU (the remaining "
                      "pieces and the remainder); where no piece is left (the full GPU, and the largest piece "
                      "count, whose rest is only the remainder) the occupied time is the isolated time, see "
                      "occupied_background_sms"},
                     {"pivot_gain_threshold", request.pivot_gain},
                     {"cuda_device_max_connections", kHardwareQueues}};
  doc["sm_counts"] = sm_counts;
  if (request.occupied) {
    std::vector<int> background;
    for (std::size_t i = 0; i < sm_counts.size(); ++i)
      background.push_back(session.complement(i) != nullptr ? session.complement(i)->sm_count() : 0);
    doc["occupied_background_sms"] = background;  // 0: no background there, occupied = isolated
  }

  Json failures = Json::array();
  // A failed model or op is fatal unless --keep-going: then it is left out and recorded.
  const auto attempt = [&](const std::string& what, const auto& measure, Json& into) {
    try {
      into.push_back(measure());
    } catch (const std::exception& e) {
      if (!request.keep_going || dynamic_cast<const NoGpuError*>(&e) != nullptr) throw;
      std::fprintf(stderr, "\nsgprs: warning: %s left out of the profile: %s\n", what.c_str(), e.what());
      failures.push_back({{"what", what}, {"error", e.what()}});
      session.pool().make_primary_current();
      cudaGetLastError();  // clear a non-sticky launch error so the next model starts clean
    }
  };
  Json models = Json::array();
  for (const std::string& path : model_paths)
    attempt(path, [&] { return profile_model(session, request, path, progress, tally); }, models);
  doc["models"] = std::move(models);
  Json ops = Json::array();
  for (const std::string& name : request.ops)
    attempt("op " + name, [&] { return profile_op(session, request, name, progress, tally); }, ops);
  doc["ops"] = std::move(ops);
  progress.finish();
  doc["provenance"]["environment"] = measurement_environment();
  doc["provenance"]["libraries"] = library_notes();
  // Wall time from the pool's creation to the last point: what a full profile costs on this GPU.
  doc["provenance"]["measurement_s"] =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() * 10.0) / 10.0;

  // The clocks NVML reported after every batch of every point (null: NVML unavailable).
  doc["provenance"]["clocks_seen"] = {{"sm_mhz", clock_range_json(tally.clocks.sm_clock)},
                                      {"memory_mhz", clock_range_json(tally.clocks.memory_clock)},
                                      {"readings", tally.clocks.readings}};
  doc["summary"] = {{"points", tally.points},
                    {"not_converged", tally.timed_out},
                    {"stopped_by", {{"spread", tally.stopped_by(StopReason::kSpread)},
                                    {"plateau", tally.stopped_by(StopReason::kPlateau)},
                                    {"timeout", tally.stopped_by(StopReason::kTimeout)},
                                    {"sample_cap", tally.stopped_by(StopReason::kSampleCap)}}},
                    {"throttled", tally.throttled},
                    {"cupti_dropped_records", session.collector().dropped()},
                    {"failures", failures}};
  if (tally.stopped_by(StopReason::kPlateau) > 0)
    std::fprintf(stderr,
                 "sgprs: %d of %d points stopped on a noise plateau: their spread stayed above %.3g but stopped "
                 "improving (stop=plateau; rel_spread is the point's own noise)\n",
                 tally.stopped_by(StopReason::kPlateau), tally.points, request.settings.rel_spread_threshold);
  if (tally.timed_out > 0)
    std::fprintf(stderr,
                 "sgprs: warning: %d of %d points hit the %.2f s time-out or the sample cap before their spread fell "
                 "under %.3g or stopped improving (kept, marked converged=false)\n",
                 tally.timed_out, tally.points, request.settings.timeout_s, request.settings.rel_spread_threshold);
  if (tally.throttled > 0)
    std::fprintf(stderr, "sgprs: warning: the GPU throttled during %d points (marked throttled=true)\n",
                 tally.throttled);
  return doc;
}

}  // namespace sgprs::profiler
