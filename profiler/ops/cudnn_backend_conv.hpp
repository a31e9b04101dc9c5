#pragma once
// A forward convolution through cuDNN's backend (graph) API, the only cuDNN interface that takes
// an SM count (inside a green context the device still reports all SMs): the engine
// heuristics rank engines for the partition's SM count (CUDNN_ATTR_ENGINEHEUR_SM_COUNT_TARGET).
// One execution plan per (geometry, SM count), built on first use and shared by every layer of
// that geometry and precision. Strict fp32 excludes tensor-core (TF32), down-converting and
// reduced-precision-reduction engines; tf32 excludes only the down-converting ones (dtype.hpp);
// the rest of the choice is conv_policy()
// (library_notes.hpp); run-time compiled engines come last.
#include "profiler/ops/dtype.hpp"

#include <cudnn.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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

class ConvPlans;  // operation graph and plans of one geometry, shared (cudnn_backend_conv.cpp)

/// One convolution layer's use of the shared plans: identical geometries (repeated blocks, the
/// profiler's foreground and background instances) build each (geometry, SM count) plan once.
class BackendConv {
 public:
  /// Finds or builds the plans of this geometry and a plan for the whole GPU (sm 0); throws
  /// GpuError when the backend cannot run it within `workspace_limit` bytes.
  BackendConv(const ConvGeometry& g, Precision precision, std::size_t workspace_limit);
  ~BackendConv();
  BackendConv(const BackendConv&) = delete;
  BackendConv& operator=(const BackendConv&) = delete;

  /// Whether a plan exists for `sm_count`, building it now if needed (host work only).
  bool has_plan(int sm_count);
  /// Whether that plan's engine accepted the SM-count target (else it runs without one).
  bool sm_targeted(int sm_count);
  /// Why has_plan() returned false for some SM count.
  std::string last_problem();
  /// Enqueues y = conv(x, w) on the handle's stream. Call has_plan(sm_count) first.
  void execute(cudnnHandle_t handle, int sm_count, const void* x, const void* w, void* y, void* workspace);

 private:
  std::shared_ptr<ConvPlans> plans_;
  std::mutex mutex_;
  std::map<void*, cudnnBackendDescriptor_t> packs_;  // variant packs by workspace (one per stream)
};

}  // namespace sgprs::profiler::ops
