#include "simulator/live/gpu_call.hpp"

#include "profiler/cuda_check.hpp"
#include "profiler/cuda_owners.hpp"

#include "common/temp_files.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

namespace sgprs::live {

namespace detail {
void throw_gpu_error(cudaError_t status, const char* call, const std::string& what) {
  profiler::silence_destroy_failures();  // the teardown that follows fails with the same error
  throw GpuError("CUDA error " + std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) +
                 ") in '" + call + "' " + what);
}
}  // namespace detail

namespace {
// The step in progress, for StepWatchdog (one process-wide set-up at a time).
std::mutex g_step_mutex;
std::string g_step;
std::chrono::steady_clock::time_point g_step_started;

class StepMark {
 public:
  explicit StepMark(const std::string& what) {
    std::lock_guard lock(g_step_mutex);
    previous_ = std::move(g_step);
    previous_started_ = g_step_started;
    g_step = what;
    g_step_started = std::chrono::steady_clock::now();
  }
  ~StepMark() {
    std::lock_guard lock(g_step_mutex);
    g_step = std::move(previous_);
    g_step_started = previous_started_;
  }
  StepMark(const StepMark&) = delete;
  StepMark& operator=(const StepMark&) = delete;

 private:
  std::string previous_;
  std::chrono::steady_clock::time_point previous_started_;
};
}  // namespace

struct StepWatchdog::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::thread thread;
};

StepWatchdog::StepWatchdog(Ns limit_ns) {
  if (limit_ns <= 0) return;
  state_ = std::make_unique<State>();
  state_->thread = std::thread([s = state_.get(), limit_ns] {
    std::unique_lock lock(s->mutex);
    while (!s->wake.wait_for(lock, std::chrono::milliseconds(50), [s] { return s->stop; })) {
      std::lock_guard step_lock(g_step_mutex);
      if (g_step.empty()) continue;
      const auto ran = std::chrono::steady_clock::now() - g_step_started;
      if (std::chrono::duration_cast<std::chrono::nanoseconds>(ran).count() < limit_ns) continue;
      std::fprintf(stderr, "sgprs: GPU error: %s has not finished after %.1f s (a kernel or library call "
                   "that never returns); stopped\n", g_step.c_str(),
                   std::chrono::duration<double>(ran).count());
      std::fflush(stderr);
      remove_temp_files_now();
      std::_Exit(kExitGpuFault);
    }
  });
}

StepWatchdog::~StepWatchdog() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_one();
  state_->thread.join();
}

void as_gpu_step(const std::string& what, const std::function<void()>& body) {
  const StepMark mark(what);
  try {
    body();
  } catch (const InputError&) {
    throw;
  } catch (const NoGpuError&) {
    throw;
  } catch (const GpuError& e) {  // the profiler's GPU-call check: name the step as well
    throw GpuError(what + ": " + e.what());
  } catch (const std::exception& e) {
    throw GpuError(what + ": " + e.what());
  }
}

}  // namespace sgprs::live
