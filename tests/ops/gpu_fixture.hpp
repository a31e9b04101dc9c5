#pragma once
// Shared pieces of the GPU op tests: skipping without a GPU, building a small model from JSON,
// and comparing with a tolerance that fits the dtype.
#include "common/model.hpp"
#include "profiler/ops/model_instance.hpp"

#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <memory>
#include <string>
#include <vector>

namespace sgprs::profiler::testing {

/// Empty when a CUDA device is usable, else why not.
std::string gpu_unavailable_reason();

#define SGPRS_REQUIRE_GPU()                                                                          \
  do {                                                                                               \
    const std::string reason = ::sgprs::profiler::testing::gpu_unavailable_reason();                 \
    if (!reason.empty()) GTEST_SKIP() << "no usable CUDA GPU (" << reason << "); GPU test skipped"; \
  } while (0)

/// A model with one stage "all" holding every layer; `layers` is a JSON array.
Model single_stage_model(const std::string& layers, const std::string& input_shape);

/// An owned non-blocking stream.
class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void sync() const;

 private:
  cudaStream_t stream_ = nullptr;
};

/// Builds the layers (the one under test named "y") with batch `batch`, fills "input" with random
/// values from [lo, hi) and "y" with NaNs (an op that leaves its output, or part of it, alone then
/// fails), runs every stage on `stream` told `sm_count` SMs and waits.
std::unique_ptr<ModelInstance> run_layers(const std::string& layers, const std::string& input_shape,
                                          Precision precision, int batch, const Stream& stream, float lo = -1.0f,
                                          float hi = 1.0f, int sm_count = 0);

/// Uniform values in [lo, hi) from a fixed seed, never exactly zero.
std::vector<float> random_values(std::size_t count, unsigned seed, float lo = -1.0f, float hi = 1.0f);
std::vector<float> poison(std::size_t count);  // NaNs: an op that leaves its output alone fails

/// |gpu - ref| <= atol + rtol |ref| everywhere (tolerances by dtype); reports the worst element.
void expect_close(const std::vector<float>& gpu, const std::vector<float>& ref, DType dtype, const std::string& what);

}  // namespace sgprs::profiler::testing
