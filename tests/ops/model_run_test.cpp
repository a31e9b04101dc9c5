// Whole models on the GPU: ResNet-18 run stage by stage (eagerly and as one CUDA graph per
// stage) equals the same instance run in one go; batching does not mix samples; every shipped
// model and every op case runs in both dtypes. Plus the interface's error paths (no GPU needed).
#include "common/errors.hpp"
#include "gpu_fixture.hpp"
#include "profiler/models/layer_graph.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>

namespace sgprs::profiler {
namespace {

const std::string kModels = std::string(SGPRS_SOURCE_DIR) + "/traces/models/";

std::size_t shape_count(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

void poison_stage_outputs(ModelInstance& net, const Model& model) {
  for (const Stage& stage : model.stages())
    net.write_tensor(stage.layers.back(), testing::poison(shape_count(net.tensor_shape(stage.layers.back()))));
}

// Finite, and not one repeated value (a constant output would hide a broken graph).
void expect_meaningful(const std::vector<float>& out, const std::string& what) {
  ASSERT_FALSE(out.empty()) << what;
  std::set<float> distinct;
  for (float v : out) {
    ASSERT_TRUE(std::isfinite(v)) << what << ": non-finite output " << v;
    if (distinct.size() < 3) distinct.insert(v);
  }
  EXPECT_GE(distinct.size(), 2u) << what << ": constant output";
}

TEST(Dtype, ParsesTheTwoNamesAndRejectsOthersAsInputErrors) {
  EXPECT_EQ(parse_dtype("fp32"), DType::kFp32);
  EXPECT_EQ(parse_dtype("fp16"), DType::kFp16);
  try {
    parse_dtype("bf16");
    FAIL() << "bf16 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--dtype");
    EXPECT_NE(std::string(e.what()).find("fp32, fp16"), std::string::npos) << e.what();
  }
}

TEST(OpCases, UnknownCaseIsAnInputErrorListingTheKnownOnes) {
  try {
    OpInstance op("conv9x9", DType::kFp32);
    FAIL() << "unknown case accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "--ops");
    EXPECT_NE(std::string(e.what()).find("conv3x3_64c_56"), std::string::npos) << e.what();
  }
}

TEST(OpCases, CatalogueCoversTheIssuesOperations) {
  const auto names = op_case_names();
  const std::set<std::string> set(names.begin(), names.end());
  EXPECT_EQ(set.size(), names.size()) << "duplicate case names";
  for (const char* needed : {"conv3x3_64c_56", "dwconv3x3_144c_56", "conv3x3_s2_64to128c_56", "maxpool3x3_s2_64c_112",
                             "linear_768to3072_197tok", "attention_scores_12h_197tok", "batchnorm_64c_56",
                             "add_64c_56", "concat_2x64c_56", "upsample2x_128c_64", "softmax_12h_197tok",
                             "layernorm_768_197tok", "gelu_3072_197tok"})
    EXPECT_TRUE(set.contains(needed)) << needed;
}

TEST(OpCases, EveryCaseIsAValidModelWhoseLastStageIsTheOneOp) {
  for (const std::string& name : op_case_names()) {
    const Model model = op_case_model(name);
    const LayerGraph graph = build_layer_graph(model, name);  // throws on a bad shape or attribute
    ASSERT_FALSE(model.stages().empty());
    EXPECT_EQ(model.stages().back().name, "op") << name;
    EXPECT_EQ(model.stages().back().layers, std::vector<std::string>{"op"}) << name;
    EXPECT_LE(model.stages().size(), 2u) << name;
  }
}

class Resnet18Stages : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }
};

TEST_P(Resnet18Stages, StageByStageAndGraphReplayEqualOneRun) {
  const Model model = Model::load(kModels + "resnet18.json");
  ModelInstance net(model, GetParam(), 2);
  ASSERT_EQ(net.stage_count(), 6u);
  testing::Stream stream;
  net.write_tensor("input", testing::random_values(shape_count(net.tensor_shape("input")), 11));

  poison_stage_outputs(net, model);
  net.enqueue_all(stream.get(), 0);
  stream.sync();
  const std::vector<float> whole = net.read_tensor("fc");
  expect_meaningful(whole, "resnet18 in one go");
  ASSERT_EQ(whole.size(), 2000u);

  // Stage by stage, the host waiting between stages; every stage boundary poisoned before, so
  // a stage that did not run (or read a stale tensor) shows as NaN or a difference.
  poison_stage_outputs(net, model);
  for (std::size_t s = 0; s < net.stage_count(); ++s) {
    net.enqueue_stage(s, stream.get(), 0);
    stream.sync();
  }
  // Same kernels, but engines that split reductions with atomics may round differently.
  testing::expect_close(net.read_tensor("fc"), whole, GetParam(), "stage by stage vs one run");

  // One CUDA graph per stage, captured on the stream that already ran eagerly (handles exist).
  std::vector<cudaGraphExec_t> graphs;
  for (std::size_t s = 0; s < net.stage_count(); ++s) {
    cudaGraph_t graph = nullptr;
    ASSERT_EQ(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeGlobal), cudaSuccess);
    net.enqueue_stage(s, stream.get(), 0);
    ASSERT_EQ(cudaStreamEndCapture(stream.get(), &graph), cudaSuccess) << "stage " << s << " is not capturable";
    cudaGraphExec_t exec = nullptr;
    ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
    cudaGraphDestroy(graph);
    graphs.push_back(exec);
  }
  poison_stage_outputs(net, model);
  for (cudaGraphExec_t exec : graphs) ASSERT_EQ(cudaGraphLaunch(exec, stream.get()), cudaSuccess);
  stream.sync();
  testing::expect_close(net.read_tensor("fc"), whole, GetParam(), "graph replay vs one run");
  for (cudaGraphExec_t exec : graphs) cudaGraphExecDestroy(exec);
}

TEST_P(Resnet18Stages, PartitionSizedLibraryChoicesGiveTheSameAnswer) {
  const Model model = Model::load(kModels + "resnet18.json");
  ModelInstance net(model, GetParam(), 1);
  testing::Stream stream;
  net.enqueue_all(stream.get(), 0);
  stream.sync();
  const auto whole_gpu = net.read_tensor("fc");
  for (int sm : {8, 16, 64}) {
    poison_stage_outputs(net, model);
    net.enqueue_all(stream.get(), sm);
    stream.sync();
    testing::expect_close(net.read_tensor("fc"), whole_gpu, GetParam(), "resnet18 told " + std::to_string(sm) + " SMs");
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, Resnet18Stages, ::testing::Values(DType::kFp32, DType::kFp16),
                         [](const auto& p) { return std::string(dtype_name(p.param)); });

// A batch of two gives, for its first sample, what a batch of one gives for the same image:
// weights depend on model and layer names only, and no op may mix samples (attention's
// per-sample matmuls, concat's per-sample slices).
class BatchIndependence : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }
};

TEST_P(BatchIndependence, FirstSampleOfABatchOfTwoEqualsABatchOfOne) {
  const Model model = Model::load(kModels + GetParam() + ".json");
  const std::string last = model.layers().back().name;
  testing::Stream stream;
  ModelInstance one(model, DType::kFp32, 1), two(model, DType::kFp32, 2);
  const std::size_t per_sample = shape_count(one.tensor_shape("input"));
  const auto image = testing::random_values(per_sample, 5);
  auto pair = image;
  const auto other = testing::random_values(per_sample, 6);
  pair.insert(pair.end(), other.begin(), other.end());
  one.write_tensor("input", image);
  two.write_tensor("input", pair);
  one.enqueue_all(stream.get(), 0);
  two.enqueue_all(stream.get(), 0);
  stream.sync();
  const auto single = one.read_tensor(last);
  auto batched = two.read_tensor(last);
  expect_meaningful(single, GetParam());
  batched.resize(single.size());
  // Different batch sizes may pick different algorithms: close, not identical.
  testing::expect_close(batched, single, DType::kFp32, GetParam() + " sample 0 of 2 vs alone");
}

INSTANTIATE_TEST_SUITE_P(Models, BatchIndependence, ::testing::Values("resnet18", "inception_v3", "vit_b16"));

// The live mode gives every task of a model its own activations and one copy of the weights: an
// instance that shares another's weights computes what that one computes on the same input, holds
// its own activations, and counts no weight bytes of its own; the weights outlive the donor.
TEST_P(BatchIndependence, AnInstanceSharingWeightsComputesWhatItsDonorComputes) {
  const Model model = Model::load(kModels + GetParam() + ".json");
  const std::string last = model.layers().back().name;
  testing::Stream stream;
  auto donor = std::make_unique<ModelInstance>(model, Precision::kFp32, 1);
  ModelInstance sharing(model, Precision::kFp32, 1, *donor);
  EXPECT_LT(sharing.device_bytes(), donor->device_bytes());
  const auto image = testing::random_values(shape_count(donor->tensor_shape("input")), 7);
  donor->write_tensor("input", image);
  sharing.write_tensor("input", testing::random_values(image.size(), 8));
  donor->enqueue_all(stream.get(), 0);
  stream.sync();
  const auto expected = donor->read_tensor(last);
  expect_meaningful(expected, GetParam());
  EXPECT_NE(sharing.read_tensor("input"), donor->read_tensor("input")) << "inputs are per instance";
  donor.reset();
  sharing.write_tensor("input", image);
  sharing.enqueue_all(stream.get(), 0);
  stream.sync();
  testing::expect_close(sharing.read_tensor(last), expected, DType::kFp32, GetParam() + " with shared weights");
}

// The live mode's case: graphs captured on one stream, replayed on whichever stream is free,
// several instances at once. With their own workspaces, instances running at the same time
// compute what one instance computes alone (a shared workspace corrupts cuDNN's and cuBLAS's
// partial sums and split-K counters, and can hang the GPU).
class ConcurrentReplay : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }
};

TEST_P(ConcurrentReplay, InstancesWithOwnWorkspacesReplayOnAnyStreamAtOnce) {
  const Model model = Model::load(kModels + GetParam() + ".json");
  const std::string last = model.layers().back().name;
  constexpr int kInstances = 4, kSms = 16, kRounds = 5;
  testing::Stream capture_stream;
  std::vector<std::unique_ptr<testing::Stream>> streams;
  for (int i = 0; i < kInstances; ++i) streams.push_back(std::make_unique<testing::Stream>());
  std::vector<std::unique_ptr<ModelInstance>> nets;
  for (int i = 0; i < kInstances; ++i) {
    nets.push_back(std::make_unique<ModelInstance>(model, Precision::kTf32, 1));
    nets.back()->use_own_workspace();
    nets.back()->enqueue_all(capture_stream.get(), kSms);  // eager: handles and plans exist
  }
  capture_stream.sync();
  const std::vector<float> alone = nets[0]->read_tensor(last);
  expect_meaningful(alone, GetParam() + " alone");

  // Every instance captured on the same stream, as the live mode's rotation may do.
  std::vector<cudaGraphExec_t> graphs;
  for (auto& net : nets) {
    cudaGraph_t graph = nullptr;
    ASSERT_EQ(cudaStreamBeginCapture(capture_stream.get(), cudaStreamCaptureModeGlobal), cudaSuccess);
    net->enqueue_all(capture_stream.get(), kSms);
    ASSERT_EQ(cudaStreamEndCapture(capture_stream.get(), &graph), cudaSuccess);
    cudaGraphExec_t exec = nullptr;
    ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
    cudaGraphDestroy(graph);
    graphs.push_back(exec);
  }
  for (int round = 0; round < kRounds; ++round) {
    for (auto& net : nets) poison_stage_outputs(*net, model);
    // Instance i on stream (i + round) mod n: each graph also runs on streams it was not captured on.
    for (int i = 0; i < kInstances; ++i)
      ASSERT_EQ(cudaGraphLaunch(graphs[static_cast<std::size_t>(i)],
                                streams[static_cast<std::size_t>((i + round) % kInstances)]->get()),
                cudaSuccess);
    for (auto& s : streams) s->sync();
    for (int i = 0; i < kInstances; ++i)
      testing::expect_close(nets[static_cast<std::size_t>(i)]->read_tensor(last), alone, DType::kFp32,
                            GetParam() + " instance " + std::to_string(i) + " round " + std::to_string(round));
  }
  for (cudaGraphExec_t exec : graphs) cudaGraphExecDestroy(exec);
}

INSTANTIATE_TEST_SUITE_P(Models, ConcurrentReplay, ::testing::Values("resnet50", "mobilenet_v2", "vit_b16"));

class EveryShippedModel : public ::testing::TestWithParam<std::tuple<std::string, Precision>> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }
};

TEST_P(EveryShippedModel, RunsAllStagesToAFiniteOutput) {
  const auto& [name, precision] = GetParam();
  const Model model = Model::load(kModels + name + ".json");
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  ModelInstance net(model, precision, 1);
  const auto t1 = Clock::now();
  testing::Stream stream;
  poison_stage_outputs(net, model);
  const auto t2 = Clock::now();
  // The first enqueue at a new SM count builds the libraries' per-SM-count plans (host work).
  for (std::size_t s = 0; s < net.stage_count(); ++s) net.enqueue_stage(s, stream.get(), 32);
  stream.sync();
  const auto t3 = Clock::now();
  expect_meaningful(net.read_tensor(model.layers().back().name), name);
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("[ info ] %s %s: %zu stages, %.1f MiB on the GPU; construct %.0f ms, first run at 32 SMs %.0f ms\n",
              name.c_str(), std::string(precision_name(precision)).c_str(), net.stage_count(),
              static_cast<double>(net.device_bytes()) / (1 << 20), ms(t0, t1), ms(t2, t3));
  std::printf("[ info ] %s\n", library_notes().c_str());
}

INSTANTIATE_TEST_SUITE_P(Models, EveryShippedModel,
                         ::testing::Combine(::testing::Values("resnet18", "resnet50", "mobilenet_v2", "unet",
                                                              "inception_v3", "vit_b16"),
                                            ::testing::Values(Precision::kFp32, Precision::kTf32, Precision::kFp16)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + "_" + std::string(precision_name(std::get<1>(p.param)));
                         });

TEST(OpCases, EveryCaseRunsInBothDtypesAtTwoSmCounts) {
  SGPRS_REQUIRE_GPU();
  testing::Stream stream;
  for (const std::string& name : op_case_names())
    for (DType dtype : {DType::kFp32, DType::kFp16}) {
      OpInstance op(name, dtype);
      EXPECT_NE(op.description().find(name), std::string::npos);
      for (int sm : {8, 132}) op.enqueue(stream.get(), sm);
      stream.sync();
      EXPECT_EQ(cudaGetLastError(), cudaSuccess) << name;
    }
}

}  // namespace
}  // namespace sgprs::profiler
