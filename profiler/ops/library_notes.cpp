#include "profiler/ops/library_notes.hpp"

#include "profiler/ops/model_instance.hpp"

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstdlib>
#include <string_view>

namespace sgprs::profiler {

namespace ops {

void ConvPathCounts::note_problem(const std::string& text) {
  std::lock_guard lock(mutex);
  if (first_problem.empty()) first_problem = text;
}

ConvPathCounts& conv_path_counts() {
  static ConvPathCounts counts;
  return counts;
}

namespace {
bool env_is(const char* name, std::string_view value) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string_view(v) == value;
}
}  // namespace

const ConvPolicy& conv_policy() {
  static const ConvPolicy policy{env_is("SGPRS_CUDNN_API", "legacy"), env_is("SGPRS_CUDNN_DETERMINISTIC", "1"),
                                 env_is("SGPRS_CUDNN_HEUR", "b"),       env_is("SGPRS_CUDNN_RTC", "1"),
                                 env_is("SGPRS_CUDNN_TARGET", "engine"), env_is("SGPRS_CUDNN_AUTOTUNE", "1"),
                                 env_is("SGPRS_DEPTHWISE", "cudnn"),    !env_is("SGPRS_CONV1X1", "cudnn"),
                                 !env_is("SGPRS_ATTENTION", "steps")};
  return policy;
}

namespace {
// The paths new ops take: they start as the environment says, and tests flip them (ops already
// built keep theirs).
struct PathSwitches {
  std::atomic<bool> depthwise_cudnn{conv_policy().depthwise_cudnn};
  std::atomic<bool> conv1x1_gemm{conv_policy().conv1x1_gemm};
  std::atomic<bool> attention_fused{conv_policy().attention_fused};
};
PathSwitches& switches() {
  static PathSwitches s;
  return s;
}
}  // namespace

bool depthwise_through_cudnn() { return switches().depthwise_cudnn.load(); }
bool set_depthwise_through_cudnn(bool cudnn) { return switches().depthwise_cudnn.exchange(cudnn); }
bool conv1x1_through_gemm() { return switches().conv1x1_gemm.load(); }
bool set_conv1x1_through_gemm(bool gemm) { return switches().conv1x1_gemm.exchange(gemm); }
bool attention_fused() { return switches().attention_fused.load(); }
bool set_attention_fused(bool fused) { return switches().attention_fused.exchange(fused); }

std::string ConvPolicy::text() const {
  return std::string(legacy_only ? "legacy API only" : "backend API first") + ", " +
         (deterministic ? "deterministic engines only" : "any engine") +
         ", heuristic " + (heuristic_b ? "B" : "A") + (runtime_compiled_first ? ", run-time compiled in order" : "") +
         (engine_target ? ", engines rebuilt with the SM target" : ", SM count ranks engines") +
         (autotune ? ", fastest of the first engines timed on the partition" : ", heuristic's first engine") +
         (depthwise_cudnn ? ", depthwise through cuDNN (SGPRS_DEPTHWISE=cudnn)" : ", depthwise on the direct kernel") +
         (conv1x1_gemm ? ", 1x1 as cuBLASLt matmuls" : ", 1x1 through cuDNN (SGPRS_CONV1X1=cudnn)") +
         (attention_fused ? ", fp16 attention fused" : ", attention in three steps (SGPRS_ATTENTION=steps)");
}

}  // namespace ops

std::string library_notes() {
  auto& c = ops::conv_path_counts();
  const std::size_t cudnn = cudnnGetVersion();
  std::string text = "cuDNN " + std::to_string(cudnn / 10000) + "." + std::to_string(cudnn / 100 % 100) + "." +
                     std::to_string(cudnn % 100) + ": convolutions via backend API " +
                     std::to_string(c.backend_convs.load()) + ", legacy API " + std::to_string(c.legacy_convs.load()) +
                     ", direct depthwise kernel " + std::to_string(c.direct_depthwise.load()) +
                     ", 1x1 as matmuls " + std::to_string(c.gemm_conv1x1.load()) + ", fused attention " +
                     std::to_string(c.fused_attention.load()) + " (policy: " + ops::conv_policy().text() + "); per-SM-count plans: engine took the target " +
                     std::to_string(c.targeted_plans.load()) + ", ranked for the SM count " +
                     std::to_string(c.ranked_only_plans.load()) + ", legacy fallbacks " +
                     std::to_string(c.legacy_fallbacks.load()) + ", timed against alternatives " +
                     std::to_string(c.tuned_plans.load()) + " (another engine won " +
                     std::to_string(c.tuned_changed.load()) + ")";
  std::lock_guard lock(c.mutex);
  if (!c.first_problem.empty()) text += "; first backend problem: " + c.first_problem;
  return text;
}

}  // namespace sgprs::profiler
