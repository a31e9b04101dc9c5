// Every traces/models/*.json: loads with Model::load, has the documented stage cut, and its
// layer graph type-checks with the shapes and parameter counts of the published networks.
#include "common/model.hpp"
#include "profiler/models/layer_graph.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sgprs::profiler {
namespace {

const std::string kModelDir = std::string(SGPRS_SOURCE_DIR) + "/traces/models/";

// Learnable parameters as torch.nn.Module.parameters() counts them (batch-norm running
// statistics are buffers, not parameters), so the totals can be compared with the literature.
std::int64_t learnable_parameters(const LayerGraph& graph) {
  std::int64_t total = 0;
  for (const LayerSpec& l : graph.layers) {
    const Shape& x = l.input_shapes.at(0);
    switch (l.kind) {
      case OpKind::kConv2d:
        total += l.out_channels * (x[0] / l.groups) * l.window.kernel_h * l.window.kernel_w + (l.bias ? l.out_channels : 0);
        break;
      case OpKind::kBatchNorm: total += 2 * x[0]; break;
      case OpKind::kLayerNorm: total += 2 * x.back(); break;
      case OpKind::kLinear: total += x.back() * l.out_features + (l.bias ? l.out_features : 0); break;
      case OpKind::kPatchTokens: total += element_count(l.out_shape) + x[0]; break;  // position + class token
      default: break;
    }
  }
  return total;
}

struct Expected {
  std::vector<std::string> stages;
  Shape output;                 // last layer, per sample
  std::int64_t parameters;      // torchvision's count (U-Net: the common PyTorch 'bilinear' U-Net)
};

const std::map<std::string, Expected>& expected_models() {
  static const std::map<std::string, Expected> models{
      {"resnet18", {{"stem", "layer1", "layer2", "layer3", "layer4", "head"}, {1000}, 11'689'512}},
      {"resnet50", {{"stem", "layer1", "layer2", "layer3", "layer4", "head"}, {1000}, 25'557'032}},
      {"mobilenet_v2", {{"stem", "block24", "block32", "block64_96", "block160_320", "head"}, {1000}, 3'504'872}},
      {"unet", {{"enc1", "enc2", "bottleneck", "dec1", "dec2", "dec3"}, {2, 256, 256}, 17'263'042}},
      // torchvision's 27'161'264 less its auxiliary classifier (3'326'696), which inference skips.
      {"inception_v3",
       {{"stem", "mixed5", "mixed6", "mixed6e_a", "mixed6e_b", "mixed7", "head"}, {1000}, 23'834'568}},
      {"vit_b16", {{"embed", "blocks0_2", "blocks3_5", "blocks6_8", "blocks9_11", "head"}, {1000}, 86'567'656}},
  };
  return models;
}

std::vector<std::string> stage_names(const Model& model) {
  std::vector<std::string> names;
  for (const Stage& s : model.stages()) names.push_back(s.name);
  return names;
}

TEST(ModelFiles, TheShippedSetIsExactlyTheDocumentedOne) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kModelDir))
    if (entry.path().extension() == ".json") found.insert(entry.path().stem().string());
  std::set<std::string> expected;
  for (const auto& [name, e] : expected_models()) expected.insert(name);
  EXPECT_EQ(found, expected);
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, LoadsWithItsStageCutShapesAndParameterCount) {
  const std::string& name = GetParam();
  const Expected& e = expected_models().at(name);
  const Model model = Model::load(kModelDir + name + ".json");
  EXPECT_EQ(model.name(), name);
  EXPECT_FALSE(model.description().empty());
  EXPECT_EQ(stage_names(model), e.stages);
  EXPECT_GE(model.stages().size(), 4u);
  EXPECT_LE(model.stages().size(), 8u);

  const LayerGraph graph = build_layer_graph(model, name);
  EXPECT_EQ(graph.layers.back().out_shape, e.output);
  EXPECT_EQ(learnable_parameters(graph), e.parameters);

  // Every layer sits in exactly one stage (Model::load checks membership; count here too).
  std::vector<int> owners(graph.layers.size(), 0);
  for (const auto& members : graph.stage_layers)
    for (int layer : members) ++owners[static_cast<std::size_t>(layer)];
  for (std::size_t i = 0; i < owners.size(); ++i) EXPECT_EQ(owners[i], 1) << graph.layers[i].name;
  // No stage is empty: an empty stage would be a zero-length graph to time.
  for (std::size_t s = 0; s < graph.stage_layers.size(); ++s) EXPECT_FALSE(graph.stage_layers[s].empty()) << s;
}

INSTANTIATE_TEST_SUITE_P(Shipped, EveryModel,
                         ::testing::Values("resnet18", "resnet50", "mobilenet_v2", "unet", "inception_v3", "vit_b16"));

TEST(ModelFiles, ResNet18HasTwoBasicBlocksPerLayerAndPaperStages) {
  const Model model = Model::load(kModelDir + "resnet18.json");
  ASSERT_TRUE(model.is_chain());
  const LayerGraph graph = build_layer_graph(model, "resnet18");
  // A basic block is conv-bn-relu-conv-bn-add-relu (7 layers); the first block of layer2..4
  // adds a downsampling conv-bn (2 layers). Stem: conv, bn, relu, maxpool. Head: pool, flatten, fc.
  const std::vector<std::size_t> sizes{4, 14, 16, 16, 16, 3};
  for (std::size_t s = 0; s < sizes.size(); ++s) EXPECT_EQ(graph.stage_layers[s].size(), sizes[s]) << s;
  // Stage boundaries carry the feature maps of the paper's Figure: 64x56x56 ... 512x7x7.
  const std::vector<Shape> boundary{{64, 56, 56}, {64, 56, 56}, {128, 28, 28}, {256, 14, 14}, {512, 7, 7}};
  for (std::size_t s = 0; s < boundary.size(); ++s) {
    const int last = graph.stage_layers[s].back();
    EXPECT_EQ(graph.layers[static_cast<std::size_t>(last)].out_shape, boundary[s]) << model.stages()[s].name;
  }
}

TEST(ModelFiles, InceptionV3StageGraphForksAndJoins) {
  const Model model = Model::load(kModelDir + "inception_v3.json");
  EXPECT_FALSE(model.is_chain());
  const std::size_t mixed6 = model.find_stage("mixed6");
  const std::size_t a = model.find_stage("mixed6e_a");
  const std::size_t b = model.find_stage("mixed6e_b");
  const std::size_t join = model.find_stage("mixed7");
  ASSERT_NE(join, Model::npos);
  EXPECT_EQ(model.stages()[a].predecessors, std::vector<std::size_t>{mixed6});
  EXPECT_EQ(model.stages()[b].predecessors, std::vector<std::size_t>{mixed6});
  EXPECT_EQ(model.stages()[join].predecessors, (std::vector<std::size_t>{a, b}));
  EXPECT_EQ(model.stages()[mixed6].successors.size(), 2u);
  EXPECT_EQ(model.sink_stages(), std::vector<std::size_t>{model.find_stage("head")});
  // The join's concatenation of Mixed_6e is 768 channels at 17x17, the input of Mixed_7a.
  const LayerGraph graph = build_layer_graph(model, "inception_v3");
  EXPECT_EQ(graph.layers[static_cast<std::size_t>(graph.find_layer("Mixed_6e.concat"))].out_shape,
            (Shape{768, 17, 17}));
  EXPECT_EQ(graph.layers[static_cast<std::size_t>(graph.find_layer("Mixed_7c.concat"))].out_shape,
            (Shape{2048, 8, 8}));
}

TEST(ModelFiles, VitTokensAndAttentionShapes) {
  const Model model = Model::load(kModelDir + "vit_b16.json");
  const LayerGraph graph = build_layer_graph(model, "vit_b16");
  auto shape_of = [&](const char* name) { return graph.layers[static_cast<std::size_t>(graph.find_layer(name))].out_shape; };
  EXPECT_EQ(shape_of("tokens"), (Shape{197, 768}));  // 14x14 patches + the class token
  EXPECT_EQ(shape_of("encoder.0.qkv"), (Shape{197, 2304}));
  EXPECT_EQ(shape_of("encoder.0.attention"), (Shape{197, 768}));  // one layer, as PyTorch's fused call
  EXPECT_EQ(graph.layers[static_cast<std::size_t>(graph.find_layer("encoder.11.attention"))].heads, 12);
}

}  // namespace
}  // namespace sgprs::profiler
