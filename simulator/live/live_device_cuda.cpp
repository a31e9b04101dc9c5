// The CUDA side of live_device.hpp (built only where CUDA was found).
#include "common/errors.hpp"
#include "simulator/live/cuda_executor.hpp"
#include "simulator/live/live_device.hpp"

namespace sgprs::live {

ExecutorFactory cuda_executor_factory(const Profile& profile, const DeviceRequest& request) {
  const Precision precision = parse_precision(request.precision, profile.source() + ": field 'precision'");
  const CompletionNotice completion = parse_completion_notice(request.completion, "--completion");
  const GpuShape gpu = profile.gpu();
  const std::string profiled_device = profile.device_name();
  const int device = request.device;
  const Ns setup_step_limit_ns = request.setup_step_limit_ns;
  const std::int64_t fault_after_launches = request.fault_after_launches;
  const std::int64_t stall_after_launches = request.stall_after_launches;
  const StampPlace stamps = request.stamps;
  const int launch_threads = request.launch_threads;
  const int polling_threads = request.polling_threads;
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
    setup.launch_threads = launch_threads == kAutoLaunchThreads ? auto_launch_threads(whole_models) : launch_threads;
    setup.stamps_in_graphs = stamps == StampPlace::kGraph || (stamps == StampPlace::kAuto && whole_models);
    for (std::size_t t : workload.task_model) setup.task_models.push_back(static_cast<int>(t));
    auto executor = std::make_unique<CudaStageExecutor>(setup);
    const std::string& name = executor->setup_report().device_name;
    if (!profiled_device.empty() && name.find(profiled_device) == std::string::npos &&
        profiled_device.find(name) == std::string::npos)
      throw InputError(profile.source(), "device",
                       "was measured on '" + profiled_device + "' but this GPU is '" + name +
                           "': profile this GPU first (sgprs profile)");
    return executor;
  };
}

}  // namespace sgprs::live
