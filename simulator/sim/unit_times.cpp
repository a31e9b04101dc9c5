#include "simulator/sim/unit_times.hpp"

namespace sgprs::sim {

UnitTimes::UnitTimes(const Profile& profile, const Workload& workload, const PolicyPlan& plan, ProfileTimes times) {
  const int sms = profile.gpu().sm_count;
  whole_curves_.reserve(workload.models.size());
  for (std::size_t m = 0; m < workload.models.size(); ++m) {
    const Model& model = workload.models[m];
    const ModelProfile& model_profile = profile.model(model.name());
    const ModelPlan& model_plan = plan.models()[m];
    unit_base_.push_back(static_cast<int>(tables_.size()));
    if (!model_plan.whole_curve.empty()) {  // a whole-model unit
      whole_curves_.push_back(whole_model_curve(model_profile, model, times, sms));
      tables_.emplace_back(whole_curves_.back(), sms);
      continue;
    }
    for (const Unit& unit : model_plan.units) tables_.emplace_back(model_profile.find_stage(unit.name)->curve(times), sms);
  }
}

}  // namespace sgprs::sim
