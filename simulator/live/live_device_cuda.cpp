// The CUDA side of live_device.hpp (built only where CUDA was found).
#include "common/errors.hpp"
#include "simulator/live/cuda_executor.hpp"
#include "simulator/live/device_identity.hpp"
#include "simulator/live/live_device.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace sgprs::live {

namespace {

/// The child's side of probe_device: the identity, or the kind and text of the error, as JSON.
std::string identity_reply(int device) {
  try {
    const DeviceIdentity id = read_device_identity(device);
    return Json{{"kind", "ok"},
                {"name", id.name},
                {"split", {id.split.sm_count, id.split.piece_sms, id.split.pieces, id.split.remainder_sms}},
                {"capability", {id.compute_major, id.compute_minor}}}
        .dump();
  } catch (const NoGpuError& e) {
    return Json{{"kind", "no-gpu"}, {"text", e.what()}}.dump();
  } catch (const InputError& e) {  // the driver split the GPU in a way partitions cannot use
    return Json{{"kind", "unusable"}, {"text", e.what()}}.dump();
  } catch (const std::exception& e) {
    return Json{{"kind", "gpu"}, {"text", e.what()}}.dump();
  }
}

}  // namespace

DeviceIdentity probe_device(int device) {
  int ends[2];
  if (::pipe(ends) != 0) throw std::system_error(errno, std::generic_category(), "pipe for the GPU probe");
  std::fflush(nullptr);  // else the child's exit could write this process's buffered output twice
  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    throw std::system_error(error, std::generic_category(), "fork for the GPU probe");
  }
  if (child == 0) {
    ::close(ends[0]);
    // The child answers through the pipe only: a warning it printed (CUDA_DEVICE_MAX_CONNECTIONS
    // below its own stream count, say) would be about its set-up, not the run's.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    const std::string reply = identity_reply(device);
    std::size_t written = 0;
    while (written < reply.size()) {
      const ssize_t n = ::write(ends[1], reply.data() + written, reply.size() - written);
      if (n <= 0 && errno != EINTR) break;
      if (n > 0) written += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(ends[1]);
  std::string reply;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(ends[0], buffer, sizeof buffer);
    if (n > 0) {
      reply.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string what = "reading GPU " + std::to_string(device) + "'s name and SM split (in a child process)";
  if (reply.empty() || !Json::accept(reply)) {
    const std::string how = WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                                : "ended with status " + std::to_string(WEXITSTATUS(status));
    throw GpuError(what + ": the probe " + how + " before it answered");
  }
  const Json answer = Json::parse(reply);
  const std::string kind = answer.at("kind").get<std::string>();
  if (kind == "no-gpu") throw NoGpuError(answer.at("text").get<std::string>());
  if (kind == "unusable")
    throw NoGpuError("GPU " + std::to_string(device) + " cannot be cut into partitions: " +
                     answer.at("text").get<std::string>());
  if (kind != "ok") throw GpuError(what + ": " + answer.at("text").get<std::string>());
  DeviceIdentity id;
  id.name = answer.at("name").get<std::string>();
  const auto split = answer.at("split").get<std::vector<int>>();
  id.split = GpuShape{split.at(0), split.at(1), split.at(2), split.at(3)};
  id.compute_major = answer.at("capability").at(0).get<int>();
  id.compute_minor = answer.at("capability").at(1).get<int>();
  if (!architectures_run_on(SGPRS_CUDA_ARCHITECTURES, id.compute_major, id.compute_minor))
    throw NoGpuError("this build of sgprs has CUDA code for architectures " + std::string(SGPRS_CUDA_ARCHITECTURES) +
                     " only, none of which runs on GPU " + std::to_string(device) + " ('" + id.name +
                     "', compute capability " + std::to_string(id.compute_major) + "." +
                     std::to_string(id.compute_minor) + "): build again with -DCMAKE_CUDA_ARCHITECTURES=" +
                     std::to_string(id.compute_major) + std::to_string(id.compute_minor) + " (or native)");
  return id;
}

ExecutorFactory cuda_executor_factory(const Profile& profile, const DeviceRequest& request) {
  const Precision precision = parse_precision(request.precision, profile.source() + ": field 'precision'");
  const CompletionNotice completion = parse_completion_notice(request.completion, "--completion");
  const GpuShape gpu = profile.gpu();
  const int device = request.device;
  const Ns setup_step_limit_ns = request.setup_step_limit_ns;
  const std::int64_t fault_after_launches = request.fault_after_launches;
  const std::int64_t stall_after_launches = request.stall_after_launches;
  const StampPlace stamps = request.stamps;
  const int launch_threads = request.launch_threads;
  const int polling_threads = request.polling_threads;
  const std::string kernel_trace = request.kernel_trace;
  return [=](const DeviceNeeds& needs) -> std::unique_ptr<StageExecutor> {
    const sim::PolicyPlan& plan = needs.plan;
    const sim::Workload& workload = needs.workload;
    ExecutorSetup setup;
    setup.device = device;
    setup.gpu = gpu;
    setup.layout = plan.pool();
    setup.precision = precision;
    setup.completion = completion;
    setup.epoch_steady_ns = needs.epoch_steady_ns;
    setup.queued_per_partition = needs.queued_per_partition;
    setup.setup_step_limit_ns = setup_step_limit_ns;
    setup.fault_after_launches = fault_after_launches;
    setup.stall_after_launches = stall_after_launches;
    setup.may_launch = needs.may_use;
    bool whole_models = true;
    for (std::size_t m = 0; m < workload.models.size(); ++m) {
      setup.models.push_back(ExecutorModel{workload.models[m], !plan.models()[m].whole_curve.empty()});
      whole_models = whole_models && setup.models.back().whole_model;
    }
    setup.polling_threads = polling_threads;
    setup.kernel_trace_path = kernel_trace;
    setup.launch_threads = launch_threads == kAutoLaunchThreads ? auto_launch_threads(whole_models) : launch_threads;
    setup.stamps_in_graphs = stamps == StampPlace::kGraph || (stamps == StampPlace::kAuto && whole_models);
    for (std::size_t t : workload.task_model) setup.task_models.push_back(static_cast<int>(t));
    return std::make_unique<CudaStageExecutor>(setup);
  };
}

}  // namespace sgprs::live
