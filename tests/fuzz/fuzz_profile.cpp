// Fuzz target: profile files (Profile::from_json), then every stage's curve read at every SM
// count the GPU has, both interpolations, as the planner and the simulated GPU read them.
#include "common/profile.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sgprs::fuzz::run_loader(data, size, [](std::string_view text) {
    const sgprs::Json doc = sgprs::parse_json_text(text, "fuzz.json");
    for (const auto mode : {sgprs::CurveInterpolation::kStep, sgprs::CurveInterpolation::kLinear}) {
      const sgprs::Profile profile = sgprs::Profile::from_json(doc, "fuzz.json", mode);
      for (const sgprs::ModelProfile& model : profile.models())
        for (const sgprs::StageProfile& stage : model.stages)
          for (int sms = 1; sms <= profile.gpu().sm_count; ++sms) {
            (void)stage.curve(true).time_at(sms);
            (void)stage.isolated.speedup_at(sms);
          }
    }
  });
}
