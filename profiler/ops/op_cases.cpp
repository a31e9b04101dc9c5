// The catalogue of standalone operation benchmarks. Each case is a tiny model (batch 1): an
// optional "setup" stage that produces extra inputs, and an "op" stage holding the one layer
// that is timed. Shapes come from the shipped models, so op curves explain stage curves.
#include "common/errors.hpp"
#include "profiler/ops/model_instance.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace sgprs::profiler {

namespace {

struct OpCase {
  const char* name;
  const char* input_shape;  // JSON array
  const char* setup;        // JSON layers before the timed one ("" for none)
  const char* layer;        // JSON of the timed layer, named "op"
};

// clang-format off
constexpr std::array<OpCase, 25> kCases{{
  {"conv3x3_64c_56", "[64,56,56]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":64,"kernel":3,"padding":1})"},
  {"conv3x3_256c_14", "[256,14,14]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":256,"kernel":3,"padding":1})"},
  {"conv3x3_s2_64to128c_56", "[64,56,56]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":128,"kernel":3,"stride":2,"padding":1})"},
  {"conv1x1_256to64c_56", "[256,56,56]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":64,"kernel":1})"},
  {"conv7x7_s2_stem_224", "[3,224,224]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":64,"kernel":7,"stride":2,"padding":3})"},
  {"conv1x7_192c_17", "[192,17,17]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":192,"kernel":[1,7],"padding":[0,3]})"},
  {"dwconv3x3_144c_56", "[144,56,56]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":144,"kernel":3,"padding":1,"groups":144})"},
  {"dwconv3x3_s2_144c_56", "[144,56,56]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":144,"kernel":3,"stride":2,"padding":1,"groups":144})"},
  {"patch_embed16_768c_224", "[3,224,224]", "", R"({"op":"conv2d","inputs":["input"],"out_channels":768,"kernel":16,"stride":16,"bias":true})"},
  {"maxpool3x3_s2_64c_112", "[64,112,112]", "", R"({"op":"maxpool2d","inputs":["input"],"kernel":3,"stride":2,"padding":1})"},
  {"avgpool3x3_192c_35", "[192,35,35]", "", R"({"op":"avgpool2d","inputs":["input"],"kernel":3,"stride":1,"padding":1})"},
  {"global_avgpool_2048c_7", "[2048,7,7]", "", R"({"op":"global_avgpool","inputs":["input"]})"},
  {"batchnorm_64c_56", "[64,56,56]", "", R"({"op":"batchnorm","inputs":["input"]})"},
  {"relu_64c_56", "[64,56,56]", "", R"({"op":"relu","inputs":["input"]})"},
  {"add_64c_56", "[64,56,56]", R"({"name":"other","op":"relu","inputs":["input"]})", R"({"op":"add","inputs":["input","other"]})"},
  {"concat_2x64c_56", "[64,56,56]", R"({"name":"other","op":"relu","inputs":["input"]})", R"({"op":"concat","inputs":["input","other"]})"},
  {"upsample2x_128c_64", "[128,64,64]", "", R"({"op":"upsample","inputs":["input"],"scale":2})"},
  {"linear_512to1000", "[512]", "", R"({"op":"linear","inputs":["input"],"out_features":1000})"},
  {"linear_768to3072_197tok", "[197,768]", "", R"({"op":"linear","inputs":["input"],"out_features":3072})"},
  {"attention_scores_12h_197tok", "[197,2304]", "", R"({"op":"attention_scores","inputs":["input"],"heads":12})"},
  {"attention_context_12h_197tok", "[197,2304]", R"({"name":"probs","op":"attention_scores","inputs":["input"],"heads":12})", R"({"op":"attention_context","inputs":["probs","input"],"heads":12})"},
  {"attention_12h_197tok", "[197,2304]", "", R"({"op":"attention","inputs":["input"],"heads":12})"},
  {"softmax_12h_197tok", "[12,197,197]", "", R"({"op":"softmax","inputs":["input"]})"},
  {"layernorm_768_197tok", "[197,768]", "", R"({"op":"layernorm","inputs":["input"],"eps":1e-6})"},
  {"gelu_3072_197tok", "[197,3072]", "", R"({"op":"gelu","inputs":["input"]})"},
}};
// clang-format on

const OpCase& find_case(std::string_view name) {
  for (const OpCase& c : kCases)
    if (name == c.name) return c;
  std::vector<std::string> known;
  for (const OpCase& c : kCases) known.emplace_back(c.name);
  throw sgprs::InputError("--ops", "", sgprs::unknown_name("op", name, known));
}

sgprs::Json case_model(const OpCase& c) {
  sgprs::Json layer = sgprs::Json::parse(c.layer);
  layer["name"] = "op";
  sgprs::Json doc = {{"schema", "sgprs.model/1"},
                     {"name", std::string("op_") + c.name},
                     {"input", {{"shape", sgprs::Json::parse(c.input_shape)}}},
                     {"layers", sgprs::Json::array()},
                     {"stages", sgprs::Json::array()}};
  if (*c.setup) {
    sgprs::Json setup = sgprs::Json::parse(c.setup);
    doc["layers"].push_back(setup);
    doc["stages"].push_back({{"name", "setup"}, {"layers", {setup["name"]}}});
  }
  doc["layers"].push_back(layer);
  doc["stages"].push_back({{"name", "op"}, {"layers", {"op"}}});
  return doc;
}

}  // namespace

std::vector<std::string> op_case_names() {
  std::vector<std::string> names;
  for (const OpCase& c : kCases) names.emplace_back(c.name);
  return names;
}

sgprs::Model op_case_model(std::string_view case_name) {
  const OpCase& c = find_case(case_name);
  return sgprs::Model::from_json(case_model(c), std::string("op case ") + c.name);
}

OpInstance::OpInstance(std::string_view case_name, Precision precision) {
  const OpCase& c = find_case(case_name);
  const sgprs::Model model = op_case_model(case_name);
  description_ = std::string(c.name) + ": " + c.layer + " on input " + c.input_shape + " (batch 1, " +
                 std::string(precision_name(precision)) + ")";
  instance_ = std::make_unique<ModelInstance>(model, precision, 1);
}

OpInstance::~OpInstance() = default;
OpInstance::OpInstance(OpInstance&&) noexcept = default;
OpInstance& OpInstance::operator=(OpInstance&&) noexcept = default;

std::string OpInstance::description() const { return description_; }

void OpInstance::enqueue(cudaStream_t stream, int sm_count) {
  instance_->enqueue_stage(instance_->stage_count() - 1, stream, sm_count);
}

ModelInstance& OpInstance::model() { return *instance_; }

}  // namespace sgprs::profiler
