#pragma once
// A periodic task set (schema "sgprs.taskset/1"):
//   { "schema": "sgprs.taskset/1", "name": "paper-30",
//     "tasks": [ { "name": "cam", "model": "resnet18",
//                  "period_ns": 33333333,            // or "rate_hz": 30
//                  "deadline_ns": 33333333,          // optional, default = period (implicit deadline)
//                  "offset_ns": 0 | "random",        // optional, default 0; "random" = U[0, 2T) in whole ms (paper)
//                  "priority": "low" | "high",       // optional, default "low"
//                  "count": 30 } ] }                 // optional, identical copies, default 1
// Tasks are expanded (count copies, random offsets drawn from a seeded Rng)
// before simulation; copy k of task "cam" is named "cam#k" when count > 1.
#include "common/json_io.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs {

enum class Priority { kLow, kHigh };

/// Most identical copies one task entry may ask for (the whole set: limits::kMaxTasks).
inline constexpr int kMaxCopies = 1'000'000;

/// A period given as exactly one of "period_ns" (positive integer) or "rate_hz" (positive, at most
/// 1e9, at least 1e-9 Hz), in ns; InputError naming the field otherwise. Shared by task sets and
/// experiment generators.
Ns read_period(const JsonView& node);

struct TaskSpec {
  std::string name;
  std::string model;
  Ns period_ns = 0;
  Ns deadline_ns = 0;
  Ns offset_ns = 0;
  bool random_offset = false;
  Priority priority = Priority::kLow;
  int count = 1;
};

struct Task {
  std::string name;
  std::string model;
  Ns period_ns = 0;
  Ns deadline_ns = 0;
  Ns offset_ns = 0;
  Priority priority = Priority::kLow;
};

class TaskSet {
 public:
  static TaskSet load(const std::string& path);
  static TaskSet from_json(const Json& doc, const std::string& source);

  /// Copies expanded and random offsets drawn with `seed`.
  std::vector<Task> expand(std::uint64_t seed) const;
  /// InputError when a deadline exceeds its period and that is not allowed.
  void check_deadlines(bool allow_deadline_over_period) const;
  Json to_json() const;

  std::string name;
  std::string source;
  std::vector<TaskSpec> specs;
};

std::string to_string(Priority priority);

}  // namespace sgprs
