// The direct depthwise convolution (profiler/ops/depthwise_conv.hpp), the default path of
// depthwise layers: against the CPU reference on MobileNet-V2's shapes and odd ones, at several
// partition sizes (its tiling follows the SM count), with its bias and with the batch norm and
// ReLU6 that follow it in MobileNet-V2; against the cuDNN path it replaces (SGPRS_DEPTHWISE=cudnn)
// on single layers and on the whole model; and its tiling, which needs no GPU. Under
// SGPRS_DEPTHWISE=cudnn (ctest's ops_depthwise_tests_through_cudnn) the same reference checks run
// on cuDNN.
#include "cpu_reference.hpp"
#include "gpu_fixture.hpp"
#include "profiler/ops/depthwise_conv.hpp"
#include "profiler/ops/library_notes.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

namespace sgprs::profiler {
namespace {

namespace ref = reference;
using testing::expect_close;

// One depthwise layer "y" on [channels, h, w]; `kernel`, `stride`, `padding` as in a model file.
struct Dw {
  std::int64_t channels, h, w, kernel, stride, padding;
  bool bias;
  std::string layer() const {
    return R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":)" + std::to_string(channels) +
           R"(,"kernel":)" + std::to_string(kernel) + R"(,"stride":)" + std::to_string(stride) + R"(,"padding":)" +
           std::to_string(padding) + R"(,"groups":)" + std::to_string(channels) +
           R"(,"bias":)" + (bias ? "true" : "false") + "}]";
  }
  std::string input() const {
    return "[" + std::to_string(channels) + "," + std::to_string(h) + "," + std::to_string(w) + "]";
  }
  ref::Conv conv(std::int64_t batch) const {
    return {batch, channels, h, w, channels, kernel, kernel, stride, stride, padding, padding, channels};
  }
  std::string name() const {
    return std::to_string(channels) + "c " + std::to_string(h) + "x" + std::to_string(w) + " k" +
           std::to_string(kernel) + " s" + std::to_string(stride) + " p" + std::to_string(padding) +
           (bias ? " + bias" : "");
  }
};

// Every depthwise layer of MobileNet-V2 (224x224 input): channels, input size, stride.
const std::vector<Dw> kMobileNetLayers = {
    {32, 112, 112, 3, 1, 1, false}, {96, 112, 112, 3, 2, 1, false}, {144, 56, 56, 3, 1, 1, false},
    {144, 56, 56, 3, 2, 1, false},  {192, 28, 28, 3, 1, 1, false},  {192, 28, 28, 3, 2, 1, false},
    {384, 14, 14, 3, 1, 1, false},  {576, 14, 14, 3, 1, 1, false},  {576, 14, 14, 3, 2, 1, false},
    {960, 7, 7, 3, 1, 1, false}};

bool direct_is_default() { return !ops::depthwise_through_cudnn(); }

class DepthwiseCheck : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }

  // Runs `dw` (batch 2) told `sm_count` SMs and compares it with the reference; checks that it
  // took the direct kernel unless SGPRS_DEPTHWISE=cudnn says otherwise.
  void check(const Dw& dw, int sm_count, float lo = -1.0f, float hi = 1.0f) {
    const long direct_before = ops::conv_path_counts().direct_depthwise.load();
    const auto net = testing::run_layers(dw.layer(), dw.input(), strict_precision(GetParam()), 2, stream_, lo, hi,
                                         sm_count);
    EXPECT_EQ(ops::conv_path_counts().direct_depthwise.load() - direct_before, direct_is_default() ? 1 : 0)
        << dw.name();
    const auto bias = dw.bias ? net->read_param("y", 1) : std::vector<float>{};
    expect_close(net->read_tensor("y"),
                 ref::conv2d(dw.conv(2), net->read_tensor("input"), net->read_param("y", 0), dw.bias ? &bias : nullptr),
                 GetParam(), "depthwise " + dw.name() + " at " + std::to_string(sm_count) + " SMs");
  }

  void check(std::initializer_list<Dw> layers, int sm_count = 8) {
    for (const Dw& dw : layers) check(dw, sm_count);
  }

  testing::Stream stream_;
};

TEST_P(DepthwiseCheck, Stride1OddSizes) {
  check({{24, 7, 7, 3, 1, 1, true}, {16, 14, 14, 3, 1, 1, false}, {4, 112, 112, 3, 1, 1, true},
         {5, 9, 13, 3, 1, 1, true}, {3, 1, 1, 3, 1, 1, false}});
}

TEST_P(DepthwiseCheck, Stride2OddSizes) {
  check({{24, 7, 7, 3, 2, 1, true}, {16, 14, 14, 3, 2, 1, false}, {4, 112, 112, 3, 2, 1, false},
         {5, 13, 9, 3, 2, 1, true}, {6, 2, 2, 3, 2, 1, false}});
}

// Sizes no shipped model has go through the kernel's generic (runtime filter size) variant.
TEST_P(DepthwiseCheck, OtherFilterSizesAndPadding) {
  check({{8, 14, 14, 5, 1, 2, true}, {8, 15, 15, 5, 2, 2, false}, {6, 9, 9, 3, 1, 0, true},
         {4, 10, 10, 1, 1, 0, false}, {4, 17, 17, 7, 2, 3, true}});
}

// The tile shrinks as the partition grows (whole rows of one plane at 8 SMs, a row or two at 132;
// several whole planes a block for 7x7), so each count exercises other tile edges.
TEST_P(DepthwiseCheck, EveryPartitionSizeOnMobileNetShapes) {
  for (const Dw& dw : {Dw{32, 112, 112, 3, 1, 1, false}, Dw{96, 28, 28, 3, 2, 1, true}, Dw{960, 7, 7, 3, 1, 1, false},
                       Dw{576, 14, 14, 3, 2, 1, false}})
    for (int sm : {0, 8, 16, 40, 132}) check(dw, sm);
}

// MobileNet-V2's block: depthwise conv, batch norm, ReLU6. Inputs in [-8, 8) so that ReLU6's cap
// is reached; each layer against the reference of the GPU's own input to it.
TEST_P(DepthwiseCheck, FollowedByBatchNormAndRelu6AsInMobileNet) {
  const auto net = testing::run_layers(
      R"([{"name":"dw","op":"conv2d","inputs":["input"],"out_channels":48,"kernel":3,"stride":2,"padding":1,"groups":48},
          {"name":"bn","op":"batchnorm","inputs":["dw"]},
          {"name":"y","op":"relu6","inputs":["bn"]}])",
      "[48,15,15]", strict_precision(GetParam()), 2, stream_, -8.0f, 8.0f, 8);
  const DType dtype = GetParam();
  expect_close(net->read_tensor("dw"),
               ref::conv2d({2, 48, 15, 15, 48, 3, 3, 2, 2, 1, 1, 48}, net->read_tensor("input"),
                           net->read_param("dw", 0), nullptr),
               dtype, "depthwise 3x3 s2 before batch norm");
  const auto bn = ref::batchnorm(net->read_tensor("dw"), 48, 64, net->read_param("bn", 0), net->read_param("bn", 1),
                                 net->read_param("bn", 2), net->read_param("bn", 3), 1e-5);
  expect_close(net->read_tensor("bn"), bn, dtype, "batch norm after the depthwise conv");
  const auto y = net->read_tensor("y");
  expect_close(y, ref::relu(net->read_tensor("bn"), 6.0f), dtype, "relu6 after the batch norm");
  EXPECT_TRUE(std::any_of(y.begin(), y.end(), [](float v) { return v == 6.0f; })) << "ReLU6's cap never reached";
}

INSTANTIATE_TEST_SUITE_P(Dtypes, DepthwiseCheck, ::testing::Values(DType::kFp32, DType::kFp16),
                         [](const auto& p) { return std::string(dtype_name(p.param)); });

// Builds and runs the same layers (same seeded weights and input) once on cuDNN and once on the
// direct kernel, restoring the process's choice afterwards; returns {cuDNN, direct} outputs of `out`.
struct BothPaths {
  std::vector<float> cudnn, direct;
};
BothPaths run_both(const Model& model, Precision precision, int sm_count, const std::string& out) {
  testing::Stream stream;
  BothPaths result;
  const bool before = ops::depthwise_through_cudnn();
  for (bool cudnn : {true, false}) {
    ops::set_depthwise_through_cudnn(cudnn);
    const long direct_before = ops::conv_path_counts().direct_depthwise.load();
    ModelInstance net(model, precision, 1);
    const bool took_direct = ops::conv_path_counts().direct_depthwise.load() > direct_before;
    EXPECT_EQ(took_direct, !cudnn) << model.name();
    net.enqueue_all(stream.get(), sm_count);
    stream.sync();
    (cudnn ? result.cudnn : result.direct) = net.read_tensor(out);
  }
  ops::set_depthwise_through_cudnn(before);
  return result;
}

// tf32 lets cuDNN round the inputs to TF32; the direct kernel never does: fp16's tolerance then.
DType tolerance_of(Precision precision) { return precision == Precision::kFp32 ? DType::kFp32 : DType::kFp16; }

class DepthwisePaths : public ::testing::TestWithParam<Precision> {
 protected:
  void SetUp() override { SGPRS_REQUIRE_GPU(); }
};

TEST_P(DepthwisePaths, DirectEqualsCudnnOnEveryMobileNetLayerAt8Sms) {
  for (const Dw& dw : kMobileNetLayers) {
    const auto out = run_both(testing::single_stage_model(dw.layer(), dw.input()), GetParam(), 8, "y");
    expect_close(out.direct, out.cudnn, tolerance_of(GetParam()), "direct vs cuDNN, depthwise " + dw.name());
  }
}

// Through 17 depthwise layers and everything between them; the class scores differ only by the
// summation order of each depthwise sum (and TF32 rounding on the cuDNN path in tf32), hence
// fp16's tolerance for every precision.
TEST_P(DepthwisePaths, WholeMobileNetV2GivesTheSameScoresOnBothPaths) {
  const Model model = Model::load(std::string(SGPRS_SOURCE_DIR) + "/traces/models/mobilenet_v2.json");
  const auto out = run_both(model, GetParam(), 8, model.layers().back().name);
  expect_close(out.direct, out.cudnn, DType::kFp16, "mobilenet_v2 scores, direct vs cuDNN depthwise");
  EXPECT_NE(library_notes().find("direct depthwise kernel"), std::string::npos) << library_notes();
}

INSTANTIATE_TEST_SUITE_P(Precisions, DepthwisePaths,
                         ::testing::Values(Precision::kFp32, Precision::kTf32, Precision::kFp16),
                         [](const auto& p) { return std::string(precision_name(p.param)); });

// Host only from here: the tiling of each MobileNet-V2 layer and some odd shapes, at the SM counts
// the profiler measures.
TEST(DepthwiseTiling, EveryOutputRowOfEveryPlaneInExactlyOneBlockWithinSharedMemory) {
  std::vector<ops::DepthwiseShape> shapes;
  for (const Dw& dw : kMobileNetLayers)
    for (std::int64_t batch : {1, 4})
      shapes.push_back({batch, dw.channels, dw.h, dw.w, 3, 3, dw.stride, dw.stride, 1, 1});
  shapes.push_back({2, 5, 9, 13, 3, 3, 2, 2, 1, 1});
  shapes.push_back({1, 3, 1, 1, 3, 3, 1, 1, 1, 1});
  shapes.push_back({1, 8, 15, 15, 5, 5, 2, 2, 2, 2});
  shapes.push_back({1, 2, 4000, 4000, 3, 3, 1, 1, 1, 1});
  for (const auto& s : shapes)
    for (int sm : {1, 8, 16, 32, 64, 132}) {
      const std::string what = std::to_string(s.batch) + "x" + std::to_string(s.channels) + "c " +
                               std::to_string(s.h) + "x" + std::to_string(s.w) + " s" + std::to_string(s.sh) +
                               " at " + std::to_string(sm) + " SMs";
      const ops::DepthwiseTiling t = ops::depthwise_tiling(s, sm);
      ASSERT_GT(t.blocks, 0u) << what;
      EXPECT_TRUE(t.planes == 1 || t.row_tiles == 1) << what;
      EXPECT_LE(t.shared_bytes, 48u * 1024) << what;
      EXPECT_TRUE(t.threads >= 32 && t.threads <= 256 && t.threads % 32 == 0) << what << ": " << t.threads;
      const std::int64_t planes = s.batch * s.channels, oh = s.oh();
      std::vector<int> covered(static_cast<std::size_t>(planes * oh), 0);
      for (unsigned b = 0; b < t.blocks; ++b) {
        const std::int64_t group = b / t.row_tiles, tile = b % t.row_tiles;
        for (std::int64_t p = group * t.planes; p < std::min(planes, (group + 1) * t.planes); ++p)
          for (std::int64_t r = tile * t.rows; r < std::min(oh, (tile + 1) * t.rows); ++r)
            ++covered[static_cast<std::size_t>(p * oh + r)];
      }
      EXPECT_TRUE(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 1; })) << what;
      // Every SM gets a block at least, and a small partition gets large tiles, not many small ones.
      if (s.channels >= 32) {
        EXPECT_GE(t.blocks, static_cast<unsigned>(std::min(sm, 132))) << what;
      }
      if (sm == 8 && s.batch == 1 && s.oh() * s.ow() >= 1024) {
        EXPECT_GE(static_cast<std::int64_t>(t.planes) * t.rows * s.ow(), 512) << what;
      }
    }
}

TEST(DepthwiseTiling, ShapesWhoseRowDoesNotFitInSharedMemoryStayOnCudnn) {
  EXPECT_TRUE(ops::depthwise_direct_fits({1, 32, 112, 112, 3, 3, 1, 1, 1, 1}));
  // One output row of a 20000-wide input needs 3 x 20002 floats: over 48 KiB.
  EXPECT_FALSE(ops::depthwise_direct_fits({1, 2, 8, 20000, 3, 3, 1, 1, 1, 1}));
}

TEST(DepthwisePolicy, LibraryNotesSayWhichPathDepthwiseLayersTake) {
  const std::string policy = ops::conv_policy().text();
  EXPECT_NE(policy.find(ops::conv_policy().depthwise_cudnn ? "depthwise through cuDNN" : "depthwise on the direct kernel"),
            std::string::npos)
      << policy;
  const bool before = ops::set_depthwise_through_cudnn(true);
  EXPECT_TRUE(ops::depthwise_through_cudnn());
  ops::set_depthwise_through_cudnn(false);
  EXPECT_FALSE(ops::depthwise_through_cudnn());
  ops::set_depthwise_through_cudnn(before);
}

}  // namespace
}  // namespace sgprs::profiler
