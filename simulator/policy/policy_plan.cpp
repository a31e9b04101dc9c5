#include "simulator/policy/policy_plan.hpp"

#include "common/errors.hpp"

#include <algorithm>
#include <cmath>

namespace sgprs::sim {

namespace {

// a * b / c without overflow for any int64 times (stage time x quota can pass 2^63).
Ns mul_div(Ns a, Ns b, Ns c) {
  __extension__ using Wide = __int128;
  return static_cast<Ns>(static_cast<Wide>(a) * b / c);
}

int resolve_reference(int option, const Layout& pool) {
  const int n = static_cast<int>(pool.partitions.size());
  if (option == -1) return n - 1;
  if (option == -2) {
    int best = 0;
    for (int p = 1; p < n; ++p)
      if (pool.partitions[static_cast<std::size_t>(p)].sms > pool.partitions[static_cast<std::size_t>(best)].sms) best = p;
    return best;
  }
  if (option >= n)
    throw InputError("--option", "reference_partition",
                     "partition " + std::to_string(option) + " does not exist (the pool has " + std::to_string(n) + ")");
  return option;
}

ModelPlan plan_model(const Profile& profile, const Model& model, bool whole_jobs, ProfileTimes predicted) {
  const ModelProfile& model_profile = profile.model(model.name());
  ModelPlan plan;
  plan.name = model.name();
  if (whole_jobs) {
    const int sms = profile.gpu().sm_count;
    plan.whole_curve.push_back(whole_model_curve(model_profile, model, predicted, sms));
    Unit unit;
    unit.name = model.name();
    unit.predicted_curve = &plan.whole_curve[0];
    plan.units.push_back(std::move(unit));
  } else {
    for (const Stage& stage : model.stages()) {
      const StageProfile* stage_profile = model_profile.find_stage(stage.name);
      if (!stage_profile)
        throw InputError(profile.source(), "models[" + model.name() + "].stages", "has no stage '" + stage.name + "'");
      Unit unit;
      unit.name = stage.name;
      for (std::size_t p : stage.predecessors) unit.predecessors.push_back(static_cast<int>(p));
      for (std::size_t s : stage.successors) unit.successors.push_back(static_cast<int>(s));
      unit.predicted_curve = &stage_profile->curve(predicted);
      plan.units.push_back(std::move(unit));
    }
  }
  for (std::size_t i = plan.units.size(); i-- > 0;) {
    Unit& unit = plan.units[i];
    for (int s : unit.successors) unit.depth_to_sink = std::max(unit.depth_to_sink, 1 + plan.units[static_cast<std::size_t>(s)].depth_to_sink);
  }
  for (std::size_t i = 0; i < plan.units.size(); ++i)
    if (plan.units[i].predecessors.empty()) plan.source_units.push_back(static_cast<int>(i));
  return plan;
}

}  // namespace

PolicyPlan::PolicyPlan(const Profile& profile, const Workload& workload, const Layout& pool, bool whole_jobs,
                       const SchedulerOptions& options, ProfileTimes predicted)
    : pool_(pool), partition_count_(static_cast<int>(pool_.partitions.size())) {
  if (pool_.partitions.empty()) throw InputError("--layout", "partitions", "the layout has no partition");
  reference_partition_ = resolve_reference(options.reference_partition, pool_);
  const int partitions = partition_count();
  for (const Model& model : workload.models) {
    unit_base_.push_back(static_cast<int>(predicted_.size()) / std::max(partitions, 1));
    models_.push_back(plan_model(profile, model, whole_jobs, predicted));
    for (const Unit& unit : models_.back().units)
      for (const Partition& p : pool_.partitions) predicted_.push_back(unit.predicted_curve->time_at(p.sms));
  }

  for (std::size_t t = 0; t < workload.tasks.size(); ++t) {
    const Task& task = workload.tasks[t];
    TaskPlan plan;
    plan.model = static_cast<int>(workload.task_model[t]);
    plan.period_ns = task.period_ns;
    plan.deadline_ns = task.deadline_ns;
    plan.offset_ns = task.offset_ns;
    plan.priority = task.priority;
    const ModelPlan& model = models_[static_cast<std::size_t>(plan.model)];
    const std::size_t n = model.units.size();
    std::vector<Ns> heaviest(n, 0);  // P_j
    for (std::size_t j = 0; j < n; ++j) {
      Ns before = 0;
      for (int k : model.units[j].predecessors) before = std::max(before, heaviest[static_cast<std::size_t>(k)]);
      heaviest[j] = before + predicted_ns(plan.model, static_cast<int>(j), reference_partition_);
    }
    const Ns critical = *std::max_element(heaviest.begin(), heaviest.end());
    const Ns quota = static_cast<Ns>(std::llround(options.deadline_fraction *
                                                  static_cast<double>(task.deadline_ns)));
    plan.stage_deadline_offset_ns.resize(n);
    plan.stage_slice_ns.resize(n);
    for (std::size_t j = 0; j < n; ++j)
      plan.stage_deadline_offset_ns[j] =
          mul_div(heaviest[j], quota, critical);
    for (std::size_t j = 0; j < n; ++j) {
      Ns before = 0;
      for (int k : model.units[j].predecessors)
        before = std::max(before, plan.stage_deadline_offset_ns[static_cast<std::size_t>(k)]);
      plan.stage_slice_ns[j] = plan.stage_deadline_offset_ns[j] - before;
    }
    tasks_.push_back(std::move(plan));
  }
}

}  // namespace sgprs::sim
