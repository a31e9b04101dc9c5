#include "simulator/experiments/demand_test.hpp"

#include "common/errors.hpp"
#include "simulator/policy/registry.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace sgprs::exp {

namespace {

struct Demand {
  Ns c = 0, q = 0, period = 0, deadline = 0;
};

// Test points are capped: a set whose busy period holds more deadlines than this is refused
// (still a sound answer), so the test always ends quickly.
constexpr std::size_t kMaxTestPoints = 2'000'000;

}  // namespace

DemandTestResult limited_preemptive_edf_test(const Profile& profile, const std::vector<Task>& tasks, ProfileTimes times,
                                             Ns stage_overhead_ns) {
  if (stage_overhead_ns < 0) throw InputError("demand test", "stage_overhead_ns", "must not be negative");
  DemandTestResult result;
  const int sms = profile.gpu().sm_count;
  std::vector<Demand> demands;
  Ns longest_stage = 0;
  for (const Task& task : tasks) {
    const ModelProfile* model = profile.find_model(task.model);
    if (!model) throw InputError(profile.source(), "models", "has no model '" + task.model + "'");
    if (task.deadline_ns > task.period_ns)
      throw InputError(task.name, "deadline_ns", "exceeds the period: the demand test needs D <= T");
    Demand d{0, 0, task.period_ns, task.deadline_ns};
    for (const StageProfile& stage : model->stages) {
      const Ns t = stage.curve(times).time_at(sms) + stage_overhead_ns;
      d.c += t;
      d.q = std::max(d.q, t);
    }
    longest_stage = std::max(longest_stage, d.q);
    result.utilisation += static_cast<double>(d.c) / static_cast<double>(d.period);
    demands.push_back(d);
  }
  if (demands.empty()) {
    result.schedulable = true;
    return result;
  }
  if (result.utilisation >= 1) {
    result.reason = "utilisation " + std::to_string(result.utilisation) + " is not below 1";
    return result;
  }
  // Longest busy period: fixed point of W(L) = max q + sum ceil(L / T) C, from below.
  Ns busy = longest_stage;
  for (const Demand& d : demands) busy += d.c;
  for (int iteration = 0;; ++iteration) {
    Ns next = longest_stage;
    for (const Demand& d : demands) next += (busy + d.period - 1) / d.period * d.c;
    if (next == busy) break;
    busy = next;
    if (iteration > 100000 || busy > 3600 * kNsPerSecond) {
      result.reason = "the busy period did not converge within an hour of GPU time";
      return result;
    }
  }
  result.busy_period_ns = busy;
  std::set<Ns> points;
  for (const Demand& d : demands)
    for (Ns t = d.deadline; t <= busy; t += d.period) {
      points.insert(t);
      if (points.size() > kMaxTestPoints) {
        result.reason = "the busy period holds more than " + std::to_string(kMaxTestPoints) + " deadlines";
        return result;
      }
    }
  for (Ns t : points) {
    Ns demand = 0, blocking = 0;
    for (const Demand& d : demands) {
      if (t >= d.deadline) demand += ((t - d.deadline) / d.period + 1) * d.c;
      else blocking = std::max(blocking, d.q);
    }
    if (demand + blocking > t) {
      result.failed_at_ns = t;
      result.reason = "demand " + std::to_string(demand) + " ns plus blocking " + std::to_string(blocking) +
                      " ns exceed the window of " + std::to_string(t) + " ns";
      return result;
    }
  }
  result.schedulable = true;
  return result;
}

Layout demand_test_layout(const Profile& profile) {
  return parse_layout("full", profile.gpu(), 1, "demand test");
}

sim::RunOptions demand_test_run_options(const Profile& profile) {
  sim::RunOptions run;
  run.scheduler = "sgprs-best";
  run.scheduler_options = sim::scheduler_default_options("sgprs-best");
  const std::string source = "demand test";
  sim::set_scheduler_option(run.scheduler_options, "slot_sms", std::to_string(profile.gpu().sm_count), source);
  sim::set_scheduler_option(run.scheduler_options, "priority_first", "off", source);
  sim::set_scheduler_option(run.scheduler_options, "drop_hopeless", "off", source);
  sim::set_scheduler_option(run.scheduler_options, "miss_policy", "run-to-completion", source);
  run.gpu_times = ProfileTimes::kIsolated;
  return run;
}

}  // namespace sgprs::exp
