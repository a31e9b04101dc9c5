#include "simulator/live/memory_need.hpp"

#include <cstdio>
#include <stdexcept>

namespace sgprs::live {

namespace {

std::string mib_text(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

std::vector<std::int64_t> tasks_per_model(std::size_t models, const std::vector<int>& task_models) {
  std::vector<std::int64_t> count(models, 0);
  for (int m : task_models) {
    if (m < 0 || static_cast<std::size_t>(m) >= models)
      throw std::logic_error("memory_needed: a task names model " + std::to_string(m) + " of " +
                             std::to_string(models));
    ++count[static_cast<std::size_t>(m)];
  }
  return count;
}

}  // namespace

std::int64_t memory_needed(const std::vector<ModelFootprint>& models, const std::vector<int>& task_models) {
  const std::vector<std::int64_t> count = tasks_per_model(models.size(), task_models);
  std::int64_t need = 0;
  for (std::size_t m = 0; m < models.size(); ++m)
    if (count[m] > 0) need += models[m].shared_bytes + count[m] * models[m].bytes;
  return need;
}

std::optional<std::string> memory_shortfall(const std::vector<ModelFootprint>& models,
                                            const std::vector<int>& task_models, std::int64_t free_bytes,
                                            int device) {
  const std::int64_t need = memory_needed(models, task_models);
  if (need <= free_bytes) return std::nullopt;
  const std::vector<std::int64_t> count = tasks_per_model(models.size(), task_models);
  std::string per_model;
  for (std::size_t m = 0; m < models.size(); ++m) {
    if (count[m] == 0) continue;
    per_model += (per_model.empty() ? "" : ", ") + models[m].name + ": " +
                 (models[m].shared_bytes > 0 ? mib_text(models[m].shared_bytes) + " of weights + " : "") +
                 std::to_string(count[m]) + " x " + mib_text(models[m].bytes);
  }
  return "not enough GPU memory for the live set-up: " + std::to_string(task_models.size()) + " tasks need " +
         mib_text(need) + " of buffers (" + per_model + "), " + mib_text(free_bytes) + " free on GPU " +
         std::to_string(device) + "; nothing was released";
}

}  // namespace sgprs::live
