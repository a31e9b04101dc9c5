#include "profiler/ops/cudnn_backend_conv.hpp"

#include "profiler/cuda_check.hpp"
#include "profiler/ops/kernels.hpp"
#include "profiler/ops/library_notes.hpp"
#include "profiler/ops/stream_handles.hpp"

#include <array>
#include <compare>
#include <vector>

namespace sgprs::profiler::ops {

namespace {

constexpr std::int64_t kUidX = 1, kUidW = 2, kUidY = 3;
// Engines timed per (geometry, SM count) when autotuning: the heuristic's first few that can run.
constexpr std::size_t kTuneCandidates = 6;
// An alternative replaces the heuristic's first engine only when it is this much faster, so that
// launch-bound timings (tiny convolutions, all engines alike) keep the heuristic's choice.
constexpr double kTuneMinGain = 0.03;

void set(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type,
         std::int64_t count, const void* values) {
  SGPRS_CUDA_CALL(cudnnBackendSetAttribute(d, name, type, count, values));
}

cudnnBackendDescriptor_t create(cudnnBackendDescriptorType_t type) {
  cudnnBackendDescriptor_t d = nullptr;
  SGPRS_CUDA_CALL(cudnnBackendCreateDescriptor(type, &d));
  return d;
}

// Descriptors that must outlive the plan built from them.
struct Keep {
  std::vector<cudnnBackendDescriptor_t> all;
  cudnnBackendDescriptor_t add(cudnnBackendDescriptor_t d) {
    all.push_back(d);
    return d;
  }
  ~Keep() {
    for (auto it = all.rbegin(); it != all.rend(); ++it) cudnnBackendDestroyDescriptor(*it);
  }
};

cudnnBackendDescriptor_t make_tensor(std::int64_t uid, DType dtype, std::array<std::int64_t, 4> dims) {
  const std::array<std::int64_t, 4> strides{dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
  const cudnnDataType_t type = dtype == DType::kFp16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  const std::int64_t alignment = 16;  // cudaMalloc gives 256-byte alignment
  cudnnBackendDescriptor_t t = create(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  set(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type);
  set(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dims.data());
  set(t, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, strides.data());
  set(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid);
  set(t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment);
  SGPRS_CUDA_CALL(cudnnBackendFinalize(t));
  return t;
}

// The handle attributes are deprecated in recent cuDNN 9 releases but still accepted, and
// required by older ones.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
constexpr cudnnBackendAttributeName_t kGraphHandle = CUDNN_ATTR_OPERATIONGRAPH_HANDLE;
constexpr cudnnBackendAttributeName_t kPlanHandle = CUDNN_ATTR_EXECUTION_PLAN_HANDLE;
#pragma GCC diagnostic pop

bool compiles_at_run_time(cudnnBackendDescriptor_t engine) {
  std::array<cudnnBackendBehaviorNote_t, CUDNN_BEHAVIOR_NOTE_TYPE_COUNT> notes{};
  std::int64_t count = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE,
                               static_cast<std::int64_t>(notes.size()), &count, notes.data()) != CUDNN_STATUS_SUCCESS)
    return false;
  for (std::int64_t i = 0; i < count; ++i)
    if (notes[static_cast<std::size_t>(i)] == CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION) return true;
  return false;
}

bool acceptable_engine(cudnnBackendDescriptor_t engine, Precision precision) {
  std::array<cudnnBackendNumericalNote_t, CUDNN_NUMERICAL_NOTE_TYPE_COUNT> notes{};
  std::int64_t count = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                               static_cast<std::int64_t>(notes.size()), &count, notes.data()) != CUDNN_STATUS_SUCCESS)
    return false;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto note = notes[static_cast<std::size_t>(i)];
    const ConvPolicy& policy = conv_policy();
    if (policy.deterministic && note == CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC) return false;
    if (precision == Precision::kFp32 &&
        (note == CUDNN_NUMERICAL_NOTE_TENSOR_CORE || note == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS ||
         note == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION))
      return false;
    // tf32 as PyTorch filters cuDNN's engines for an fp32 convolution with TF32 allowed: tensor
    // cores yes, inputs down-converted below TF32 (to fp16) no.
    if (precision == Precision::kTf32 && note == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS) return false;
  }
  return true;
}

// The heuristic's engine rebuilt with an SM-count target and the heuristic's knob choices.
// Returns nullptr when this engine does not accept the target (then its own config is used).
cudnnBackendDescriptor_t targeted_config(cudnnBackendDescriptor_t graph, cudnnBackendDescriptor_t engine,
                                         cudnnBackendDescriptor_t config, std::int32_t sm_count, Keep& keep) {
  std::int64_t index = 0, n = 0;
  if (cudnnBackendGetAttribute(engine, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, &index) !=
      CUDNN_STATUS_SUCCESS)
    return nullptr;
  cudnnBackendDescriptor_t target = keep.add(create(CUDNN_BACKEND_ENGINE_DESCRIPTOR));
  if (cudnnBackendSetAttribute(target, CUDNN_ATTR_ENGINE_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &graph) ||
      cudnnBackendSetAttribute(target, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &index) ||
      cudnnBackendSetAttribute(target, CUDNN_ATTR_ENGINE_SM_COUNT_TARGET, CUDNN_TYPE_INT32, 1, &sm_count) ||
      cudnnBackendFinalize(target))
    return nullptr;
  std::int64_t knob_count = 0;
  if (cudnnBackendGetAttribute(config, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &knob_count,
                               nullptr) != CUDNN_STATUS_SUCCESS)
    return nullptr;
  std::vector<cudnnBackendDescriptor_t> knobs;
  for (std::int64_t i = 0; i < knob_count; ++i) knobs.push_back(keep.add(create(CUDNN_BACKEND_KNOB_CHOICE_DESCRIPTOR)));
  if (knob_count > 0 && cudnnBackendGetAttribute(config, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES,
                                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, knob_count, &n, knobs.data()))
    return nullptr;
  cudnnBackendDescriptor_t result = keep.add(create(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
  if (cudnnBackendSetAttribute(result, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &target) ||
      (knob_count > 0 && cudnnBackendSetAttribute(result, CUDNN_ATTR_ENGINECFG_KNOB_CHOICES,
                                                  CUDNN_TYPE_BACKEND_DESCRIPTOR, knob_count, knobs.data())) ||
      cudnnBackendFinalize(result))
    return nullptr;
  return result;
}

}  // namespace

// The operation graph of one convolution geometry and its execution plans, one per SM count.
// Plans do not hold tensor addresses (those are in each layer's variant pack), so every layer
// of this geometry shares them. Thread-safe.
class ConvPlans {
 public:
  ConvPlans(const ConvGeometry& g, Precision precision, std::size_t workspace_limit);
  ~ConvPlans();
  ConvPlans(const ConvPlans&) = delete;
  ConvPlans& operator=(const ConvPlans&) = delete;

  /// The plan for `sm_count`, or nullptr (then `problem` says why). Builds it on first use.
  cudnnBackendDescriptor_t plan(int sm_count, bool* targeted = nullptr, std::string* problem = nullptr);
  std::string last_problem() {
    std::lock_guard lock(mutex_);
    return last_problem_;
  }
  /// The plan to run for `sm_count` (built by plan() before), tuned first if it has not been:
  /// times it against its alternatives on the handle's stream with the tensors of `pack`, keeps
  /// the fastest and drops the rest. Once per (geometry, SM count); no timing while the stream
  /// is being captured (the heuristic's choice stands until an eager run comes).
  cudnnBackendDescriptor_t tuned_plan(int sm_count, cudnnHandle_t handle, cudnnBackendDescriptor_t pack);

 private:
  struct Plan {
    Keep keep;
    cudnnBackendDescriptor_t plan = nullptr;
    bool sm_targeted = false;
    // Further engines that can run, in heuristic order, until tuned_plan() has timed them.
    std::vector<cudnnBackendDescriptor_t> alternatives;
    // Plans tuned_plan() replaced; kept while this plan lives, since a graph may have captured them.
    std::vector<cudnnBackendDescriptor_t> retired;
    ~Plan() {
      if (plan) cudnnBackendDestroyDescriptor(plan);
      for (cudnnBackendDescriptor_t a : alternatives)
        if (a) cudnnBackendDestroyDescriptor(a);
      for (cudnnBackendDescriptor_t r : retired) cudnnBackendDestroyDescriptor(r);
    }
  };
  const Plan& plan_for(int sm);  // caller holds mutex_ (or is the constructor); throws GpuError
  void release();

  Precision precision_;
  std::size_t workspace_limit_;
  cudnnBackendDescriptor_t x_ = nullptr, w_ = nullptr, y_ = nullptr, conv_ = nullptr, op_ = nullptr, graph_ = nullptr;
  std::mutex mutex_;
  std::map<int, std::unique_ptr<Plan>> plans_;
  std::map<int, std::string> failed_;  // SM counts without a plan, and why
  std::string last_problem_;
};

ConvPlans::ConvPlans(const ConvGeometry& g, Precision precision, std::size_t workspace_limit)
    : precision_(precision), workspace_limit_(workspace_limit) {
  const DType dtype = storage_dtype(precision);
  try {
    x_ = make_tensor(kUidX, dtype, {g.n, g.c, g.h, g.w});
    w_ = make_tensor(kUidW, dtype, {g.k, g.c / g.groups, g.r, g.s});
    y_ = make_tensor(kUidY, dtype, {g.n, g.k, g.oh, g.ow});

    conv_ = create(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
    const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
    const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    const std::int64_t dims = 2;
    const std::array<std::int64_t, 2> dilation{1, 1}, stride{g.stride_h, g.stride_w}, pad{g.pad_h, g.pad_w};
    set(conv_, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute);
    set(conv_, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode);
    set(conv_, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &dims);
    set(conv_, CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, 2, dilation.data());
    set(conv_, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, 2, stride.data());
    set(conv_, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 2, pad.data());
    set(conv_, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, 2, pad.data());
    SGPRS_CUDA_CALL(cudnnBackendFinalize(conv_));

    op_ = create(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    const float alpha = 1.0f, beta = 0.0f;
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x_);
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &w_);
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y_);
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &conv_);
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha);
    set(op_, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta);
    SGPRS_CUDA_CALL(cudnnBackendFinalize(op_));

    graph_ = create(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    cudnnHandle_t handle = setup_cudnn_handle();
    set(graph_, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &op_);
    set(graph_, kGraphHandle, CUDNN_TYPE_HANDLE, 1, &handle);
    SGPRS_CUDA_CALL(cudnnBackendFinalize(graph_));

    plan_for(0);  // proves the backend can run this convolution at all
  } catch (...) {
    release();  // the destructor does not run after a throwing constructor
    throw;
  }
}

ConvPlans::~ConvPlans() { release(); }

void ConvPlans::release() {
  plans_.clear();
  for (cudnnBackendDescriptor_t* d : {&graph_, &op_, &conv_, &y_, &w_, &x_})
    if (*d) {
      cudnnBackendDestroyDescriptor(*d);
      *d = nullptr;
    }
}

namespace {

// Why engines were passed over, for the error message when none is left.
struct Rejections {
  int notes = 0, build = 0, workspace = 0;
  std::string text() const {
    return std::to_string(notes) + " excluded by numerical notes, " + std::to_string(build) + " failed to build, " +
           std::to_string(workspace) + " over the workspace limit";
  }
};

// The heuristic's engine configurations for `graph`, best first, ranked for `sm` SMs (0: the
// whole GPU).
std::vector<cudnnBackendDescriptor_t> ranked_configs(cudnnBackendDescriptor_t graph, int sm, Keep& keep) {
  cudnnBackendDescriptor_t heur = keep.add(create(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR));
  const cudnnBackendHeurMode_t heur_mode = conv_policy().heuristic_b ? CUDNN_HEUR_MODE_B : CUDNN_HEUR_MODE_A;
  set(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &graph);
  set(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &heur_mode);
  if (sm > 0) {
    const std::int32_t target = sm;
    set(heur, CUDNN_ATTR_ENGINEHEUR_SM_COUNT_TARGET, CUDNN_TYPE_INT32, 1, &target);
  }
  SGPRS_CUDA_CALL(cudnnBackendFinalize(heur));
  std::int64_t count = 0;
  SGPRS_CUDA_CALL(
      cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, nullptr));
  std::vector<cudnnBackendDescriptor_t> configs;
  for (std::int64_t i = 0; i < count; ++i) configs.push_back(keep.add(create(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR)));
  if (count > 0)
    SGPRS_CUDA_CALL(cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, count,
                                             &count, configs.data()));
  configs.resize(static_cast<std::size_t>(count));
  return configs;
}

}  // namespace

const ConvPlans::Plan& ConvPlans::plan_for(int sm) {
  auto it = plans_.find(sm);
  if (it != plans_.end()) return *it->second;

  auto result = std::make_unique<Plan>();
  Keep& keep = result->keep;
  cudnnHandle_t handle = setup_cudnn_handle();
  Rejections rejected;
  // A finalized plan for `config`, or nullptr.
  auto build = [&](cudnnBackendDescriptor_t config) -> cudnnBackendDescriptor_t {
    cudnnBackendDescriptor_t plan = create(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    std::int64_t workspace = 0, n = 0;
    const bool built =
        cudnnBackendSetAttribute(plan, kPlanHandle, CUDNN_TYPE_HANDLE, 1, &handle) == CUDNN_STATUS_SUCCESS &&
        cudnnBackendSetAttribute(plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
                                 &config) == CUDNN_STATUS_SUCCESS &&
        cudnnBackendFinalize(plan) == CUDNN_STATUS_SUCCESS &&
        cudnnBackendGetAttribute(plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &n,
                                 &workspace) == CUDNN_STATUS_SUCCESS;
    if (built && workspace >= 0 && static_cast<std::size_t>(workspace) <= workspace_limit_) return plan;
    ++(built ? rejected.workspace : rejected.build);
    cudnnBackendDestroyDescriptor(plan);
    return nullptr;
  };

  // Engines ranked for the partition first; if none of those can run (seen for strict-FP32
  // convolutions), the whole-GPU ranking. Either way each engine is first tried with the
  // SM-count target, then without it (engines that refuse the target).
  // Engines compiled at run time (NVRTC, up to seconds per plan) only when nothing else fits:
  // a profile builds one plan per SM count.
  // With autotuning, a few more engines that can run are kept for tuned_plan() to time; the whole-GPU
  // plan (sm 0) is never timed, so it keeps only the first.
  // Run-time compiled engines are never collected as alternatives (each can take seconds).
  const std::size_t wanted = conv_policy().autotune && sm > 0 ? kTuneCandidates : 1;
  const auto wants_more = [&](bool compiling) { return !compiling && 1 + result->alternatives.size() < wanted; };
  std::vector<int> rankings{sm};
  if (sm > 0) rankings.push_back(0);
  std::size_t tried = 0;
  const std::vector<bool> passes =
      conv_policy().runtime_compiled_first ? std::vector<bool>{true} : std::vector<bool>{false, true};
  std::string ranking_problem;
  for (bool allow_runtime_compiled : passes)
  for (int ranking : rankings) {
    if (result->plan && (ranking != sm || allow_runtime_compiled)) break;  // alternatives come from the first ranking
    std::vector<cudnnBackendDescriptor_t> configs;
    try {
      configs = ranked_configs(graph_, ranking, keep);
    } catch (const GpuError& e) {  // e.g. a heuristic that refuses the SM-count target: try the next ranking
      if (ranking_problem.empty()) ranking_problem = e.what();
      continue;
    }
    for (cudnnBackendDescriptor_t config : configs) {
      if (allow_runtime_compiled == passes.front()) ++tried;  // each configuration counted once over the passes
      cudnnBackendDescriptor_t engine = keep.add(create(CUDNN_BACKEND_ENGINE_DESCRIPTOR));
      std::int64_t n = 0;
      if (cudnnBackendGetAttribute(config, CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n,
                                   &engine) != CUDNN_STATUS_SUCCESS ||
          !acceptable_engine(engine, precision_)) {
        if (allow_runtime_compiled == passes.front()) ++rejected.notes;
        continue;
      }
      if (!allow_runtime_compiled && compiles_at_run_time(engine)) continue;
      if (allow_runtime_compiled && passes.size() > 1 && !compiles_at_run_time(engine)) continue;
      if (sm > 0 && conv_policy().engine_target && !result->plan) {
        if (cudnnBackendDescriptor_t targeted = targeted_config(graph_, engine, config, sm, keep)) {
          if ((result->plan = build(targeted))) {
            result->sm_targeted = true;
            if (!wants_more(allow_runtime_compiled)) return *plans_.emplace(sm, std::move(result)).first->second;
            continue;
          }
        }
      }
      if (cudnnBackendDescriptor_t built = build(config)) {
        (result->plan ? result->alternatives.push_back(built) : void(result->plan = built));
        if (!wants_more(allow_runtime_compiled)) return *plans_.emplace(sm, std::move(result)).first->second;
      }
    }
  }
  if (result->plan) return *plans_.emplace(sm, std::move(result)).first->second;
  throw GpuError("cuDNN backend: none of " + std::to_string(tried) + " engine configurations can run this " +
                     "convolution" + (sm > 0 ? " for " + std::to_string(sm) + " SMs" : std::string()) + " (" +
                     rejected.text() + ")" + (ranking_problem.empty() ? "" : "; heuristic query: " + ranking_problem));
}

cudnnBackendDescriptor_t ConvPlans::tuned_plan(int sm_count, cudnnHandle_t handle, cudnnBackendDescriptor_t pack) {
  const int sm = sm_count > 0 ? sm_count : 0;
  std::lock_guard lock(mutex_);
  auto it = plans_.find(sm);
  if (it == plans_.end()) return nullptr;
  Plan& p = *it->second;
  if (p.alternatives.empty()) return p.plan;
  cudaStream_t stream = nullptr;
  SGPRS_CUDA_CALL(cudnnGetStream(handle, &stream));
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  SGPRS_CUDA_CALL(cudaStreamIsCapturing(stream, &capture));
  if (capture != cudaStreamCaptureStatusNone) return p.plan;

  struct Events {
    cudaEvent_t start = nullptr, stop = nullptr;
    ~Events() {
      if (start) cudaEventDestroy(start);
      if (stop) cudaEventDestroy(stop);
    }
  } events;
  SGPRS_CUDA_CALL(cudaEventCreate(&events.start));
  SGPRS_CUDA_CALL(cudaEventCreate(&events.stop));
  // One run; false (and the launch error cleared, so that it is not blamed on a later kernel)
  // when the plan cannot run.
  const auto execute = [&](cudnnBackendDescriptor_t plan) {
    if (cudnnBackendExecute(handle, plan, pack) == CUDNN_STATUS_SUCCESS) return true;
    cudaGetLastError();
    return false;
  };
  // Mean GPU time of a few back-to-back runs; negative when the plan cannot run. The spin keeps
  // the stream busy while the host enqueues the runs, so host launch costs (comparable to a small
  // convolution's kernels) stay out of the interval, as they stay out of a graph replay.
  const auto time_plan = [&](cudnnBackendDescriptor_t plan) -> float {
    constexpr int kRuns = 3;
    constexpr std::int64_t kSpinNs = 150'000;
    spin(kSpinNs, stream);
    SGPRS_CUDA_CALL(cudaEventRecord(events.start, stream));
    bool ran = true;
    for (int r = 0; r < kRuns && ran; ++r) ran = execute(plan);
    SGPRS_CUDA_CALL(cudaEventRecord(events.stop, stream));
    SGPRS_CUDA_CALL(cudaEventSynchronize(events.stop));
    if (!ran) return -1.0f;
    float ms = 0.0f;
    SGPRS_CUDA_CALL(cudaEventElapsedTime(&ms, events.start, events.stop));
    return ms / kRuns;
  };
  // Candidate 0 is the heuristic's first. Every candidate runs once untimed (kernel loading),
  // then the candidates are timed in turn for a few rounds, keeping each one's best: taking
  // turns spreads clock ramp-up and noise over all of them instead of favouring the later ones.
  std::vector<cudnnBackendDescriptor_t> candidates{p.plan};
  candidates.insert(candidates.end(), p.alternatives.begin(), p.alternatives.end());
  std::vector<float> best(candidates.size(), -1.0f);  // negative: cannot run
  std::vector<bool> runs(candidates.size(), false);
  for (std::size_t i = 0; i < candidates.size(); ++i) runs[i] = execute(candidates[i]);
  SGPRS_CUDA_CALL(cudaStreamSynchronize(stream));
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round)
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!runs[i]) continue;
      const float t = time_plan(candidates[i]);
      if (t < 0.0f) runs[i] = false;
      else if (best[i] < 0.0f || t < best[i]) best[i] = t;
    }
  // The heuristic's first stays unless another is clearly faster, or it cannot run at all.
  std::size_t winner = 0;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    if (!runs[i]) continue;
    const bool beats_first = !runs[0] || best[i] < best[0] * (1.0f - static_cast<float>(kTuneMinGain));
    if (beats_first && (winner == 0 || best[i] < best[winner])) winner = i;
  }
  auto& counts = conv_path_counts();
  ++counts.tuned_plans;
  if (winner != 0) {
    // A graph captured before this eager run may still hold the old plan's kernels' launch
    // parameters set up by cuDNN: keep that plan alive with this one.
    p.retired.push_back(p.plan);
    p.plan = candidates[winner];
    p.alternatives[winner - 1] = nullptr;
    p.sm_targeted = false;  // alternatives are the ranked configurations as they are
    ++counts.tuned_changed;
  }
  for (cudnnBackendDescriptor_t a : p.alternatives)
    if (a) cudnnBackendDestroyDescriptor(a);
  p.alternatives.clear();
  return p.plan;
}

cudnnBackendDescriptor_t ConvPlans::plan(int sm_count, bool* targeted, std::string* problem) {
  const int sm = sm_count > 0 ? sm_count : 0;
  std::lock_guard lock(mutex_);
  if (auto it = failed_.find(sm); it != failed_.end()) {
    if (problem) *problem = it->second;
    return nullptr;
  }
  try {
    const Plan& p = plan_for(sm);
    if (targeted) *targeted = p.sm_targeted;
    return p.plan;
  } catch (const GpuError& e) {
    failed_.emplace(sm, e.what());  // not retried: building plans is slow
    last_problem_ = e.what();
    if (problem) *problem = e.what();
    return nullptr;
  }
}

namespace {

struct GeometryKey {
  std::array<std::int64_t, 15> values;
  auto operator<=>(const GeometryKey&) const = default;
};

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Plans of every geometry built so far, kept for the process's life (like the stream handles).
std::map<GeometryKey, std::shared_ptr<ConvPlans>>& registry() {
  static auto* map = new std::map<GeometryKey, std::shared_ptr<ConvPlans>>();
  return *map;
}

std::map<GeometryKey, std::string>& failed_geometries() {
  static auto* map = new std::map<GeometryKey, std::string>();
  return *map;
}

}  // namespace

BackendConv::BackendConv(const ConvGeometry& g, Precision precision, std::size_t workspace_limit) {
  const GeometryKey key{{g.n, g.c, g.h, g.w, g.k, g.r, g.s, g.groups, g.oh, g.ow, g.stride_h, g.stride_w, g.pad_h,
                         g.pad_w, static_cast<std::int64_t>(precision)}};
  std::lock_guard lock(registry_mutex());
  if (auto it = registry().find(key); it != registry().end()) {
    plans_ = it->second;
    return;
  }
  if (auto it = failed_geometries().find(key); it != failed_geometries().end()) throw GpuError(it->second);
  try {
    plans_ = std::make_shared<ConvPlans>(g, precision, workspace_limit);
  } catch (const GpuError& e) {
    failed_geometries().emplace(key, e.what());
    throw;
  }
  registry().emplace(key, plans_);
}

BackendConv::~BackendConv() {
  for (auto& [workspace, pack] : packs_) cudnnBackendDestroyDescriptor(pack);
}

bool BackendConv::has_plan(int sm_count) { return plans_->plan(sm_count) != nullptr; }

bool BackendConv::sm_targeted(int sm_count) {
  bool targeted = false;
  return plans_->plan(sm_count, &targeted) != nullptr && targeted;
}

std::string BackendConv::last_problem() { return plans_->last_problem(); }

void BackendConv::execute(cudnnHandle_t handle, int sm_count, const void* x, const void* w, void* y, void* workspace) {
  cudnnBackendDescriptor_t plan = plans_->plan(sm_count);
  if (plan == nullptr) throw GpuError("cuDNN backend: no plan for " + std::to_string(sm_count) + " SMs");
  cudnnBackendDescriptor_t pack = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = packs_.find(workspace);
    if (it == packs_.end()) {
      // The tensors' addresses are fixed for the layer's life; only the workspace varies (per stream).
      pack = create(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
      const std::array<std::int64_t, 3> uids{kUidX, kUidW, kUidY};
      const std::array<void*, 3> pointers{const_cast<void*>(x), const_cast<void*>(w), y};
      set(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 3, uids.data());
      set(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 3, pointers.data());
      set(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace);
      SGPRS_CUDA_CALL(cudnnBackendFinalize(pack));
      it = packs_.emplace(workspace, pack).first;
    }
    pack = it->second;
  }
  if (conv_policy().autotune && sm_count > 0) plan = plans_->tuned_plan(sm_count, handle, pack);
  SGPRS_CUDA_CALL(cudnnBackendExecute(handle, plan, pack));
}

}  // namespace sgprs::profiler::ops
