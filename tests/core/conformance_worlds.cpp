#include "conformance_worlds.hpp"

#include "common/taskset.hpp"
#include "scripted_platform.hpp"
#include "simulator/core/run_description.hpp"

#include <nlohmann/json.hpp>

namespace sgprs::sim::test {

CaseSetup set_up_case(const ConformanceCase& c) {
  CaseSetup s;
  s.options = isolated_options(c.scheduler, c.duration_ns);
  if (c.miss_policy_abort) s.options.scheduler_options.miss_policy = MissPolicy::kAbort;
  s.options.scheduler_options.no_defer_last = c.no_defer_last;
  for (const auto& [name, value] : c.options) set_scheduler_option(s.options.scheduler_options, name, value, "case");
  const TaskSet set = TaskSet::from_json(Json::parse(c.taskset_json), "conformance-case");
  s.workload = make_workload(set, test_profile(), test_models_dir(), s.options.seed);
  s.planned = plan_run(test_profile(), s.workload, sizes_layout(c.partition_sms, c.max_parallel), s.options.scheduler,
                       s.options.scheduler_options, s.options.predicted_times);
  const PolicyPlan* plan = s.planned.plan.get();
  const std::map<std::string, Ns> unit_ns = c.unit_ns;
  s.unit_duration = [plan, unit_ns](int task, int unit, int) {
    return unit_ns.at(plan->model_of(task).units[static_cast<std::size_t>(unit)].name);
  };
  return s;
}

namespace {

std::vector<std::string> run_scripted(const ConformanceCase& c, bool can_stop) {
  CaseSetup s = set_up_case(c);
  RecordingObserver recorder;
  recorder.on_run_start(make_run_info(*s.planned.plan, s.workload, s.options));
  ScriptedPlatform platform(s.unit_duration, can_stop);
  RunCore core(*s.planned.plan, *s.planned.scheduler, platform, {&recorder}, s.options.duration_ns);
  platform.run(core);
  return recorder.lines;
}

}  // namespace

std::vector<World> scripted_worlds() {
  return {World{"scripted_stoppable", true, [](const ConformanceCase& c) { return run_scripted(c, true); }},
          World{"scripted_unstoppable", false, [](const ConformanceCase& c) { return run_scripted(c, false); }}};
}

}  // namespace sgprs::sim::test
