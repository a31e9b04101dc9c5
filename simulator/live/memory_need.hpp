#pragma once
// Whether a live run's buffers fit the GPU, decided before any of them is allocated and long
// before the first release. Why: a set-up that runs out of memory half-way leaves a GpuError
// naming one allocation, and says nothing of how much the whole run needed; users sizing a
// deployment need that figure.
//
// The live set-up measures, for each distinct model, one instance (free GPU memory before and
// after allocating it, workspace included) and a second one that shares the first one's weights,
// and asks:
//
//   need = sum over models m with tasks of  shared(m) + tasks(m) x bytes(m)
//   shared(m) = first instance - second instance   (the weights, allocated once per model)
//   bytes(m)  = second instance                    (each task's activations, inputs, workspace)
//   fits when need <= free
//
// Graphs, library handles and the partitions' streams are not counted: they are small beside the
// buffers, and a set-up that fits the buffers but not those still fails, naming its step.
// Plain C++ (no CUDA types), tested on the CPU (tests/live/memory_need_test.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sgprs::live {

struct ModelFootprint {
  std::string name;                // the model's name, for the message
  std::int64_t bytes = 0;          // each task's own device memory, measured
  std::int64_t shared_bytes = 0;   // what the model's tasks share (its weights), once per model
};

/// Bytes the run needs: each model's shared bytes once if a task runs it, plus one footprint per
/// task (task_models[t] indexes models).
std::int64_t memory_needed(const std::vector<ModelFootprint>& models, const std::vector<int>& task_models);

/// Empty when the run fits in `free_bytes`; else one line without a trailing newline: what the
/// run needs, per model (count x size), and what is free on `device`.
std::optional<std::string> memory_shortfall(const std::vector<ModelFootprint>& models,
                                            const std::vector<int>& task_models, std::int64_t free_bytes,
                                            int device);

}  // namespace sgprs::live
