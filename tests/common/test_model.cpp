#include "common/errors.hpp"
#include "common/model.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using sgprs::InputError;
using sgprs::Json;
using sgprs::Model;

namespace {
Model parse(const char* text) { return Model::from_json(Json::parse(text), "m.json"); }

void expect_error(const char* text, const std::string& field, const std::string& words) {
  try {
    parse(text);
    FAIL() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "m.json");
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(Model, StagesWithoutAfterFormAChain) {
  const Model m = parse(R"({"schema": "sgprs.model/1", "name": "net",
      "stages": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})");
  ASSERT_EQ(m.stages().size(), 3u);
  EXPECT_TRUE(m.is_chain());
  EXPECT_EQ(m.stages()[2].predecessors, (std::vector<std::size_t>{1}));
  EXPECT_EQ(m.stages()[0].successors, (std::vector<std::size_t>{1}));
  EXPECT_EQ(m.sink_stages(), (std::vector<std::size_t>{2}));
}

TEST(Model, ForkJoinDag) {
  // stem -> {left, right} -> join
  const Model m = parse(R"({"schema": "sgprs.model/1", "name": "net", "stages": [
      {"name": "stem"}, {"name": "left", "after": ["stem"]}, {"name": "right", "after": ["stem"]},
      {"name": "join", "after": ["left", "right"]}]})");
  EXPECT_FALSE(m.is_chain());
  EXPECT_EQ(m.stages()[0].successors, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(m.stages()[3].predecessors, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(m.find_stage("right"), 2u);
  EXPECT_EQ(m.find_stage("nope"), Model::npos);
}

TEST(Model, FileOutOfTopologicalOrderIsReordered) {
  const Model m = parse(R"({"schema": "sgprs.model/1", "name": "net", "stages": [
      {"name": "b", "after": ["a"]}, {"name": "a", "after": []}]})");
  EXPECT_EQ(m.stages()[0].name, "a");
  EXPECT_EQ(m.stages()[1].name, "b");
  EXPECT_EQ(m.stages()[1].predecessors, (std::vector<std::size_t>{0}));
}

TEST(Model, LayersBelongToExactlyOneStage) {
  const Model m = parse(R"({"schema": "sgprs.model/1", "name": "net",
      "layers": [{"name": "c1", "op": "conv2d", "inputs": ["input"], "out_channels": 8},
                 {"name": "r1", "op": "relu", "inputs": ["c1"]}],
      "stages": [{"name": "s0", "layers": ["c1"]}, {"name": "s1", "layers": ["r1"]}]})");
  ASSERT_EQ(m.layers().size(), 2u);
  EXPECT_EQ(m.layers()[0].attrs->at("out_channels"), 8);
  EXPECT_EQ(m.stages()[1].layers, (std::vector<std::string>{"r1"}));
}

TEST(Model, CycleIsAnError) {
  expect_error(R"({"schema": "sgprs.model/1", "name": "net", "stages": [
      {"name": "a", "after": ["b"]}, {"name": "b", "after": ["a"]}]})", "stages", "cycle");
}

TEST(Model, DanglingEdgeIsAnError) {
  expect_error(R"({"schema": "sgprs.model/1", "name": "net", "stages": [
      {"name": "a"}, {"name": "b", "after": ["ghost"]}]})", "stages[1].after[0]", "unknown stage 'ghost'");
}

TEST(Model, SelfLoopAndDuplicatesAreErrors) {
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "stages": [{"name": "a", "after": ["a"]}]})",
               "stages[0].after[0]", "itself");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "stages": [{"name": "a"}, {"name": "a"}]})",
               "stages[1].name", "duplicate");
}

TEST(Model, LayerErrors) {
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "layers": [{"name": "x", "op": "relu", "inputs": ["y"]}],
      "stages": [{"name": "a", "layers": ["x"]}]})", "layers[0].inputs[0]", "'y'");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "layers": [{"name": "x", "op": "relu"}],
      "stages": [{"name": "a", "layers": ["z"]}]})", "stages[0].layers[0]", "unknown layer 'z'");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "layers": [{"name": "x", "op": "relu"}],
      "stages": [{"name": "a"}]})", "stages", "belongs to no stage");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "layers": [{"name": "x", "op": "relu"}],
      "stages": [{"name": "a", "layers": ["x"]}, {"name": "b", "layers": ["x"]}]})", "stages[1].layers[0]", "already");
}

TEST(Model, MisspeltFieldsAreErrors) {
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "stages": [{"name": "a"}, {"name": "b", "afer": ["a"]}]})",
               "stages[1].afer", "unknown field");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "stage": [], "stages": [{"name": "a"}]})", "stage",
               "unknown field");
}

TEST(Model, MissingAndMistypedFields) {
  expect_error(R"({"schema": "sgprs.model/1", "stages": [{"name": "a"}]})", "name", "missing");
  expect_error(R"({"schema": "sgprs.model/1", "name": 5, "stages": [{"name": "a"}]})", "name", "string");
  expect_error(R"({"schema": "sgprs.model/1", "name": "n", "stages": []})", "stages", "at least one");
  expect_error(R"({"schema": "sgprs.model/2", "name": "n", "stages": [{"name": "a"}]})", "schema", "version");
}

TEST(Model, ConcurrencyLanesSeparateParallelBranchesOnly) {
  const Model chain = parse(R"({"schema": "sgprs.model/1", "name": "net",
      "stages": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})");
  EXPECT_EQ(chain.concurrency_lanes(), (std::vector<int>{0, 0, 0}));
  // Inception-V3's shape: two branches between a fork and a join, then a tail.
  const Model fork = parse(R"({"schema": "sgprs.model/1", "name": "net",
      "stages": [{"name": "stem"}, {"name": "x", "after": ["stem"]}, {"name": "y", "after": ["stem"]},
                 {"name": "join", "after": ["x", "y"]}, {"name": "head", "after": ["join"]}]})");
  EXPECT_EQ(fork.concurrency_lanes(), (std::vector<int>{0, 0, 1, 0, 0}));
  // Three branches need three lanes; a branch of two stages keeps one lane along it.
  const Model wide = parse(R"({"schema": "sgprs.model/1", "name": "net",
      "stages": [{"name": "s"}, {"name": "a1", "after": ["s"]}, {"name": "a2", "after": ["a1"]},
                 {"name": "b", "after": ["s"]}, {"name": "c", "after": ["s"]},
                 {"name": "t", "after": ["a2", "b", "c"]}]})");
  const std::vector<int> lanes = wide.concurrency_lanes();
  EXPECT_EQ(lanes, (std::vector<int>{0, 0, 0, 1, 2, 0}));
}

TEST(Model, ShippedInceptionRunsItsTwoMixed6eBranchesOnTwoLanes) {
  const Model m = Model::load(std::string(SGPRS_SOURCE_DIR) + "/traces/models/inception_v3.json");
  const std::vector<int> lanes = m.concurrency_lanes();
  EXPECT_NE(lanes[m.find_stage("mixed6e_a")], lanes[m.find_stage("mixed6e_b")]);
  EXPECT_EQ(*std::max_element(lanes.begin(), lanes.end()), 1);
}
