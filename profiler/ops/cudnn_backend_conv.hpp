#pragma once
// A forward convolution through cuDNN's backend (graph) API, the only cuDNN interface that takes
// an SM-count target: the engine heuristics rank engines for the partition's SM count, and the
// chosen engine is built with that target (DESIGN.md: inside a green context the device still
// reports all SMs). One execution plan per SM count, built on first use; fp32 plans exclude
// tensor-core (TF32) and down-converting engines so fp32 stays strict FP32. Nondeterministic
// engines are excluded so that repeated runs are bit-identical.
#include "profiler/ops/dtype.hpp"

#include <cudnn.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace sgprs::profiler::ops {

struct ConvGeometry {
  std::int64_t n, c, h, w;        // input
  std::int64_t k, r, s;           // output channels, kernel height, width
  std::int64_t groups;
  std::int64_t oh, ow;            // output
  std::int64_t stride_h, stride_w, pad_h, pad_w;
};

class BackendConv {
 public:
  /// Builds the operation graph and a plan for the whole GPU (sm 0); throws GpuCallError when
  /// the backend cannot run this convolution within `workspace_limit` bytes.
  BackendConv(const ConvGeometry& g, DType dtype, std::size_t workspace_limit);
  ~BackendConv();
  BackendConv(const BackendConv&) = delete;
  BackendConv& operator=(const BackendConv&) = delete;

  /// Whether a plan exists for `sm_count`, building it now if needed (host work only).
  bool has_plan(int sm_count);
  /// Whether that plan's engine accepted the SM-count target (else only the ranking used it).
  bool sm_targeted(int sm_count);
  /// Why the last has_plan() returned false.
  std::string last_problem() {
    std::lock_guard lock(mutex_);
    return last_problem_;
  }
  /// Enqueues y = conv(x, w) on the handle's stream. Call has_plan(sm_count) first.
  void execute(cudnnHandle_t handle, int sm_count, const void* x, const void* w, void* y, void* workspace);

 private:
  struct Plan;
  const Plan& plan_for(int sm_count);  // caller holds mutex_ (or is the constructor)
  void release();

  DType dtype_;
  std::size_t workspace_limit_;
  cudnnBackendDescriptor_t x_ = nullptr, w_ = nullptr, y_ = nullptr, conv_ = nullptr, op_ = nullptr, graph_ = nullptr;
  std::mutex mutex_;
  std::map<int, std::unique_ptr<Plan>> plans_;
  std::set<int> failed_;  // SM counts without a plan
  std::string last_problem_;
};

}  // namespace sgprs::profiler::ops
