#include "loaders.hpp"

#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/limits.hpp"
#include "common/model.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/experiments/experiment.hpp"
#include "simulator/validation/live_replay.hpp"
#include "simulator/validation/run_comparison.hpp"
#include "simulator/validation/run_log.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace sgprs::fuzz {

namespace {
const std::string kSource = "fuzz/input.json";
}  // namespace

void load_taskset(std::string_view text) {
  const TaskSet set = TaskSet::from_json(parse_json_text(text, kSource), kSource);
  set.check_deadlines(true);
  limits::check_run_size(set.expand(7), limits::kMaxTimeNs, kSource, "tasks");
  (void)set.to_json().dump();
}

void load_model(std::string_view text) {
  const Model model = Model::from_json(parse_json_text(text, kSource), kSource);
  (void)model.sink_stages();
  (void)model.is_chain();
  for (const Stage& stage : model.stages()) (void)model.find_stage(stage.name);
}

void load_profile(std::string_view text) {
  // Every stage's curve at every SM count of the GPU, both interpolations, as the planner and
  // the simulated GPU read them.
  const Json doc = parse_json_text(text, kSource);
  for (const auto mode : {CurveInterpolation::kStep, CurveInterpolation::kLinear}) {
    const Profile profile = Profile::from_json(doc, kSource, mode);
    for (const ModelProfile& model : profile.models())
      for (const StageProfile& stage : model.stages)
        for (int sms = 1; sms <= profile.gpu().sm_count; ++sms) {
          (void)stage.curve(sgprs::ProfileTimes::kOccupied).time_at(sms);
          (void)stage.isolated.speedup_at(sms);
        }
  }
}

void load_layout(std::string_view text) {
  // On the H100's shape (132 SMs: 16 pieces of 8 and a 4-SM remainder) and on one without a remainder.
  const GpuShape shapes[] = {{132, 8, 16, 4}, {16, 4, 4, 0}};
  for (const GpuShape& gpu : shapes) {
    Layout layout;
    if (!text.empty() && text.front() == '{') {
      layout = layout_from_json(parse_json_text(text, kSource), kSource, gpu);
    } else if (text.rfind("equal:", 0) == 0 || text.rfind("stepwise:", 0) == 0 || text == "full") {
      // Only shorthands: any other text would be looked up as a file name.
      layout = parse_layout(std::string(text), gpu, static_cast<int>(text.size() % 5), "--layout");
    } else {
      return;
    }
    (void)layout.budget(gpu);
    (void)layout.shared_sms(gpu);
    (void)layout.to_json().dump();
  }
}

void load_experiment(std::string_view text) {
  // prepare_experiment() is left out: it loads the profile and model files the experiment names,
  // which the other loaders cover.
  const exp::Experiment experiment = exp::experiment_from_json(parse_json_text(text, kSource), kSource);
  for (double load : experiment.loads.values) (void)exp::load_text(load);
}

void load_event_log(std::string_view text) {
  std::istringstream in{std::string(text)};
  const validation::RunLog log = validation::read_run_log(in, kSource);
  (void)validation::release_latencies(log);
  const auto lookup = [](int, int, int sms, bool occupied) -> Ns { return occupied ? 2 * sms : sms; };
  std::vector<std::string> models(log.tasks.size(), "m");
  (void)validation::compare_runs(log, log, {}, {}, models, lookup).to_json().dump();
}

}  // namespace sgprs::fuzz
