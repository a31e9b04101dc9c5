#include "simulator/core/run_description.hpp"

#include "common/errors.hpp"

#include <nlohmann/json.hpp>

namespace sgprs::sim {

RunInfo make_run_info(const PolicyPlan& plan, const Workload& workload, const RunOptions& options) {
  RunInfo info;
  info.scheduler = options.scheduler;
  info.seed = options.seed;
  info.duration_ns = options.duration_ns;
  for (const Task& t : workload.tasks) info.task_names.push_back(t.name);
  info.task_model = workload.task_model;
  for (const ModelPlan& m : plan.models()) {
    std::vector<std::string> names;
    for (const Unit& u : m.units) names.push_back(u.name);
    info.unit_names.push_back(std::move(names));
  }
  for (const Partition& p : plan.pool().partitions) {
    info.partition_names.push_back(p.name);
    info.partition_sms.push_back(p.sms);
  }
  info.max_parallel = plan.pool().max_parallel;
  return info;
}

Json run_provenance(const Profile& profile, const Workload& workload, const Layout& requested, const Layout& pool,
                    const RunOptions& options) {
  return Json{{"scheduler", options.scheduler},
              {"scheduler_options", options.scheduler_options.to_json()},
              {"layout", requested.to_json()},
              {"pool", pool.to_json()},
              {"seed", options.seed},
              {"taskset_seed", workload.seed},
              {"duration_ns", options.duration_ns},
              {"predicted_times", to_string(options.predicted_times)},
              {"profile", {{"source", profile.source()}, {"device", profile.device_name()},
                           {"sm_count", profile.gpu().sm_count}, {"precision", profile.precision()}}},
              {"taskset", {{"name", workload.taskset_name}, {"source", workload.taskset_source},
                           {"tasks", workload.tasks.size()}}}};
}

}  // namespace sgprs::sim
