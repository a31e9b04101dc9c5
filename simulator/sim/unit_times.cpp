#include "simulator/sim/unit_times.hpp"

namespace sgprs::sim {

namespace {

/// A whole model's times at the SM counts its first stage was measured at (the sum of its stages'
/// times there), for the rules that join measured points themselves.
SpeedupCurve whole_model_measured_curve(const ModelProfile& profile, const Model& model, ProfileTimes times) {
  const std::vector<int>& counts = profile.find_stage(model.stages().front().name)->curve(times).sm_counts();
  std::vector<Ns> total;
  for (int sms : counts) {
    Ns sum = 0;
    for (const Stage& stage : model.stages()) sum += profile.find_stage(stage.name)->curve(times).time_at(sms);
    total.push_back(sum);
  }
  return SpeedupCurve(counts, std::move(total));
}

}  // namespace

UnitTimes::UnitTimes(const Profile& profile, const Workload& workload, const PolicyPlan& plan, ProfileTimes times) {
  const int sms = profile.gpu().sm_count;
  whole_curves_.reserve(workload.models.size());
  whole_measured_.reserve(workload.models.size());
  for (std::size_t m = 0; m < workload.models.size(); ++m) {
    const Model& model = workload.models[m];
    const ModelProfile& model_profile = profile.model(model.name());
    const ModelPlan& model_plan = plan.models()[m];
    unit_base_.push_back(static_cast<int>(tables_.size()));
    if (!model_plan.whole_curve.empty()) {  // a whole-model unit
      whole_curves_.push_back(whole_model_curve(model_profile, model, times, sms));
      whole_measured_.push_back(whole_model_measured_curve(model_profile, model, times));
      tables_.emplace_back(whole_curves_.back(), sms, &whole_measured_.back());
      continue;
    }
    for (const Unit& unit : model_plan.units) tables_.emplace_back(model_profile.find_stage(unit.name)->curve(times), sms);
  }
  steps_ = TimeSteps(tables_);
}

}  // namespace sgprs::sim
