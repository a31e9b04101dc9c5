#include "common/limits.hpp"

#include "common/errors.hpp"
#include "common/taskset.hpp"

#include <fmt/format.h>

namespace sgprs::limits {

void check_time(const JsonView& node, std::string_view field, Ns value) {
  if (value > kMaxTimeNs)
    node.fail(field, "is over the limit of " + std::to_string(kMaxTimeNs) + " ns (" +
                         std::to_string(kMaxTimeNs / kNsPerSecond) + " s)");
}

void check_stage_time(const JsonView& node, std::string_view field, Ns value) {
  if (value <= 0 || value > kMaxStageTimeNs)
    node.fail(field, "must be a positive time in ns up to the limit of " + std::to_string(kMaxStageTimeNs) + " ns (" +
                         std::to_string(kMaxStageTimeNs / kNsPerSecond) + " s)");
}

void check_count(const JsonView& node, std::string_view field, std::size_t count, std::size_t limit) {
  if (count > limit)
    node.fail(field, "has " + std::to_string(count) + " entries; the limit is " + std::to_string(limit));
}

void check_name(const JsonView& node, std::string_view field, const std::string& name) {
  if (name.size() > kMaxNameBytes)
    node.fail(field, "is " + std::to_string(name.size()) + " bytes long; the limit is " +
                         std::to_string(kMaxNameBytes));
  for (const char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) node.fail(field, "must not contain control characters");
}

void check_file_name(const JsonView& node, std::string_view field, const std::string& name) {
  check_name(node, field, name);
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    node.fail(field, "'" + name + "' cannot name a file <name>.json (empty, '.', '..' or with '/')");
}

std::int64_t jobs_released(const std::vector<Task>& tasks, Ns duration_ns) {
  std::int64_t jobs = 0;
  for (const Task& task : tasks) {
    if (task.offset_ns >= duration_ns || task.period_ns <= 0) continue;
    // Releases at offset + k x period below the duration: k = 0 .. ceil((duration - offset) / period) - 1.
    jobs += (duration_ns - task.offset_ns + task.period_ns - 1) / task.period_ns;
    if (jobs > kMaxJobs) return kMaxJobs + 1;
  }
  return jobs;
}

void check_run_size(const std::vector<Task>& tasks, Ns duration_ns, const std::string& source,
                    const std::string& field) {
  if (static_cast<std::int64_t>(tasks.size()) > kMaxTasks)
    throw InputError(source, field,
                     "gives " + std::to_string(tasks.size()) + " tasks; the limit is " + std::to_string(kMaxTasks));
  if (jobs_released(tasks, duration_ns) > kMaxJobs)
    throw InputError(source, field,
                     "would release more than " + std::to_string(kMaxJobs) + " jobs in " +
                         fmt::format("{:g}", ns_to_seconds(duration_ns)) + " s (the limit of one run: shorten the duration or lengthen the periods)");
}

}  // namespace sgprs::limits
