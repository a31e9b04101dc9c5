#include "common/errors.hpp"
#include "simulator/policy/workload.hpp"

#include <filesystem>

namespace sgprs::sim {

void check_stages_profiled(const Profile& profile, const ModelProfile& model_profile, const Model& model,
                           const std::string& needed_by) {
  const auto model_index = static_cast<std::size_t>(&model_profile - profile.models().data());
  for (const Stage& stage : model.stages())
    if (!model_profile.find_stage(stage.name))
      throw InputError(profile.source(), "models[" + std::to_string(model_index) + "].stages",
                       "model '" + model.name() + "' has no stage '" + stage.name + "' (needed by " + needed_by + ")");
}

Workload make_workload(const TaskSet& set, const Profile& profile, const std::string& models_dir, std::uint64_t seed) {
  Workload work;
  work.taskset_name = set.name;
  work.taskset_source = set.source;
  work.seed = seed;
  work.tasks = set.expand(seed);
  for (std::size_t spec_index = 0; spec_index < set.specs.size(); ++spec_index) {
    const TaskSpec& spec = set.specs[spec_index];
    bool known = false;
    for (const Model& m : work.models) known = known || m.name() == spec.model;
    if (known) continue;
    const std::string path = (std::filesystem::path(models_dir) / (spec.model + ".json")).string();
    if (!std::filesystem::exists(path))
      throw InputError(set.source, "tasks[" + std::to_string(spec_index) + "].model",
                       "model '" + spec.model + "' has no file " + path);
    Model model = Model::load(path);
    if (model.name() != spec.model)
      throw InputError(path, "name", "is '" + model.name() + "' but the task set asks for '" + spec.model + "'");
    check_stages_profiled(profile, profile.model(model.name()), model, path);
    work.models.push_back(std::move(model));
  }
  for (const Task& task : work.tasks) {
    std::size_t index = 0;
    while (work.models[index].name() != task.model) ++index;
    work.task_model.push_back(index);
  }
  return work;
}

void check_gpu_times_profile(const Profile& executed, const Profile& profile, const Workload& workload,
                             const std::string& flag) {
  const auto differs = [&](const char* field, const std::string& its, const std::string& runs) {
    throw InputError(executed.source(), field, "is '" + its + "' where the run's profile " + profile.source() + " has '" +
                                                   runs + "': " + flag + " must measure the same GPU at the same precision");
  };
  if (executed.measured_on() != profile.measured_on()) differs("device.name", executed.measured_on(), profile.measured_on());
  if (executed.gpu().sm_count != profile.gpu().sm_count)
    differs("device.sm_count", std::to_string(executed.gpu().sm_count), std::to_string(profile.gpu().sm_count));
  if (executed.precision() != profile.precision()) differs("precision", executed.precision(), profile.precision());
  for (const Model& model : workload.models) {
    const ModelProfile* measured = executed.find_model(model.name());
    if (measured == nullptr) throw InputError(executed.source(), "models", "has no model '" + model.name() + "', which the run uses");
    check_stages_profiled(executed, *measured, model, "the run");
  }
}

}  // namespace sgprs::sim
