#pragma once
// Task-set generators for sweeps. A generator turns (load, seed) into a
// TaskSet; the same inputs always give the same set.
//
// identical:      N copies of one model at one rate (the paper's set-up); load = N.
// random:         `tasks` tasks, models drawn from a weighted mix; per-task
//                 utilisations from randfixedsum or UUniFast-discard within
//                 [u_min, u_max] summing to the load; load = total utilisation.
// scaled:         a fixed task set (file) whose every entry's count is multiplied by the load
//                 (a load scale) and rounded, entries that round to 0 dropped: the mixed
//                 families of traces/experiments/mixed-*.json. load = the scale.
// random-periods: periods log-uniform in a range, models from the mix; tasks
//                 are added until their utilisations reach the load, the last
//                 one's period chosen to hit it exactly (it must fall in the
//                 range, else the set is drawn again); load = total utilisation,
//                 the task count follows from it.
//
// A task's utilisation is C / T, where C is its model's FULL-GPU time: the sum
// over its stages of the isolated time measured with all SMs. A DNN's C is
// fixed by its model, so utilisation and period are not independent: the
// period is derived, T = C / u (rounded to ns) in `random`, where an optional
// period range is a filter (a set with a period outside it is drawn again, up
// to kMaxSetAttempts); `random-periods` draws the periods instead and lets the
// task count absorb the load.
// Deadlines: implicit (D = T) or constrained, D = T x U[d_lo, d_hi], never
// below C. Offsets: the paper's rule, a whole number of ms in [0, 2T), drawn
// when the set is expanded with the run's seed.
#include "common/profile.hpp"
#include "common/rng.hpp"
#include "common/taskset.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace sgprs::exp {

struct IdenticalGenerator {
  std::string model;
  Ns period_ns = 0;
  Ns deadline_ns = 0;  // relative deadline; = period for D = T
};

enum class UtilisationMethod { kRandfixedsum, kUUniFastDiscard };

struct ModelShare {
  std::string model;
  double weight = 1;  // relative; need not sum to 1
};

struct RandomGenerator {
  int tasks = 0;
  std::vector<ModelShare> mix;
  UtilisationMethod method = UtilisationMethod::kRandfixedsum;
  double u_min = 0;  // per-task utilisation bounds
  double u_max = 1;
  Ns period_min_ns = 0;  // optional filter; 0 = no bound
  Ns period_max_ns = 0;
  bool constrained_deadlines = false;
  double deadline_lo = 1;  // D / T range when constrained
  double deadline_hi = 1;
};

struct RandomPeriodsGenerator {
  std::vector<ModelShare> mix;
  Ns period_min_ns = 0;  // periods log-uniform in [min, max]
  Ns period_max_ns = 0;
  bool constrained_deadlines = false;
  double deadline_lo = 1;
  double deadline_hi = 1;
  int max_tasks = 10000;  // a load needing more tasks is unreachable
};

struct ScaledGenerator {
  std::string taskset_path;  // resolved
  TaskSet base;              // counts at load scale 1
};

using GeneratorSpec = std::variant<IdenticalGenerator, RandomGenerator, RandomPeriodsGenerator, ScaledGenerator>;

/// The scaled generator's set: every count x scale, rounded half away from zero; zeros dropped.
TaskSet scaled_task_set(const TaskSet& base, double scale);

inline constexpr int kMaxSetAttempts = 1000;

std::string generator_kind(const GeneratorSpec& spec);
/// Every model the generator may use.
std::vector<std::string> generator_models(const GeneratorSpec& spec);

/// C: the model's full-GPU time (sum of its stages' isolated times at sm_count).
Ns full_gpu_time_ns(const Profile& profile, const std::string& model);

/// Empty string when `load` is reachable, else why not (one sentence).
std::string unreachable_reason(const GeneratorSpec& spec, const Profile& profile, double load);

/// The task set for one load. Throws std::runtime_error when a random set
/// within the period range cannot be found.
TaskSet generate_task_set(const GeneratorSpec& spec, const Profile& profile, double load, std::uint64_t seed);

/// Sum over the set's tasks of C / T (the load a random generator targets).
double total_utilisation(const Profile& profile, const TaskSet& set);

}  // namespace sgprs::exp
