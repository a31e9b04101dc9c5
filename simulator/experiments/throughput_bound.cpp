#include "simulator/experiments/throughput_bound.hpp"

#include "common/limits.hpp"

#include "simulator/experiments/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sgprs::exp {

EfficientPoint most_efficient_point(const SpeedupCurve& curve) {
  if (curve.empty()) throw std::invalid_argument("most_efficient_point: empty curve");
  EfficientPoint best;
  best.sm_seconds = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < curve.sm_counts().size(); ++i) {
    const int sms = curve.sm_counts()[i];
    const Ns t = curve.times_ns()[i];
    const double cost = sms * ns_to_seconds(t);
    // Ties go to the smaller partition: same cost, more of them fit side by side.
    if (cost < best.sm_seconds) best = {sms, t, cost};
  }
  return best;
}

double min_sm_seconds_per_job(const ModelProfile& model, ProfileTimes times) {
  double total = 0;
  for (const StageProfile& stage : model.stages) total += most_efficient_point(stage.curve(times)).sm_seconds;
  return total;
}

Json ThroughputBound::to_json() const {
  return Json{{"offered_jobs_per_s", offered_jobs_per_s}, {"offered_sms", offered_sms}, {"max_scale", max_scale},
              {"max_jobs_per_s", max_jobs_per_s}, {"sustainable_jobs_per_s", sustainable_jobs_per_s}};
}

ThroughputBound throughput_bound(const Profile& profile, const std::vector<Task>& tasks, ProfileTimes times) {
  ThroughputBound bound;
  for (const Task& task : tasks) {
    const double rate = 1.0 / ns_to_seconds(task.period_ns);
    bound.offered_jobs_per_s += rate;
    bound.offered_sms += rate * min_sm_seconds_per_job(profile.model(task.model), times);
  }
  if (bound.offered_sms <= 0) return bound;
  bound.max_scale = profile.gpu().sm_count / bound.offered_sms;
  bound.max_jobs_per_s = bound.max_scale * bound.offered_jobs_per_s;
  bound.sustainable_jobs_per_s = std::min(bound.offered_jobs_per_s, bound.max_jobs_per_s);
  return bound;
}

double throughput_bound_jobs_per_s(const Profile& profile, const sim::Workload& workload, ProfileTimes times) {
  return throughput_bound(profile, workload.tasks, times).max_jobs_per_s;
}

int max_identical_tasks(const Profile& profile, const std::string& model, Ns period_ns, ProfileTimes times) {
  const double per_task_sms = min_sm_seconds_per_job(profile.model(model), times) / ns_to_seconds(period_ns);
  // The small epsilon keeps an exact fit (N x load == sm_count) from rounding down. Long periods
  // make N huge: it is capped at the most tasks a run may have (common/limits.hpp).
  const double tasks = std::floor(profile.gpu().sm_count / per_task_sms * (1 + 1e-12));
  return static_cast<int>(std::min(tasks, static_cast<double>(limits::kMaxTasks)));
}

}  // namespace sgprs::exp
