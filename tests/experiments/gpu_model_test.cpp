// An experiment's "gpu_model" object: read with the checks and defaults of simulate's flags, and
// each run of the sweep simulated with exactly those rules.
#include "simulator/experiments/experiment.hpp"
#include "simulator/experiments/simulated_run.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/policy/registry.hpp"
#include "simulator/policy/workload.hpp"
#include "simulator/sim/packed_sharing.hpp"

#include "common/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::exp {
namespace {

const std::string kRoot = SGPRS_SOURCE_DIR;
const std::string kDir = kRoot + "/tests/data/experiments/";

Json tiny_doc() {
  return Json::parse(R"({
    "schema": "sgprs.experiment/1", "name": "t", "profile": "profile-hand.json", "models_dir": "models",
    "generator": {"kind": "identical", "model": "tiny", "rate_hz": 1000},
    "loads": [1], "layouts": ["equal:2:1.0x"], "schedulers": ["sgprs"], "duration_s": 0.01 })");
}

std::string error_of(const Json& doc) {
  try {
    (void)experiment_from_json(doc, kDir + "x.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

/// The mixed-tight family on the H200 tf32 profile, as a file of traces/experiments/ would name it,
/// with the fields of `fields` added or replaced.
Json mixed_tight(const Json& fields) {
  Json doc = Json::parse(R"({
    "schema": "sgprs.experiment/1", "name": "g", "profile": "../profiles/h200-tf32.json", "models_dir": "../models",
    "generator": {"kind": "scaled", "taskset": "../tasksets/mixed-tight.json"},
    "loads": [1.0], "layouts": ["full"], "duration_s": 0.3 })");
  doc.update(fields);
  return doc;
}

/// `doc` prepared as a file of traces/experiments/ (its paths relative to that folder).
PreparedExperiment prepared(const Json& doc) {
  return prepare_experiment(experiment_from_json(doc, kRoot + "/traces/experiments/g.json"), simulator_scheduler_names());
}

/// The first run of `prep` (`metrics`) is what `simulate` gives for its first task set with `run`
/// (scheduler, options and GPU rules set by the caller; duration and seed are the experiment's).
void expect_simulate_gives(const PreparedExperiment& prep, const RunMetrics& metrics, sim::RunOptions run) {
  run.duration_ns = prep.experiment.duration_ns;
  run.seed = prep.seeds[0];
  const sim::Workload workload = sim::make_workload(prep.task_sets[0], prep.profile, prep.experiment.models_dir, prep.seeds[0]);
  const sim::Summary s = sim::simulate(prep.profile, workload, prep.layouts[0], run);
  EXPECT_EQ(metrics.jobs_released, s.jobs_released);
  EXPECT_EQ(metrics.jobs_on_time, s.jobs_on_time);
  EXPECT_EQ(metrics.events_processed, s.events_processed);
  EXPECT_GT(metrics.jobs_released, 100);
}

TEST(ExperimentGpuModel, DefaultsAreSimulatesDefaults) {
  const Experiment e = experiment_from_json(tiny_doc(), kDir + "x.json");
  EXPECT_EQ(e.gpu_model.sharing, sim::SharingRule::kEvenStep);
  EXPECT_EQ(e.gpu_model.interference, sim::InterferenceRule::kNone);
  EXPECT_EQ(e.gpu_model.stage_overhead_ns, 0);
  EXPECT_EQ(e.gpu_model.priority_rule, sim::PriorityRule::kStrict);
  EXPECT_TRUE(e.gpu_model.sharing_calibration.empty());
}

TEST(ExperimentGpuModel, ReadsEveryChoiceAndResolvesAutoSharing) {
  Json doc = tiny_doc();
  doc["gpu_model"] = Json::parse(
      R"({"sharing": "auto", "interference": "profile", "stage_overhead_ns": 25000, "priority_rule": "weighted"})");
  Experiment e = experiment_from_json(doc, kDir + "x.json");
  EXPECT_EQ(e.gpu_model.sharing, sim::SharingRule::kEvenStep) << "no calibration beside profile-hand.json";
  EXPECT_EQ(e.gpu_model.interference, sim::InterferenceRule::kProfile);
  EXPECT_EQ(e.gpu_model.stage_overhead_ns, 25000);
  EXPECT_EQ(e.gpu_model.priority_rule, sim::PriorityRule::kWeighted);

  // Beside the shipped H200 TF32 profile there is one: auto is packed, with that file.
  doc["profile"] = kRoot + "/traces/profiles/h200-tf32.json";
  e = experiment_from_json(doc, kDir + "x.json");
  EXPECT_EQ(e.gpu_model.sharing, sim::SharingRule::kPacked);
  EXPECT_EQ(e.gpu_model.sharing_calibration, kRoot + "/traces/profiles/h200-tf32.sharing.json");
}

TEST(ExperimentGpuModel, BadChoicesNameTheFileAndTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"sharing": "fluid"})", "'gpu_model.sharing'"},
      {R"({"interference": "some"})", "'gpu_model.interference'"},
      {R"({"priority_rule": "first"})", "'gpu_model.priority_rule'"},
      {R"({"stage_overhead_ns": -1})", "'gpu_model.stage_overhead_ns'"},
      {R"({"stage_overhead_ns": 2000000000})", "'gpu_model.stage_overhead_ns'"},
      {R"({"sharing": "even-step", "sharing_calibration": "c.json"})", "'gpu_model.sharing_calibration'"},
      {R"({"shraing": "packed"})", "'gpu_model.shraing'"},
      {R"({"gpu_times_profile": "no-such-profile.json"})", "'gpu_model.gpu_times_profile'"}};
  for (const auto& [object, field] : cases) {
    Json doc = tiny_doc();
    doc["gpu_model"] = Json::parse(object);
    const std::string e = error_of(doc);
    EXPECT_NE(e.find(kDir + "x.json"), std::string::npos) << object << ": " << e;
    EXPECT_NE(e.find(field), std::string::npos) << object << ": " << e;
  }
  Json doc = tiny_doc();
  doc["gpu_times"] = "occupied";
  doc["gpu_model"] = Json::parse(R"({"interference": "profile"})");
  EXPECT_NE(error_of(doc).find("'gpu_model.interference'"), std::string::npos) << error_of(doc);
}

TEST(ExperimentGpuModel, EachRunIsSimulatedUnderTheExperimentsRules) {
  // A mixed set on the H200 under the validated rules (packed sharing with the shipped
  // calibration, interference, a stage overhead) gives what `simulate` gives with those
  // options, and not what the defaults give.
  Json doc = mixed_tight(Json::parse(
      R"({"schedulers": [{"name": "streams", "options": {"streams": 32, "stream_priorities": "deadline-monotonic"}}]})"));
  const PreparedExperiment plain = prepared(doc);
  doc["gpu_model"] = Json::parse(R"({"sharing": "packed", "interference": "profile", "stage_overhead_ns": 25000})");
  const PreparedExperiment ruled = prepared(doc);
  const RunKey key{};
  const RunMetrics a = make_simulated_run(plain)(key);
  const RunMetrics b = make_simulated_run(ruled)(key);

  sim::RunOptions run;
  run.scheduler = "streams";
  run.scheduler_options = sim::scheduler_default_options("streams");
  sim::set_scheduler_option(run.scheduler_options, "streams", "32", "test");
  sim::set_scheduler_option(run.scheduler_options, "stream_priorities", "deadline-monotonic", "test");
  run.sharing = sim::SharingRule::kPacked;
  run.sharing_calibration = kRoot + "/traces/profiles/h200-tf32.sharing.json";
  // Every field of the calibration: g(k) and the hardware-queue limit (17 units at 32 queues).
  sim::use_sharing_calibration(sim::SharingCalibration::load(run.sharing_calibration, ruled.profile), run);
  run.interference = sim::InterferenceRule::kProfile;
  run.stage_overhead_ns = 25000;
  expect_simulate_gives(ruled, b, run);
  EXPECT_NE(a.jobs_on_time, b.jobs_on_time) << "the rules changed nothing";
}

TEST(ExperimentGpuModel, AGpuTimesProfileIsWhatTheSimulatedGpuRuns) {
  // Moldable blocks on a mixed set: with the shipped co-run profile as the simulated GPU's times
  // (gpu_model.gpu_times_profile, relative to the experiment's file) each run is what `simulate
  // --gpu-times-profile` gives, and the busy blocks slow it: fewer jobs on time than without.
  Json doc = mixed_tight(Json::parse(R"({"loads": [1.2], "gpu_model": {"interference": "profile"},
    "schedulers": [{"name": "sgprs-best", "options": {"slot_sms": "moldable"}}]})"));
  const PreparedExperiment own = prepared(doc);
  doc["gpu_model"]["gpu_times_profile"] = "../profiles/h200-tf32.corun.json";
  const PreparedExperiment corun = prepared(doc);
  EXPECT_EQ(corun.experiment.gpu_model.gpu_times_profile, kRoot + "/traces/profiles/h200-tf32.corun.json");
  ASSERT_TRUE(corun.gpu_times_profile);
  EXPECT_FALSE(own.gpu_times_profile);
  const RunMetrics a = make_simulated_run(own)(RunKey{});
  const RunMetrics b = make_simulated_run(corun)(RunKey{});
  sim::RunOptions run;
  run.scheduler = "sgprs-best";
  run.scheduler_options = sim::scheduler_default_options("sgprs-best");
  sim::set_scheduler_option(run.scheduler_options, "slot_sms", "moldable", "test");
  run.interference = sim::InterferenceRule::kProfile;
  run.gpu_times_profile = corun.gpu_times_profile;
  expect_simulate_gives(corun, b, run);
  EXPECT_LT(b.jobs_on_time, a.jobs_on_time) << "the co-run times slowed nothing";
}

TEST(ExperimentGpuModel, AGpuTimesProfileOfAnotherGpuIsRefusedBeforeTheFirstRun) {
  const Json doc = mixed_tight(
      Json::parse(R"({"schedulers": ["sgprs-best"], "gpu_model": {"gpu_times_profile": "../profiles/h100-fp32.json"}})"));
  const PreparedExperiment prep = prepared(doc);
  try {
    (void)make_simulated_run(prep);
    FAIL() << "a profile of another GPU was taken";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("h100-fp32.json"), std::string::npos) << what;
    EXPECT_NE(what.find("gpu_model.gpu_times_profile"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace sgprs::exp
