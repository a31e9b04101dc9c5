#include "common/taskset.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"
#include "common/rng.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <unordered_map>

namespace sgprs {

std::string to_string(Priority priority) { return priority == Priority::kHigh ? "high" : "low"; }

TaskSet TaskSet::load(const std::string& path) { return from_json(load_json_document(path, "sgprs.taskset", 1), path); }

Ns read_period(const JsonView& node) {
  if (node.has("period_ns") == node.has("rate_hz")) node.fail("period_ns", "give exactly one of period_ns and rate_hz");
  if (node.has("period_ns")) {
    const Ns period = node.get<Ns>("period_ns");
    if (period <= 0) node.fail("period_ns", "must be positive");
    limits::check_time(node, "period_ns", period);
    return period;
  }
  const double rate = node.get<double>("rate_hz");
  if (!(rate > 0) || !std::isfinite(rate)) node.fail("rate_hz", "must be positive");
  // Either bound would round the period to 0 ns or past the limit of every time (limits.hpp).
  if (rate > 1e9) node.fail("rate_hz", "is above 1e9 Hz: the period would be under one nanosecond");
  const double min_rate = 1e9 / static_cast<double>(limits::kMaxTimeNs);
  if (rate < min_rate)
    node.fail("rate_hz", "is below the limit of " + fmt::format("{:g}", min_rate) + " Hz (a period of at most " +
                             std::to_string(limits::kMaxTimeNs / kNsPerSecond) + " s)");
  return static_cast<Ns>(std::llround(1e9 / rate));
}

TaskSet TaskSet::from_json(const Json& doc, const std::string& source) {
  check_schema(doc, source, "sgprs.taskset", 1);
  const JsonView root(doc, source);
  TaskSet set;
  set.source = source;
  set.name = root.get_or<std::string>("name", "taskset");
  limits::check_name(root, "name", set.name);
  root.expect_only({"name", "tasks"});
  const auto nodes = root.array("tasks");
  if (nodes.empty()) root.fail("tasks", "must list at least one task");
  if (static_cast<std::int64_t>(nodes.size()) > limits::kMaxTasks)
    root.fail("tasks", "lists " + std::to_string(nodes.size()) + " tasks; the limit is " + std::to_string(limits::kMaxTasks));
  std::unordered_map<std::string, std::size_t> index_of_name;
  std::int64_t total_tasks = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const JsonView& node = nodes[i];
    node.expect_only({"name", "model", "period_ns", "rate_hz", "deadline_ns", "offset_ns", "priority", "count"});
    TaskSpec task;
    task.name = node.get_or<std::string>("name", "task" + std::to_string(i));
    task.model = node.get<std::string>("model");
    limits::check_file_name(node, "model", task.model);
    task.period_ns = read_period(node);
    task.deadline_ns = node.get_or<Ns>("deadline_ns", task.period_ns);
    if (task.deadline_ns <= 0) node.fail("deadline_ns", "must be positive");
    limits::check_time(node, "deadline_ns", task.deadline_ns);
    if (node.has("offset_ns") && node.raw().at("offset_ns").is_string()) {
      if (node.get<std::string>("offset_ns") != "random") node.fail("offset_ns", "must be a time in ns or \"random\"");
      task.random_offset = true;
    } else {
      task.offset_ns = node.get_or<Ns>("offset_ns", 0);
      if (task.offset_ns < 0) node.fail("offset_ns", "must not be negative");
      limits::check_time(node, "offset_ns", task.offset_ns);
    }
    const std::string priority = node.get_or<std::string>("priority", "low");
    if (priority == "high") task.priority = Priority::kHigh;
    else if (priority != "low") node.fail("priority", "must be \"low\" or \"high\"");
    task.count = node.get_or<int>("count", 1);
    if (task.count <= 0) node.fail("count", "must be positive");
    if (task.count > kMaxCopies) node.fail("count", "is above " + std::to_string(kMaxCopies) + " copies");
    total_tasks += task.count;
    if (total_tasks > limits::kMaxTasks)
      node.fail("count", "brings the task set to " + std::to_string(total_tasks) + " tasks; the limit is " +
                             std::to_string(limits::kMaxTasks));
    // Names identify tasks in the event log and the tables; copies are named "<name>#<k>".
    limits::check_name(node, "name", task.name);
    if (task.name.empty() || task.name.find('#') != std::string::npos)
      node.fail("name", "must be non-empty and without '#' (copies of a task are named <name>#<k>)");
    if (const auto [it, fresh] = index_of_name.emplace(task.name, i); !fresh)
      node.fail("name", "'" + task.name + "' is also the name of tasks[" + std::to_string(it->second) +
                            "]; names must be unique");
    set.specs.push_back(std::move(task));
  }
  return set;
}

void TaskSet::check_deadlines(bool allow_deadline_over_period) const {
  if (allow_deadline_over_period) return;
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (specs[i].deadline_ns > specs[i].period_ns)
      throw InputError(source, "tasks[" + std::to_string(i) + "].deadline_ns",
                       "exceeds the period (constrained deadlines only; pass --allow-deadline-over-period)");
}

std::vector<Task> TaskSet::expand(std::uint64_t seed) const {
  Rng rng(seed);
  std::vector<Task> tasks;
  std::size_t total = 0;
  for (const TaskSpec& spec : specs) total += static_cast<std::size_t>(spec.count);
  tasks.reserve(total);
  for (const TaskSpec& spec : specs) {
    for (int k = 0; k < spec.count; ++k) {
      Task task{spec.count > 1 ? spec.name + "#" + std::to_string(k) : spec.name, spec.model, spec.period_ns,
                spec.deadline_ns, spec.offset_ns, spec.priority};
      if (spec.random_offset) {
        // The paper's phase: a whole number of milliseconds in [0, 2T).
        const Ns max_ms = std::max<Ns>(1, (2 * spec.period_ns) / kNsPerMs);  // 2T <= 2 x limits::kMaxTimeNs
        task.offset_ns = rng.uniform_int(0, max_ms - 1) * kNsPerMs;
      }
      tasks.push_back(std::move(task));
    }
  }
  return tasks;
}

Json TaskSet::to_json() const {
  Json doc{{"schema", schema_tag("sgprs.taskset", 1)}, {"name", name}, {"tasks", Json::array()}};
  for (const TaskSpec& spec : specs) {
    Json t{{"name", spec.name}, {"model", spec.model}, {"period_ns", spec.period_ns},
           {"deadline_ns", spec.deadline_ns}, {"priority", to_string(spec.priority)}, {"count", spec.count}};
    if (spec.random_offset) t["offset_ns"] = "random";
    else t["offset_ns"] = spec.offset_ns;
    doc["tasks"].push_back(std::move(t));
  }
  return doc;
}

}  // namespace sgprs
