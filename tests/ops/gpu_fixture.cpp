#include "gpu_fixture.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace sgprs::profiler::testing {

std::string gpu_unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) return cudaGetErrorString(status);
  if (count == 0) return "no device";
  return "";
}

Model single_stage_model(const std::string& layers, const std::string& input_shape) {
  Json doc = {{"schema", "sgprs.model/1"},
              {"name", "test"},
              {"input", {{"shape", Json::parse(input_shape)}}},
              {"layers", Json::parse(layers)}};
  Json names = Json::array();
  for (const Json& layer : doc["layers"]) names.push_back(layer["name"]);
  doc["stages"] = Json::array({{{"name", "all"}, {"layers", names}}});
  return Model::from_json(doc, "test model");
}

Stream::Stream() {
  if (cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking) != cudaSuccess) stream_ = nullptr;
}
Stream::~Stream() {
  if (stream_) {
    forget_stream(stream_);
    cudaStreamDestroy(stream_);
  }
}
void Stream::sync() const { ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess); }

std::unique_ptr<ModelInstance> run_layers(const std::string& layers, const std::string& input_shape,
                                          Precision precision, int batch, const Stream& stream, float lo, float hi,
                                          int sm_count) {
  auto net = std::make_unique<ModelInstance>(single_stage_model(layers, input_shape), precision, batch);
  auto count_of = [&](const char* name) {
    std::size_t n = 1;
    for (auto d : net->tensor_shape(name)) n *= static_cast<std::size_t>(d);
    return n;
  };
  net->write_tensor("input", random_values(count_of("input"), 7, lo, hi));
  net->write_tensor("y", poison(count_of("y")));
  net->enqueue_all(stream.get(), sm_count);
  stream.sync();
  return net;
}

std::vector<float> random_values(std::size_t count, unsigned seed, float lo, float hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float& x : v) {
    do x = dist(gen);
    while (x == 0.0f);
  }
  return v;
}

std::vector<float> poison(std::size_t count) {
  return std::vector<float>(count, std::numeric_limits<float>::quiet_NaN());
}

void expect_close(const std::vector<float>& gpu, const std::vector<float>& ref, DType dtype, const std::string& what) {
  ASSERT_EQ(gpu.size(), ref.size()) << what;
  // fp32 differs from the double reference only by summation order; fp16 rounds every stored
  // value to 11 significant bits (relative 2^-11 ~ 5e-4) and inputs of sums carry that error.
  const double atol = dtype == DType::kFp16 ? 1e-2 : 1e-4;
  const double rtol = dtype == DType::kFp16 ? 1e-2 : 1e-4;
  double worst = 0.0;
  std::size_t worst_at = 0;
  for (std::size_t i = 0; i < gpu.size(); ++i) {
    const double err = std::abs(static_cast<double>(gpu[i]) - ref[i]) / (atol + rtol * std::abs(ref[i]));
    if (!(err <= worst) || std::isnan(gpu[i])) {
      worst = std::isnan(gpu[i]) ? std::numeric_limits<double>::infinity() : err;
      worst_at = i;
      if (std::isnan(gpu[i])) break;
    }
  }
  EXPECT_LE(worst, 1.0) << what << " (" << dtype_name(dtype) << "): element " << worst_at << " is "
                        << gpu[worst_at] << ", expected " << ref[worst_at] << " (error " << worst
                        << " x tolerance; " << gpu.size() << " elements)";
}

}  // namespace sgprs::profiler::testing
