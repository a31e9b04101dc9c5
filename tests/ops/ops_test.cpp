// Each op of the library against the CPU reference (cpu_reference.cpp) on small random shapes,
// batch 2, in fp32 and fp16. The output is poisoned with NaNs first, so an op that writes
// nothing (or only part of its output) fails; the reference reads the GPU's own (quantised)
// inputs and parameters back, so fp16 rounding of the inputs is not counted as error.
#include "cpu_reference.hpp"
#include "gpu_fixture.hpp"
#include "profiler/ops/library_notes.hpp"

#include <cmath>
#include <string>
#include <tuple>

namespace sgprs::profiler {
namespace {

namespace ref = reference;
using testing::expect_close;

std::size_t count_of(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

class OpCheck : public ::testing::TestWithParam<DType> {
 protected:
  // Builds the layers (the one under test is named "y"), fills the input with values from
  // [lo, hi), poisons "y", runs everything on one stream with `sm_count`, and returns "y".
  std::vector<float> run(const std::string& layers, const std::string& input_shape, float lo = -1.0f, float hi = 1.0f,
                         int sm_count = 0) {
    instance_ = testing::run_layers(layers, input_shape, strict_precision(GetParam()), 2, stream_, lo, hi, sm_count);
    return instance_->read_tensor("y");
  }
  std::vector<float> tensor(const char* name) { return instance_->read_tensor(name); }
  std::vector<float> param(const char* layer, std::size_t i) { return instance_->read_param(layer, i); }

  void SetUp() override { SGPRS_REQUIRE_GPU(); }

  testing::Stream stream_;
  std::unique_ptr<ModelInstance> instance_;
};

TEST_P(OpCheck, Conv2dStridedPaddedWithBias) {
  const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":6,"kernel":3,"stride":2,
                          "padding":1,"bias":true}])", "[8,9,9]");
  const ref::Conv p{2, 8, 9, 9, 6, 3, 3, 2, 2, 1, 1, 1};
  const auto b = param("y", 1);
  expect_close(y, ref::conv2d(p, tensor("input"), param("y", 0), &b), GetParam(), "conv 3x3 s2 p1 + bias");
}

// tf32 (PyTorch's default for fp32 convolutions): fp32 storage, inputs rounded to TF32's 10-bit
// mantissa inside the tensor-core engines, so the answer agrees with the double reference to
// fp16's tolerance (the same 11 significant bits), not fp32's. Large enough (64 channels, 3x3)
// that cuDNN has tensor-core engines to choose; at 8 and 64 SMs, as the profiler runs it.
TEST(OpCheckTf32, ConvolutionMatchesTheReferenceWithinTf32Rounding) {
  SGPRS_REQUIRE_GPU();
  testing::Stream stream;
  const std::string layers = R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":64,"kernel":3,
                                 "padding":1,"bias":false}])";
  for (int sm : {8, 64}) {
    ModelInstance net(testing::single_stage_model(layers, "[64,14,14]"), Precision::kTf32, 2);
    net.write_tensor("input", testing::random_values(count_of(net.tensor_shape("input")), 11));
    net.write_tensor("y", testing::poison(count_of(net.tensor_shape("y"))));
    net.enqueue_all(stream.get(), sm);
    stream.sync();
    const ref::Conv p{2, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1};
    expect_close(net.read_tensor("y"), ref::conv2d(p, net.read_tensor("input"), net.read_param("y", 0), nullptr),
                 DType::kFp16, "tf32 conv 3x3 64c at " + std::to_string(sm) + " SMs (fp16's tolerance)");
  }
}

// With autotuning (SGPRS_CUDNN_AUTOTUNE=1; ctest runs the convolution tests a second time with it,
// as ops_conv_tests_with_autotuning), the first eager run for an SM count times the heuristic's
// engines and keeps the fastest: whichever wins, the answer must stay the reference's, and the
// tuning must be counted in the provenance's library notes. Without it, only the answers are checked.
TEST_P(OpCheck, Conv2dTunedEngineAtPartitionSizesStillMatchesReference) {
  const long tuned_before = ops::conv_path_counts().tuned_plans.load();
  for (int sm : {8, 64}) {
    const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":32,"kernel":3,
                            "padding":1}])", "[32,7,7]", -1.0f, 1.0f, sm);
    const ref::Conv p{2, 32, 7, 7, 32, 3, 3, 1, 1, 1, 1, 1};
    expect_close(y, ref::conv2d(p, tensor("input"), param("y", 0), nullptr), GetParam(),
                 "3x3 conv 32c 7x7 at " + std::to_string(sm) + " SMs");
  }
  if (ops::conv_policy().autotune && !ops::conv_policy().legacy_only) {
    EXPECT_GT(ops::conv_path_counts().tuned_plans.load(), tuned_before) << ops::conv_policy().text();
  }
}

// Plain 1x1 convolutions as cuBLASLt matmuls (the default) and through cuDNN
// (SGPRS_CONV1X1=cudnn): the reference's answer, batch 2 (one matmul per sample), at two SM
// counts, and only the matmuls counted as such.
TEST_P(OpCheck, Conv1x1AsMatmulOrThroughCudnnMatchesTheReference) {
  const long gemm_before = ops::conv_path_counts().gemm_conv1x1.load();
  bool before = false;
  for (bool gemm : {true, false}) {
    before = ops::set_conv1x1_through_gemm(gemm);
    for (int sm : {8, 64}) {
      const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":24,"kernel":1}])",
                         "[16,7,5]", -1.0f, 1.0f, sm);
      const ref::Conv p{2, 16, 7, 5, 24, 1, 1, 1, 1, 0, 0, 1};
      expect_close(y, ref::conv2d(p, tensor("input"), param("y", 0), nullptr), GetParam(),
                   std::string("1x1 conv ") + (gemm ? "as a matmul" : "through cuDNN") + " at " + std::to_string(sm) +
                       " SMs");
    }
    ops::set_conv1x1_through_gemm(before);
  }
  EXPECT_EQ(ops::conv_path_counts().gemm_conv1x1.load(), gemm_before + 2);
  before = ops::set_conv1x1_through_gemm(true);
  // With a bias the layer stays on cuDNN (the matmul's bias epilogue is per pixel, not per channel).
  const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":6,"kernel":1,"bias":true}])",
                     "[4,3,3]");
  const auto b = param("y", 1);
  expect_close(y, ref::conv2d({2, 4, 3, 3, 6, 1, 1, 1, 1, 0, 0, 1}, tensor("input"), param("y", 0), &b), GetParam(),
               "1x1 conv with bias");
  EXPECT_EQ(ops::conv_path_counts().gemm_conv1x1.load(), gemm_before + 2);
  ops::set_conv1x1_through_gemm(before);
}

TEST(OpCheckTf32, Conv1x1AsMatmulMatchesTheReferenceWithinTf32Rounding) {
  SGPRS_REQUIRE_GPU();
  testing::Stream stream;
  const bool before = ops::set_conv1x1_through_gemm(true);
  const std::string layers = R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":96,"kernel":1,
                                 "bias":false}])";
  ModelInstance net(testing::single_stage_model(layers, "[64,14,14]"), Precision::kTf32, 2);
  ops::set_conv1x1_through_gemm(before);
  net.write_tensor("input", testing::random_values(count_of(net.tensor_shape("input")), 12));
  net.write_tensor("y", testing::poison(count_of(net.tensor_shape("y"))));
  net.enqueue_all(stream.get(), 8);
  stream.sync();
  const ref::Conv p{2, 64, 14, 14, 96, 1, 1, 1, 1, 0, 0, 1};
  expect_close(net.read_tensor("y"), ref::conv2d(p, net.read_tensor("input"), net.read_param("y", 0), nullptr),
               DType::kFp16, "tf32 1x1 conv as a matmul (fp16's tolerance)");
}

TEST_P(OpCheck, Conv2dGroupedRectangularKernel) {
  const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":4,"kernel":[1,3],
                          "padding":[0,1],"groups":2}])", "[8,7,9]");
  const ref::Conv p{2, 8, 7, 9, 4, 1, 3, 1, 1, 0, 1, 2};
  expect_close(y, ref::conv2d(p, tensor("input"), param("y", 0), nullptr), GetParam(), "grouped 1x3 conv");
}

TEST_P(OpCheck, DepthwiseConvStrided) {
  const auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":8,"kernel":3,"stride":2,
                          "padding":1,"groups":8}])", "[8,9,9]");
  const ref::Conv p{2, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1, 8};
  expect_close(y, ref::conv2d(p, tensor("input"), param("y", 0), nullptr), GetParam(), "depthwise 3x3 s2");
}

TEST_P(OpCheck, Conv7x7StemAndPatchEmbedding) {
  auto y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":8,"kernel":7,"stride":2,
                     "padding":3}])", "[3,16,16]");
  expect_close(y, ref::conv2d({2, 3, 16, 16, 8, 7, 7, 2, 2, 3, 3, 1}, tensor("input"), param("y", 0), nullptr),
               GetParam(), "7x7 s2 stem conv");
  y = run(R"([{"name":"y","op":"conv2d","inputs":["input"],"out_channels":12,"kernel":4,"stride":4,"bias":true}])",
          "[3,8,12]");
  const auto b = param("y", 1);
  expect_close(y, ref::conv2d({2, 3, 8, 12, 12, 4, 4, 4, 4, 0, 0, 1}, tensor("input"), param("y", 0), &b),
               GetParam(), "patch-embedding conv");
}

TEST_P(OpCheck, MaxAndAveragePooling) {
  auto y = run(R"([{"name":"y","op":"maxpool2d","inputs":["input"],"kernel":3,"stride":2,"padding":1}])", "[4,9,9]");
  expect_close(y, ref::pool2d(ref::PoolKind::kMax, {2, 4, 9, 9, 4, 3, 3, 2, 2, 1, 1, 1}, tensor("input")), GetParam(),
               "maxpool 3x3 s2 p1");
  y = run(R"([{"name":"y","op":"avgpool2d","inputs":["input"],"kernel":3,"stride":1,"padding":1}])", "[4,6,7]");
  expect_close(y, ref::pool2d(ref::PoolKind::kAverage, {2, 4, 6, 7, 4, 3, 3, 1, 1, 1, 1, 1}, tensor("input")),
               GetParam(), "avgpool 3x3 s1 p1 (padding counted)");
}

TEST_P(OpCheck, ActivationsReluRelu6Gelu) {
  // Inputs in [-8, 8) so that ReLU6's cap is exercised.
  auto y = run(R"([{"name":"y","op":"relu","inputs":["input"]}])", "[3,5,7]", -8.0f, 8.0f);
  expect_close(y, ref::relu(tensor("input"), 0.0f), GetParam(), "relu");
  y = run(R"([{"name":"y","op":"relu6","inputs":["input"]}])", "[3,5,7]", -8.0f, 8.0f);
  expect_close(y, ref::relu(tensor("input"), 6.0f), GetParam(), "relu6");
  y = run(R"([{"name":"y","op":"gelu","inputs":["input"]}])", "[5,40]", -4.0f, 4.0f);
  expect_close(y, ref::gelu(tensor("input")), GetParam(), "gelu");
}

TEST_P(OpCheck, BatchNormInference) {
  // 5x5 planes take the element-wise path, 8x8 planes the 16-byte packs (4 floats, 8 halves).
  auto y = run(R"([{"name":"y","op":"batchnorm","inputs":["input"],"eps":0.001}])", "[6,5,5]");
  expect_close(y, ref::batchnorm(tensor("input"), 6, 25, param("y", 0), param("y", 1), param("y", 2), param("y", 3), 1e-3),
               GetParam(), "batchnorm");
  y = run(R"([{"name":"y","op":"batchnorm","inputs":["input"],"eps":0.001}])", "[6,8,8]");
  expect_close(y, ref::batchnorm(tensor("input"), 6, 64, param("y", 0), param("y", 1), param("y", 2), param("y", 3), 1e-3),
               GetParam(), "batchnorm in packs");
}

TEST_P(OpCheck, ActivationsAndAddInPacks) {
  // 4 x 8 x 8 elements: a whole number of 16-byte packs in fp32 and fp16.
  auto y = run(R"([{"name":"y","op":"relu6","inputs":["input"]}])", "[4,8,8]", -8.0f, 8.0f);
  expect_close(y, ref::relu(tensor("input"), 6.0f), GetParam(), "relu6 in packs");
  y = run(R"([{"name":"a","op":"relu","inputs":["input"]},
              {"name":"y","op":"add","inputs":["input","a"]}])", "[4,8,8]");
  expect_close(y, ref::add(tensor("input"), tensor("a")), GetParam(), "add in packs");
}

TEST_P(OpCheck, AddAndConcat) {
  auto y = run(R"([{"name":"a","op":"relu6","inputs":["input"]},
                   {"name":"y","op":"add","inputs":["input","a"]}])", "[3,5,7]");
  expect_close(y, ref::add(tensor("input"), tensor("a")), GetParam(), "add");
  // Channels: 3 + 3 + 3, each sample's parts one after another.
  y = run(R"([{"name":"a","op":"relu","inputs":["input"]},
              {"name":"y","op":"concat","inputs":["input","a","input"]}])", "[3,4,5]");
  expect_close(y, ref::concat({tensor("input"), tensor("a"), tensor("input")}, {60, 60, 60}, 2), GetParam(),
               "concat channels");
  // Tokens [5, 6] concatenated along the feature axis: rows of 6 + 6.
  y = run(R"([{"name":"a","op":"gelu","inputs":["input"]},
              {"name":"y","op":"concat","inputs":["input","a"],"axis":1}])", "[5,6]");
  expect_close(y, ref::concat({tensor("input"), tensor("a")}, {6, 6}, 10), GetParam(), "concat last axis");
}

TEST_P(OpCheck, UpsampleGlobalPoolFlatten) {
  auto y = run(R"([{"name":"y","op":"upsample","inputs":["input"],"scale":3}])", "[3,4,5]");
  expect_close(y, ref::upsample(tensor("input"), 6, 4, 5, 3), GetParam(), "upsample x3");
  y = run(R"([{"name":"p","op":"global_avgpool","inputs":["input"]},
              {"name":"y","op":"flatten","inputs":["p"]}])", "[6,7,7]");
  // flatten is a view of the pooled tensor: poisoning "y" poisoned "p", which the pool rewrote.
  expect_close(y, ref::global_avgpool(tensor("input"), 12, 49), GetParam(), "global avgpool + flatten");
}

TEST_P(OpCheck, SoftmaxAndLayerNorm) {
  auto y = run(R"([{"name":"y","op":"softmax","inputs":["input"]}])", "[3,7,45]", -4.0f, 4.0f);
  expect_close(y, ref::softmax(tensor("input"), 45), GetParam(), "softmax");
  y = run(R"([{"name":"y","op":"layernorm","inputs":["input"],"eps":1e-6}])", "[5,48]", -2.0f, 3.0f);
  expect_close(y, ref::layernorm(tensor("input"), 48, param("y", 0), param("y", 1), 1e-6), GetParam(), "layernorm");
  // ViT-B/16's rows (768: three packs per thread of 256 in fp32), and rows no pack divides.
  y = run(R"([{"name":"y","op":"layernorm","inputs":["input"],"eps":1e-6}])", "[3,768]", -2.0f, 3.0f);
  expect_close(y, ref::layernorm(tensor("input"), 768, param("y", 0), param("y", 1), 1e-6), GetParam(),
               "layernorm, 768 wide");
  y = run(R"([{"name":"y","op":"layernorm","inputs":["input"],"eps":1e-5}])", "[4,301]", -2.0f, 3.0f);
  expect_close(y, ref::layernorm(tensor("input"), 301, param("y", 0), param("y", 1), 1e-5), GetParam(),
               "layernorm, 301 wide (element by element)");
}

TEST_P(OpCheck, LinearOnTokensAndVectorsAtSeveralSmCounts) {
  for (int sm : {0, 8, 64}) {
    auto y = run(R"([{"name":"y","op":"linear","inputs":["input"],"out_features":16}])", "[5,24]", -1.0f, 1.0f, sm);
    const auto b = param("y", 1);
    expect_close(y, ref::linear(tensor("input"), 10, 24, param("y", 0), &b, 16), GetParam(),
                 "linear + bias at " + std::to_string(sm) + " SMs");
  }
  // Two rows (a vector per sample of the batch of 2): the few-rows kernel, in packs and not.
  auto y = run(R"([{"name":"y","op":"linear","inputs":["input"],"out_features":10,"bias":false}])", "[40]");
  expect_close(y, ref::linear(tensor("input"), 2, 40, param("y", 0), nullptr, 10), GetParam(), "linear, no bias");
  for (int sm : {0, 8}) {
    y = run(R"([{"name":"y","op":"linear","inputs":["input"],"out_features":300}])", "[1280]", -1.0f, 1.0f, sm);
    auto b = param("y", 1);
    expect_close(y, ref::linear(tensor("input"), 2, 1280, param("y", 0), &b, 300), GetParam(),
                 "classifier 1280 -> 300 at " + std::to_string(sm) + " SMs");
    y = run(R"([{"name":"y","op":"linear","inputs":["input"],"out_features":7}])", "[37]", -1.0f, 1.0f, sm);
    b = param("y", 1);
    expect_close(y, ref::linear(tensor("input"), 2, 37, param("y", 0), &b, 7), GetParam(),
                 "linear 37 -> 7, element by element, at " + std::to_string(sm) + " SMs");
  }
}

TEST_P(OpCheck, AttentionScoresSoftmaxContext) {
  // 7 tokens, D = 16, 4 heads of 4: q|k|v packed as [7, 48].
  const char* layers = R"([{"name":"s","op":"attention_scores","inputs":["input"],"heads":4},
                           {"name":"p","op":"softmax","inputs":["s"]},
                           {"name":"y","op":"attention_context","inputs":["p","input"],"heads":4}])";
  for (int sm : {0, 16}) {
    const auto y = run(layers, "[7,48]", -1.0f, 1.0f, sm);
    const auto qkv = tensor("input");
    expect_close(tensor("s"), ref::attention_scores(qkv, 2, 7, 16, 4), GetParam(), "attention scores");
    expect_close(y, ref::attention_context(tensor("p"), qkv, 2, 7, 16, 4), GetParam(),
                 "attention context at " + std::to_string(sm) + " SMs");
  }
}

// The attention layer: softmax(Q K^T / sqrt(dh)) V in one kernel (fp16, head sizes 32/64/128)
// or in three steps. 70 tokens cross the fused kernel's 64-key chunk and leave its last 32-row
// query tile short; 7 tokens fit one of each. Heads of 32 (fused in fp16) and of 4 (never fused).
TEST_P(OpCheck, AttentionInOneLayerFusedOrInSteps) {
  const long fused_before = ops::conv_path_counts().fused_attention.load();
  long fused_expected = fused_before;
  for (bool fused : {true, false}) {
    const bool before = ops::set_attention_fused(fused);
    for (const auto& [tokens, heads, head_dim] : {std::tuple{70, 2, 32}, std::tuple{7, 3, 32}, std::tuple{9, 4, 4}}) {
      const std::int64_t dim = heads * head_dim;
      const std::string layers = R"([{"name":"y","op":"attention","inputs":["input"],"heads":)" +
                                 std::to_string(heads) + "}]";
      const std::string shape = "[" + std::to_string(tokens) + "," + std::to_string(3 * dim) + "]";
      for (int sm : {0, 8}) {
        const auto y = run(layers, shape, -1.0f, 1.0f, sm);
        const auto qkv = tensor("input");
        const auto probs = ref::softmax(ref::attention_scores(qkv, 2, tokens, dim, heads), tokens);
        expect_close(y, ref::attention_context(probs, qkv, 2, tokens, dim, heads), GetParam(),
                     std::string("attention ") + (fused ? "fused" : "in steps") + ", " + std::to_string(tokens) +
                         " tokens, " + std::to_string(heads) + " heads of " + std::to_string(head_dim) + " at " +
                         std::to_string(sm) + " SMs");
        if (fused && GetParam() == DType::kFp16 && head_dim == 32) ++fused_expected;
      }
    }
    ops::set_attention_fused(before);
  }
  EXPECT_EQ(ops::conv_path_counts().fused_attention.load(), fused_expected);
  EXPECT_EQ(fused_expected - fused_before, GetParam() == DType::kFp16 ? 4 : 0);
}

TEST_P(OpCheck, PatchTokensAndTakeToken) {
  auto y = run(R"([{"name":"y","op":"patch_tokens","inputs":["input"]}])", "[8,3,4]");
  expect_close(y, ref::patch_tokens(tensor("input"), 2, 8, 12, param("y", 0), param("y", 1)), GetParam(),
               "patch tokens");
  y = run(R"([{"name":"y","op":"take_token","inputs":["input"],"index":2}])", "[5,6]");
  expect_close(y, ref::take_token(tensor("input"), 2, 5, 6, 2), GetParam(), "take token");
}

INSTANTIATE_TEST_SUITE_P(Dtypes, OpCheck, ::testing::Values(DType::kFp32, DType::kFp16),
                         [](const auto& p) { return std::string(dtype_name(p.param)); });

}  // namespace
}  // namespace sgprs::profiler
