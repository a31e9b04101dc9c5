#include "simulator/experiments/simulated_run.hpp"

#include "common/errors.hpp"

#include "simulator/policy/registry.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/sim/sharing_spread.hpp"

#include <memory>
#include <nlohmann/json.hpp>

namespace sgprs::exp {

namespace {

/// Each scheduler entry's options; InputError naming the field for a bad one.
std::vector<sim::SchedulerOptions> scheduler_options(const Experiment& exp) {
  std::vector<sim::SchedulerOptions> all;
  for (std::size_t i = 0; i < exp.schedulers.size(); ++i) {
    sim::SchedulerOptions options = sim::scheduler_default_options(exp.schedulers[i].name);
    for (const auto& [name, value] : exp.schedulers[i].options)
      sim::set_scheduler_option(options, name, value, exp.source + ": field 'schedulers[" + std::to_string(i) + "].options'");
    all.push_back(options);
  }
  return all;
}

/// How scheduler entry `scheduler` of the experiment runs (the seed is the task set's).
/// `calibration`: the packed rule's calibration, read once per sweep (empty otherwise).
sim::RunOptions run_options(const PreparedExperiment& prep, std::size_t scheduler, const sim::SchedulerOptions& options,
                            std::uint64_t seed, const sim::SharingCalibration& calibration) {
  const Experiment& exp = prep.experiment;
  sim::RunOptions run;
  run.scheduler = exp.schedulers[scheduler].name;
  run.scheduler_options = options;
  run.duration_ns = exp.duration_ns;
  run.seed = seed;
  run.predicted_times = exp.predicted_times;
  run.gpu_times = exp.gpu_times;
  run.sharing = exp.gpu_model.sharing;
  run.sharing_calibration = exp.gpu_model.sharing_calibration;
  sim::use_sharing_calibration(calibration, run);
  run.interference = exp.gpu_model.interference;
  run.stage_overhead_ns = exp.gpu_model.stage_overhead_ns;
  run.priority_rule = exp.gpu_model.priority_rule;
  run.gpu_times_profile = prep.gpu_times_profile;
  run.summary_details = false;  // a sweep's rows carry no busy fraction and no percentile
  return run;
}

}  // namespace

RunSignature make_simulated_signature(const PreparedExperiment& prep) {
  // Builds the pool as simulate() does (the requested layout reaches only its
  // provenance, never its metrics); the pool's name is a label, so it is dropped.
  return [&prep, options = scheduler_options(prep.experiment)](const RunKey& key) {
    const std::size_t set = prep.set_index(key.load, key.repetition);
    std::size_t tasks = 0;
    for (const TaskSpec& spec : prep.task_sets[set].specs) tasks += static_cast<std::size_t>(spec.count);
    const auto scheduler = sim::make_scheduler(prep.experiment.schedulers[key.scheduler].name, options[key.scheduler]);
    Json pool = scheduler->make_pool(prep.layouts[key.layout], prep.profile.gpu(), tasks).to_json();
    pool.erase("name");
    return std::to_string(key.scheduler) + "|" + std::to_string(set) + "|" + pool.dump();
  };
}

std::vector<std::string> simulator_scheduler_names() { return sim::scheduler_names(); }

RunFunction make_simulated_run(const PreparedExperiment& prep) {
  struct State {
    std::vector<sim::Workload> workloads;
    std::vector<sim::SchedulerOptions> options;
    sim::SharingCalibration calibration;
  };
  auto state = std::make_shared<State>();
  const Experiment& exp = prep.experiment;
  for (std::size_t i = 0; i < prep.task_sets.size(); ++i)
    state->workloads.push_back(sim::make_workload(prep.task_sets[i], prep.profile, exp.models_dir, prep.seeds[i]));
  state->options = scheduler_options(exp);
  if (prep.gpu_times_profile)
    for (const sim::Workload& workload : state->workloads)
      sim::check_gpu_times_profile(*prep.gpu_times_profile, prep.profile, workload,
                                   exp.source + ": field 'gpu_model.gpu_times_profile'");
  if (exp.gpu_model.sharing == sim::SharingRule::kPacked) {
    state->calibration = sim::SharingCalibration::load(exp.gpu_model.sharing_calibration, prep.profile);
  }
  // Every scheduler on every layout is planned once now, so that an option that does not fit a
  // layout (a reference partition it lacks) stops the sweep before its first run, not in it. The
  // smallest task set is enough for that, and planning the largest (a million tasks at the top
  // load) once per scheduler and layout held the sweep silent for 14 s before its first line.
  std::size_t smallest = 0;
  for (std::size_t i = 1; i < state->workloads.size(); ++i)
    if (state->workloads[i].tasks.size() < state->workloads[smallest].tasks.size()) smallest = i;
  for (std::size_t s = 0; s < exp.schedulers.size(); ++s)
    for (const Layout& layout : prep.layouts) {
      try {
        sim::check_run(prep.profile, state->workloads[smallest], layout,
                       run_options(prep, s, state->options[s], prep.seeds[smallest], state->calibration));
      } catch (const InputError& e) {
        throw InputError(exp.source, "schedulers[" + std::to_string(s) + "]",
                         "'" + exp.schedulers[s].label + "' cannot run on layout '" + layout.name + "': " + e.what());
      }
    }
  return [state, &prep](const RunKey& key) {
    const Experiment& e = prep.experiment;
    const std::size_t set = prep.set_index(key.load, key.repetition);
    const sim::RunOptions run = run_options(prep, key.scheduler, state->options[key.scheduler], prep.seeds[set], state->calibration);
    const sim::Summary s = sim::simulate(prep.profile, state->workloads[set], prep.layouts[key.layout], run);
    RunMetrics m;
    m.jobs_released = s.jobs_released;
    m.jobs_completed = s.jobs_completed;
    m.jobs_on_time = s.jobs_on_time;
    m.jobs_skipped = s.jobs_skipped;
    m.jobs_aborted = s.jobs_aborted;
    m.miss_ratio = s.miss_ratio;
    m.throughput_jobs_per_s = s.throughput_jobs_per_s;
    m.on_time_jobs_per_s = static_cast<double>(s.jobs_on_time) / ns_to_seconds(e.duration_ns);
    m.events_processed = s.events_processed;
    return m;
  };
}


}  // namespace sgprs::exp
