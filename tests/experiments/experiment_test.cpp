// Experiment files: a valid one is read and prepared; each kind of bad input
// is one InputError naming the file and the field, raised before any run.
#include "simulator/experiments/experiment.hpp"

#include "common/errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::exp {
namespace {

const std::string kDir = std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments/";
const std::vector<std::string> kSchedulers = {"sgprs", "naive", "sequential", "static"};

Json base_doc() {
  return Json::parse(R"({
    "schema": "sgprs.experiment/1", "name": "t", "profile": "profile-hand.json", "models_dir": "models",
    "generator": {"kind": "identical", "model": "tiny", "rate_hz": 1000},
    "loads": [1, 2], "layouts": ["equal:2:1.0x"], "schedulers": ["sgprs"], "repetitions": 2, "duration_s": 0.01 })");
}

/// Prepares `doc` as if read from the test data folder; returns the error text ("" when none).
std::string error_of(const Json& doc) {
  try {
    prepare_experiment(experiment_from_json(doc, kDir + "x.json"), kSchedulers);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Experiment, ReadsAndPreparesTheShippedExample) {
  const PreparedExperiment prep = prepare_experiment(read_experiment(kDir + "identical.json"), kSchedulers);
  EXPECT_EQ(prep.experiment.name, "tiny-identical");
  EXPECT_EQ(prep.loads, (std::vector<double>{1, 4, 8}));
  ASSERT_EQ(prep.layouts.size(), 2u);
  EXPECT_EQ(prep.layouts[1].partitions[0].sms, 4);  // stepwise:2:1.0x on 16 SMs: 16/3 -> 4, 32/3 -> 12
  EXPECT_EQ(prep.layouts[1].partitions[1].sms, 12);
  EXPECT_EQ(prep.runs(), 2u * 2u * 3u * 2u);
  ASSERT_EQ(prep.task_sets.size(), 6u);
  EXPECT_EQ(prep.task_sets[prep.set_index(2, 1)].specs[0].count, 8);
  EXPECT_EQ(prep.seeds[prep.set_index(1, 0)], Rng::derive_seed(7, 2));
  EXPECT_EQ(prep.bound_max_tasks, 333);  // 16 SMs / (4.8e-5 SM s x 1000 /s)
}

TEST(Experiment, LoadsRelativeToTheBound) {
  // The bound allows 333 tiny tasks at 1 kHz; fractions 0.1 .. 1.0 in 4 steps: 33, 133, 233, 333.
  Json doc = base_doc();
  doc["loads"] = Json::parse(R"({"bound_fraction": [0.1, 1.0], "count": 4})");
  const PreparedExperiment prep = prepare_experiment(experiment_from_json(doc, kDir + "x.json"), kSchedulers);
  EXPECT_EQ(prep.loads, (std::vector<double>{33, 133, 233, 333}));
}

TEST(Experiment, ScaledGeneratorMultipliesCountsUpToTheBoundsScale) {
  // scaled-taskset.json: 10 tiny tasks at 1 kHz and 4 at 500 Hz offer 10 x 1000 x 4.8e-5 + 4 x 500 x
  // 4.8e-5 = 0.576 SMs on a 16-SM GPU: the bound's largest scale is 16 / 0.576 = 27.778.
  // Fractions 0.1 and 1.0 give scales 2.778 and 27.778; at 2.778 the counts are 28 and 11.
  Json doc = base_doc();
  doc["generator"] = Json::parse(R"({"kind": "scaled", "taskset": "scaled-taskset.json"})");
  doc["loads"] = Json::parse(R"({"bound_fraction": [0.1, 1.0], "count": 2})");
  const PreparedExperiment prep = prepare_experiment(experiment_from_json(doc, kDir + "x.json"), kSchedulers);
  EXPECT_NEAR(prep.bound_max_scale, 16 / 0.576, 1e-9);
  EXPECT_EQ(prep.loads, (std::vector<double>{2.778, 27.778}));
  const TaskSet& light = prep.task_sets[prep.set_index(0, 0)];
  ASSERT_EQ(light.specs.size(), 2u);
  EXPECT_EQ(light.specs[0].count, 28);
  EXPECT_EQ(light.specs[1].count, 11);
  EXPECT_EQ(light.specs[1].deadline_ns, 1000000);  // everything but the count is the file's

  doc["generator"]["taskset"] = "missing.json";
  EXPECT_NE(error_of(doc).find("missing.json"), std::string::npos);
  doc["generator"]["taskset"] = "scaled-taskset.json";
  doc["loads"] = Json::parse("[0.01]");  // 0.1 and 0.04 copies: nothing left to run
  EXPECT_NE(error_of(doc).find("rounds every task count"), std::string::npos) << error_of(doc);
  doc["loads"] = Json::parse("[1000000]");  // 14 million tasks: over the limit, refused before any is drawn
  EXPECT_NE(error_of(doc).find("tasks; the limit is"), std::string::npos) << error_of(doc);
}

TEST(Experiment, RandomGeneratorLoadsAreUtilisations) {
  const PreparedExperiment prep = prepare_experiment(read_experiment(kDir + "random.json"), kSchedulers);
  EXPECT_EQ(prep.loads, (std::vector<double>{0.2, 0.6, 1.0}));
  EXPECT_EQ(prep.task_sets.size(), 9u);
  EXPECT_EQ(prep.bound_max_tasks, 0);
}

TEST(Experiment, RandomPeriodsGenerator) {
  Json doc = base_doc();
  doc["generator"] = Json::parse(R"({"kind": "random-periods", "models": [{"model": "tiny"}, {"model": "wide"}],
                                     "period_ms": [0.01, 1], "deadlines": {"constrained": [0.5, 1]}})");
  doc["loads"] = {0.5, 1.5};
  const PreparedExperiment prep = prepare_experiment(experiment_from_json(doc, kDir + "x.json"), kSchedulers);
  EXPECT_EQ(prep.task_sets.size(), 4u);
  EXPECT_NEAR(total_utilisation(prep.profile, prep.task_sets[prep.set_index(1, 1)]), 1.5, 1e-3);
  doc["generator"].erase("period_ms");
  EXPECT_NE(error_of(doc).find("generator.period_ms"), std::string::npos);
}

TEST(Experiment, UnknownGenerator) {
  Json doc = base_doc();
  doc["generator"]["kind"] = "poisson";
  const std::string e = error_of(doc);
  EXPECT_NE(e.find("generator.kind"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown generator 'poisson'"), std::string::npos) << e;
}

TEST(Experiment, MisspeltFieldsAreErrorsAtEveryLevel) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"repetition"}, "'repetition'"},                  // the root
      {{"generator", "rate"}, "'generator.rate'"},       // the generator, for its kind
      {{"loads_from"}, "'loads_from'"}};
  for (const auto& [path, field] : cases) {
    Json doc = base_doc();
    Json* node = &doc;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) node = &(*node)[path[i]];
    (*node)[path.back()] = 3;
    const std::string e = error_of(doc);
    EXPECT_NE(e.find(field), std::string::npos) << e;
    EXPECT_NE(e.find("unknown field"), std::string::npos) << e;
  }
  Json doc = base_doc();
  doc["schedulers"] = Json::parse(R"([{"name": "sgprs", "option": {"waiting_order": "edf"}}])");
  EXPECT_NE(error_of(doc).find("'schedulers[0].option'"), std::string::npos) << error_of(doc);
}

TEST(Experiment, EmptySweep) {
  for (const char* key : {"loads", "layouts", "schedulers"}) {
    Json doc = base_doc();
    doc[key] = Json::array();
    const std::string e = error_of(doc);
    EXPECT_NE(e.find(std::string("'") + key + "'"), std::string::npos) << e;
    EXPECT_NE(e.find("empty"), std::string::npos) << e;
  }
}

TEST(Experiment, UnreachableLoad) {
  Json doc = base_doc();
  doc["loads"] = {1, 2.5};
  EXPECT_NE(error_of(doc).find("loads[1]"), std::string::npos);
  doc = base_doc();
  doc["generator"] = Json::parse(R"({"kind": "random", "tasks": 2, "models": [{"model": "tiny"}],
                                     "utilisation": {"method": "randfixedsum", "max": 0.5}})");
  doc["loads"] = {0.5, 1.5};
  const std::string e = error_of(doc);
  EXPECT_NE(e.find("loads[1]"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot be split over 2 tasks"), std::string::npos) << e;
}

TEST(Experiment, ModelMissingFromProfile) {
  Json doc = base_doc();
  doc["generator"]["model"] = "resnet50";
  const std::string e = error_of(doc);
  EXPECT_NE(e.find("generator.model"), std::string::npos) << e;
  EXPECT_NE(e.find("no model 'resnet50'"), std::string::npos) << e;
}

TEST(Experiment, ModelFileMissing) {
  Json doc = base_doc();
  doc["generator"]["model"] = "ghost";  // in the profile, but models/ghost.json does not exist
  const std::string e = error_of(doc);
  EXPECT_NE(e.find("models_dir"), std::string::npos) << e;
  EXPECT_NE(e.find("ghost.json"), std::string::npos) << e;
}

TEST(Experiment, UnknownSchedulerAndBadLayout) {
  Json doc = base_doc();
  doc["schedulers"] = {"sgprs", "edf-magic"};
  EXPECT_NE(error_of(doc).find("unknown scheduler 'edf-magic'"), std::string::npos);
  doc = base_doc();
  doc["layouts"] = {"equal:2:1.0x", "diagonal:2"};
  EXPECT_NE(error_of(doc).find("layouts[1]"), std::string::npos);
}

TEST(Experiment, DuplicateSchedulerLabelsAndLoads) {
  Json doc = base_doc();
  doc["schedulers"] = {"sgprs", "sgprs"};
  EXPECT_NE(error_of(doc).find("appears twice"), std::string::npos);
  doc = base_doc();
  doc["loads"] = {2, 2};
  EXPECT_NE(error_of(doc).find("repeats load 2"), std::string::npos);
}

TEST(Experiment, LayoutEntriesWithTheirOwnMaxParallel) {
  Json doc = base_doc();
  doc["layouts"] = Json::parse(R"(["equal:2:1.0x", {"layout": "equal:2:1.0x", "max_parallel": 8},
                                   {"layout": "full", "max_parallel": 2, "label": "one"}])");
  const PreparedExperiment prep = prepare_experiment(experiment_from_json(doc, kDir + "x.json"), kSchedulers);
  ASSERT_EQ(prep.layouts.size(), 3u);
  EXPECT_EQ(prep.layouts[0].max_parallel, 3);  // the paper's default for 2 partitions
  EXPECT_EQ(prep.layouts[1].name, "equal:2:1.0x/mp8");
  EXPECT_EQ(prep.layouts[1].max_parallel, 8);
  EXPECT_EQ(prep.layouts[2].name, "one");
  EXPECT_EQ(prep.layouts[2].partitions.size(), 1u);
  doc["layouts"] = Json::parse(R"(["full", {"layout": "full"}])");
  EXPECT_NE(error_of(doc).find("appears twice"), std::string::npos);
}

TEST(Experiment, WrongSchemaVersion) {
  Json doc = base_doc();
  doc["schema"] = "sgprs.experiment/2";
  EXPECT_THROW(experiment_from_json(doc, "x.json"), InputError);
}

TEST(Experiment, LimitsAreCheckedBeforeAnyTaskSetIsDrawn) {
  Json doc = base_doc();
  doc["repetitions"] = 1000000;
  EXPECT_NE(error_of(doc).find("field 'repetitions': must be in 1..10000"), std::string::npos) << error_of(doc);
  doc = base_doc();
  doc["loads"] = {4.9e-324};  // a denormal: once an "internal error" from std::stod
  EXPECT_NE(error_of(doc).find("field 'loads[0]': must be a load from 1e-06 to 1000000"), std::string::npos);
  doc = base_doc();
  doc["generator"] = Json::parse(R"({"kind": "random-periods", "models": [{"model": "tiny"}], "period_ms": [4.9e-32, 1]})");
  EXPECT_NE(error_of(doc).find("generator.period_ms"), std::string::npos) << error_of(doc);
  doc = base_doc();
  doc["loads"] = Json::parse(R"({"from": 1, "to": 1000, "count": 1000})");
  doc["repetitions"] = 1000;  // 1000 loads x 1000 repetitions x 1 layout x 1 scheduler = 1e6 runs: fine
  doc["layouts"] = {"equal:2:1.0x", "full"};
  EXPECT_NE(error_of(doc).find("makes 2000000 runs"), std::string::npos) << error_of(doc);
  doc = base_doc();
  doc["duration_s"] = 1e7;
  EXPECT_NE(error_of(doc).find("field 'duration_s'"), std::string::npos);
}

}  // namespace
}  // namespace sgprs::exp
