#pragma once
// Checking the live executor's GPU calls: a failure is an sgprs::GpuError (exit 5) whose text
// names the call, CUDA's error and what the call was for (the unit, or the set-up step).
//
//   SGPRS_LIVE_CALL(cudaGraphLaunch(exec, stream), describe(unit));
#include "common/errors.hpp"

#include <cuda_runtime_api.h>

#include "common/time.hpp"

#include <functional>
#include <memory>
#include <string>

namespace sgprs::live::detail {

[[noreturn]] void throw_gpu_error(cudaError_t status, const char* call, const std::string& what);

}  // namespace sgprs::live::detail

// `what` is evaluated only when the call failed, so building it costs nothing on success.
#define SGPRS_LIVE_CALL(call, what)                                                      \
  do {                                                                                   \
    const cudaError_t sgprs_live_status_ = (call);                                       \
    if (sgprs_live_status_ != cudaSuccess)                                               \
      ::sgprs::live::detail::throw_gpu_error(sgprs_live_status_, #call, (what));         \
  } while (false)

namespace sgprs::live {

/// Runs `body`; a GPU failure inside the profiler's code (GpuError, an InputError
/// there, or the op library's errors) becomes a GpuError prefixed with `what`. Genuine bad
/// input (a model layer the op library does not know) stays an InputError.
void as_gpu_step(const std::string& what, const std::function<void()>& body);

/// While one exists, a watchdog thread ends the process when a single as_gpu_step has run longer
/// than `limit_ns`: one line "sgprs: GPU error: <step> has not finished after N s", the
/// registered temporary outputs removed (common/temp_files.hpp), exit status 5. Why: a kernel that
/// never ends blocks a synchronising CUDA call forever, and nothing can interrupt that call.
/// limit_ns <= 0: no watchdog.
class StepWatchdog {
 public:
  explicit StepWatchdog(Ns limit_ns);
  ~StepWatchdog();
  StepWatchdog(const StepWatchdog&) = delete;
  StepWatchdog& operator=(const StepWatchdog&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sgprs::live
