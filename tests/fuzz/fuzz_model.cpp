// Fuzz target: model files (Model::from_json: layers, stages, the stage DAG), then the
// queries the planner makes of a model.
#include "common/model.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sgprs::fuzz::run_loader(data, size, [](std::string_view text) {
    const sgprs::Model model = sgprs::Model::from_json(sgprs::parse_json_text(text, "fuzz.json"), "fuzz.json");
    (void)model.sink_stages();
    (void)model.is_chain();
    for (const sgprs::Stage& stage : model.stages()) (void)model.find_stage(stage.name);
  });
}
