// Fuzz target: experiment files (experiment_from_json: generator, loads, layouts, schedulers,
// repetitions, duration). prepare_experiment() is not fuzzed here: it loads the profile and model
// files the experiment names, which the other targets cover.
#include "fuzz_support.hpp"
#include "simulator/experiments/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sgprs::fuzz::run_loader(data, size, [](std::string_view text) {
    const sgprs::exp::Experiment experiment =
        sgprs::exp::experiment_from_json(sgprs::parse_json_text(text, "fuzz/x.json"), "fuzz/x.json");
    for (double load : experiment.loads.values) (void)sgprs::exp::load_text(load);
  });
}
