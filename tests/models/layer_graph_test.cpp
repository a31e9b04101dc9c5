// build_layer_graph on small hand-written models: shapes worked out by hand, and the bad inputs
// it must reject with the offending field named.
#include "common/errors.hpp"
#include "common/model.hpp"
#include "profiler/models/layer_graph.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace sgprs::profiler {
namespace {

Model model_of(const char* layers, const char* stages, const char* shape = "[8, 10, 10]") {
  const std::string text = std::string(R"({"schema": "sgprs.model/1", "name": "t", "input": {"shape": )") + shape +
                           R"(}, "layers": )" + layers + R"(, "stages": )" + stages + "}";
  return Model::from_json(Json::parse(text), "t.json");
}

// Runs build_layer_graph expecting an InputError on `field` whose message contains `words`.
void expect_rejected(const Model& model, const std::string& field, const std::string& words) {
  try {
    build_layer_graph(model, "t.json");
    FAIL() << "accepted; expected an error on " << field;
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(LayerGraph, ConvolutionAndPoolingShapesFollowTheFloorFormula) {
  const Model m = model_of(
      R"([{"name": "c", "op": "conv2d", "inputs": ["input"], "out_channels": 16, "kernel": 3, "stride": 2, "padding": 1},
          {"name": "dw", "op": "conv2d", "inputs": ["c"], "out_channels": 16, "kernel": [1, 3], "padding": [0, 1], "groups": 16},
          {"name": "p", "op": "maxpool2d", "inputs": ["dw"], "kernel": 2},
          {"name": "u", "op": "upsample", "inputs": ["p"], "scale": 3},
          {"name": "g", "op": "global_avgpool", "inputs": ["u"]},
          {"name": "f", "op": "flatten", "inputs": ["g"]},
          {"name": "fc", "op": "linear", "inputs": ["f"], "out_features": 5}])",
      R"([{"name": "all", "layers": ["c", "dw", "p", "u", "g", "f", "fc"]}])");
  const LayerGraph g = build_layer_graph(m, "t.json");
  // (10 + 2 - 3) / 2 + 1 = 5; the 1x3 window with padding 1 keeps 5x5; pool 2 floors to 2x2.
  EXPECT_EQ(g.layers[0].out_shape, (Shape{16, 5, 5}));
  EXPECT_EQ(g.layers[1].out_shape, (Shape{16, 5, 5}));
  EXPECT_EQ(g.layers[1].window.kernel_w, 3);
  EXPECT_EQ(g.layers[1].window.pad_h, 0);
  EXPECT_EQ(g.layers[2].out_shape, (Shape{16, 2, 2}));
  EXPECT_EQ(g.layers[2].window.stride_h, 2);  // a pool's stride defaults to its kernel
  EXPECT_EQ(g.layers[3].out_shape, (Shape{16, 6, 6}));
  EXPECT_EQ(g.layers[4].out_shape, (Shape{16, 1, 1}));
  EXPECT_EQ(g.layers[5].out_shape, (Shape{16}));
  EXPECT_EQ(g.layers[6].out_shape, (Shape{5}));
  EXPECT_TRUE(g.layers[6].bias);  // linear has a bias unless told otherwise
  EXPECT_FALSE(g.layers[0].bias);
}

TEST(LayerGraph, ConcatSumsTheAxisAndAttentionSplitsHeads) {
  const Model m = model_of(
      R"([{"name": "a", "op": "relu", "inputs": ["input"]},
          {"name": "cat", "op": "concat", "inputs": ["input", "a", "input"]},
          {"name": "s", "op": "attention_scores", "inputs": ["input"], "heads": 2},
          {"name": "ctx", "op": "attention_context", "inputs": ["s", "input"], "heads": 2}])",
      R"([{"name": "all", "layers": ["a", "cat", "s", "ctx"]}])", "[4, 12]");
  const LayerGraph g = build_layer_graph(m, "t.json");
  EXPECT_EQ(g.layers[1].out_shape, (Shape{12, 12}));
  EXPECT_EQ(g.layers[2].out_shape, (Shape{2, 4, 4}));  // 4 tokens, D = 12 / 3 = 4, 2 heads
  EXPECT_EQ(g.layers[3].out_shape, (Shape{4, 4}));
}

TEST(LayerGraph, AttentionInOneLayerGivesTheContextShapeAndChecksItsHeads) {
  const Model m = model_of(R"([{"name": "att", "op": "attention", "inputs": ["input"], "heads": 4}])",
                           R"([{"name": "all", "layers": ["att"]}])", "[7, 96]");
  const LayerGraph g = build_layer_graph(m, "t.json");
  EXPECT_EQ(g.layers[0].out_shape, (Shape{7, 32}));  // 7 tokens, D = 96 / 3 = 32, 4 heads of 8
  EXPECT_EQ(g.layers[0].heads, 4);
  expect_rejected(model_of(R"([{"name": "att", "op": "attention", "inputs": ["input"], "heads": 5}])",
                           R"([{"name": "all", "layers": ["att"]}])", "[7, 96]"),
                  "layers[0].heads", "divide D");
  expect_rejected(model_of(R"([{"name": "att", "op": "attention", "inputs": ["input"], "heads": 2}])",
                           R"([{"name": "all", "layers": ["att"]}])", "[3, 7, 96]"),
                  "layers[0].inputs", "[T,3D]");
}

TEST(LayerGraph, RejectsAnUnknownOpNamingTheKnownOnes) {
  expect_rejected(model_of(R"([{"name": "x", "op": "conv3d", "inputs": ["input"]}])",
                           R"([{"name": "s", "layers": ["x"]}])"),
                  "layers[0].op", "known: conv2d");
}

TEST(LayerGraph, RejectsGroupsThatDoNotDivideTheChannels) {
  expect_rejected(model_of(R"([{"name": "x", "op": "conv2d", "inputs": ["input"], "out_channels": 6, "kernel": 1, "groups": 3}])",
                           R"([{"name": "s", "layers": ["x"]}])"),
                  "layers[0].groups", "must divide");
}

TEST(LayerGraph, RejectsAWindowLargerThanThePaddedInput) {
  expect_rejected(model_of(R"([{"name": "x", "op": "maxpool2d", "inputs": ["input"], "kernel": 11}])",
                           R"([{"name": "s", "layers": ["x"]}])"),
                  "layers[0].kernel", "does not fit");
}

TEST(LayerGraph, RejectsAddOfDifferentShapesAndMissingAttributes) {
  expect_rejected(model_of(R"([{"name": "p", "op": "maxpool2d", "inputs": ["input"], "kernel": 2},
                               {"name": "x", "op": "add", "inputs": ["input", "p"]}])",
                           R"([{"name": "s", "layers": ["p", "x"]}])"),
                  "layers[1].inputs", "equal shapes");
  expect_rejected(model_of(R"([{"name": "x", "op": "linear", "inputs": ["input"]}])",
                           R"([{"name": "s", "layers": ["x"]}])"),
                  "layers[0].out_features", "missing");
}

TEST(LayerGraph, RejectsAStageReadingALayerOfAStageItDoesNotFollow) {
  // "b" and "c" are siblings after "a"; c's layer reads b's layer without following b.
  const Model m = model_of(
      R"([{"name": "x", "op": "relu", "inputs": ["input"]},
          {"name": "y", "op": "relu", "inputs": ["x"]},
          {"name": "z", "op": "add", "inputs": ["x", "y"]}])",
      R"([{"name": "a", "layers": ["x"]}, {"name": "b", "after": ["a"], "layers": ["y"]},
          {"name": "c", "after": ["a"], "layers": ["z"]}])");
  expect_rejected(m, "layers[2].inputs", "does not follow");
}

TEST(LayerGraph, AcceptsReadingAStageFollowedTransitively) {
  const Model m = model_of(
      R"([{"name": "x", "op": "relu", "inputs": ["input"]},
          {"name": "y", "op": "relu", "inputs": ["x"]},
          {"name": "z", "op": "add", "inputs": ["x", "y"]}])",
      R"([{"name": "a", "layers": ["x"]}, {"name": "b", "layers": ["y"]}, {"name": "c", "layers": ["z"]}])");
  const LayerGraph g = build_layer_graph(m, "t.json");
  EXPECT_EQ(g.stage_layers[2], std::vector<int>{2});
}

}  // namespace
}  // namespace sgprs::profiler
