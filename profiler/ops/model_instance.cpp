#include "profiler/ops/model_instance.hpp"

#include "common/errors.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/ops/kernels.hpp"
#include "profiler/ops/model_runner.hpp"
#include "profiler/ops/stream_handles.hpp"

namespace sgprs::profiler {

DType parse_dtype(std::string_view text) {
  if (text == "fp32") return DType::kFp32;
  if (text == "fp16") return DType::kFp16;
  throw sgprs::InputError("--dtype", "", sgprs::unknown_name("dtype", text, {"fp32", "fp16"}));
}

std::string_view dtype_name(DType dtype) { return dtype == DType::kFp16 ? "fp16" : "fp32"; }

Precision parse_precision(std::string_view text, const std::string& source) {
  if (text == "fp32") return Precision::kFp32;
  if (text == "tf32") return Precision::kTf32;
  if (text == "fp16") return Precision::kFp16;
  throw sgprs::InputError(source, "", "unknown precision '" + std::string(text) + "' (known: fp32, tf32, fp16)");
}

std::string_view precision_name(Precision precision) {
  switch (precision) {
    case Precision::kTf32:
      return "tf32";
    case Precision::kFp16:
      return "fp16";
    case Precision::kFp32:
      break;
  }
  return "fp32";
}

ModelInstance::ModelInstance(const sgprs::Model& model, Precision precision, int batch)
    : runner_(std::make_unique<ops::ModelRunner>(model, precision, batch)) {}
ModelInstance::ModelInstance(const sgprs::Model& model, Precision precision, int batch,
                             const ModelInstance& weights_from)
    : runner_(std::make_unique<ops::ModelRunner>(model, precision, batch, weights_from.runner_.get())) {}
ModelInstance::ModelInstance(const sgprs::Model& model, DType dtype, int batch)
    : ModelInstance(model, strict_precision(dtype), batch) {}
ModelInstance::~ModelInstance() = default;
ModelInstance::ModelInstance(ModelInstance&&) noexcept = default;
ModelInstance& ModelInstance::operator=(ModelInstance&&) noexcept = default;

std::size_t ModelInstance::stage_count() const { return runner_->stage_count(); }
const std::string& ModelInstance::stage_name(std::size_t stage) const { return runner_->stage_name(stage); }

void ModelInstance::enqueue_stage(std::size_t stage, cudaStream_t stream, int sm_count) {
  runner_->enqueue_stage(stage, stream, sm_count);
}

void ModelInstance::enqueue_all(cudaStream_t stream, int sm_count) {
  for (std::size_t s = 0; s < runner_->stage_count(); ++s) runner_->enqueue_stage(s, stream, sm_count);
}

void ModelInstance::use_own_workspace() { runner_->use_own_workspace(); }

std::size_t ModelInstance::device_bytes() const { return runner_->device_bytes(); }

std::vector<std::int64_t> ModelInstance::tensor_shape(std::string_view layer) const {
  return runner_->tensor(layer).shape;
}

namespace {

std::vector<float> download(DType dtype, const void* data, std::int64_t count) {
  ops::DeviceBuffer staging(static_cast<std::size_t>(count) * sizeof(float));
  ops::to_float(dtype, data, static_cast<float*>(staging.get()), count, nullptr);
  std::vector<float> host(static_cast<std::size_t>(count));
  SGPRS_CUDA_CALL(cudaMemcpy(host.data(), staging.get(), host.size() * sizeof(float), cudaMemcpyDeviceToHost));
  return host;
}

void upload(DType dtype, const std::vector<float>& host, void* data, std::int64_t count, std::string_view what) {
  if (static_cast<std::int64_t>(host.size()) != count)
    throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(count) + " values, got " +
                                std::to_string(host.size()));
  ops::DeviceBuffer staging(host.size() * sizeof(float));
  SGPRS_CUDA_CALL(cudaMemcpy(staging.get(), host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice));
  ops::from_float(dtype, static_cast<const float*>(staging.get()), data, count, nullptr);
  SGPRS_CUDA_CALL(cudaStreamSynchronize(nullptr));
}

}  // namespace

std::vector<float> ModelInstance::read_tensor(std::string_view layer) const {
  const auto& t = runner_->tensor(layer);
  return download(runner_->dtype(), t.data, t.count());
}

void ModelInstance::write_tensor(std::string_view layer, const std::vector<float>& values) {
  const auto& t = runner_->tensor(layer);
  upload(runner_->dtype(), values, t.data, t.count(), layer);
}

std::size_t ModelInstance::param_count(std::string_view layer) const { return runner_->param_count(layer); }

std::vector<float> ModelInstance::read_param(std::string_view layer, std::size_t index) const {
  auto& p = runner_->param(layer, index);
  return download(runner_->dtype(), p.buffer.get(), p.count());
}

void ModelInstance::write_param(std::string_view layer, std::size_t index, const std::vector<float>& values) {
  auto& p = runner_->param(layer, index);
  upload(runner_->dtype(), values, p.buffer.get(), p.count(), layer);
}

void prepare_stream(cudaStream_t stream) { ops::handles_for(stream); }
void forget_stream(cudaStream_t stream) { ops::forget_stream(stream); }

}  // namespace sgprs::profiler
