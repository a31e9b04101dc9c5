#include "simulator/experiments/taskset_generator.hpp"

#include "common/limits.hpp"
#include "simulator/experiments/run_table.hpp"
#include "simulator/experiments/utilisation_draws.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace sgprs::exp {

namespace {

TaskSet identical_set(const IdenticalGenerator& gen, double load) {
  TaskSet set;
  set.name = gen.model + "-x" + number_text(load);
  set.source = "generator:identical";
  TaskSpec spec;
  spec.name = gen.model;
  spec.model = gen.model;
  spec.period_ns = gen.period_ns;
  spec.deadline_ns = gen.deadline_ns;
  spec.random_offset = true;
  spec.count = static_cast<int>(std::llround(load));
  set.specs.push_back(spec);
  return set;
}

std::size_t pick_model(const std::vector<ModelShare>& mix, Rng& rng) {
  double total = 0;
  for (const ModelShare& m : mix) total += m.weight;
  double target = rng.uniform01() * total;
  for (std::size_t i = 0; i < mix.size(); ++i) {
    target -= mix[i].weight;
    if (target < 0) return i;
  }
  return mix.size() - 1;
}

/// D for a task of period `period` and full-GPU time `c`: T, or T x U[lo, hi] kept within [min(C, T), T].
template <class Gen>
Ns draw_deadline(const Gen& gen, Ns period, Ns c, Rng& rng) {
  if (!gen.constrained_deadlines) return period;
  const double fraction = rng.uniform(gen.deadline_lo, gen.deadline_hi);
  return std::clamp<Ns>(static_cast<Ns>(std::llround(fraction * static_cast<double>(period))), std::min(c, period),
                        period);
}

bool period_in_range(const RandomGenerator& gen, Ns period) {
  return (gen.period_min_ns <= 0 || period >= gen.period_min_ns) && (gen.period_max_ns <= 0 || period <= gen.period_max_ns);
}

TaskSet random_set(const RandomGenerator& gen, const Profile& profile, double load, std::uint64_t seed) {
  Rng rng(seed);
  for (int attempt = 0; attempt < kMaxSetAttempts; ++attempt) {
    std::vector<std::size_t> models;
    for (int i = 0; i < gen.tasks; ++i) models.push_back(pick_model(gen.mix, rng));
    const std::vector<double> u = gen.method == UtilisationMethod::kRandfixedsum
                                      ? randfixedsum(gen.tasks, load, gen.u_min, gen.u_max, rng)
                                      : uunifast_discard(gen.tasks, load, gen.u_min, gen.u_max, rng);
    TaskSet set;
    set.name = "random-u" + number_text(load);
    set.source = "generator:random";
    bool ok = true;
    for (int i = 0; i < gen.tasks && ok; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const std::string& model = gen.mix[models[ui]].model;
      const Ns c = full_gpu_time_ns(profile, model);
      // A zero utilisation (possible at u_min = 0) would mean an infinite period: treat as a miss of the range.
      if (u[ui] <= 0) { ok = false; break; }
      TaskSpec spec;
      spec.name = "t" + std::to_string(i);
      spec.model = model;
      spec.period_ns = std::max<Ns>(1, static_cast<Ns>(std::llround(static_cast<double>(c) / u[ui])));
      ok = period_in_range(gen, spec.period_ns);
      spec.deadline_ns = draw_deadline(gen, spec.period_ns, c, rng);
      spec.random_offset = true;
      set.specs.push_back(spec);
    }
    if (ok) return set;
  }
  throw std::runtime_error("no random task set with every period in range after " + std::to_string(kMaxSetAttempts) +
                           " attempts at load " + number_text(load));
}

TaskSet random_periods_set(const RandomPeriodsGenerator& gen, const Profile& profile, double load, std::uint64_t seed) {
  Rng rng(seed);
  const double log_lo = std::log(static_cast<double>(gen.period_min_ns));
  const double log_hi = std::log(static_cast<double>(gen.period_max_ns));
  for (int attempt = 0; attempt < kMaxSetAttempts; ++attempt) {
    TaskSet set;
    set.name = "random-periods-u" + number_text(load);
    set.source = "generator:random-periods";
    double total = 0;
    while (static_cast<int>(set.specs.size()) < gen.max_tasks) {
      const std::string& model = gen.mix[pick_model(gen.mix, rng)].model;
      const Ns c = full_gpu_time_ns(profile, model);
      TaskSpec spec;
      spec.name = "t" + std::to_string(set.specs.size());
      spec.model = model;
      spec.period_ns = static_cast<Ns>(std::llround(std::exp(rng.uniform(log_lo, log_hi))));
      const double u = static_cast<double>(c) / static_cast<double>(spec.period_ns);
      const bool last = total + u >= load;
      // The last task takes exactly the utilisation still missing; its period must stay in range.
      if (last) spec.period_ns = static_cast<Ns>(std::llround(static_cast<double>(c) / (load - total)));
      if (last && spec.period_ns > gen.period_max_ns) break;  // too little left for any period in range: redraw
      spec.deadline_ns = draw_deadline(gen, spec.period_ns, c, rng);
      spec.random_offset = true;
      set.specs.push_back(spec);
      total += static_cast<double>(c) / static_cast<double>(spec.period_ns);
      if (last) return set;
    }
  }
  throw std::runtime_error("no set of log-uniform periods reaches total utilisation " + number_text(load) + " within " +
                           std::to_string(gen.max_tasks) + " tasks in " + std::to_string(kMaxSetAttempts) + " attempts");
}

}  // namespace

TaskSet scaled_task_set(const TaskSet& base, double scale) {
  TaskSet set = base;
  set.name = base.name + "-x" + number_text(scale);
  set.specs.clear();
  for (TaskSpec spec : base.specs) {
    // Clamped before the cast: a huge scale must not overflow (unreachable_reason refuses it).
    const double count = std::min(std::round(spec.count * scale), static_cast<double>(kMaxCopies));
    spec.count = static_cast<int>(count);
    if (spec.count > 0) set.specs.push_back(spec);
  }
  return set;
}

namespace {

const std::vector<ModelShare>* mix_of(const GeneratorSpec& spec) {
  if (const auto* r = std::get_if<RandomGenerator>(&spec)) return &r->mix;
  if (const auto* p = std::get_if<RandomPeriodsGenerator>(&spec)) return &p->mix;
  return nullptr;
}

}  // namespace

std::string generator_kind(const GeneratorSpec& spec) {
  if (std::holds_alternative<IdenticalGenerator>(spec)) return "identical";
  if (std::holds_alternative<ScaledGenerator>(spec)) return "scaled";
  return std::holds_alternative<RandomGenerator>(spec) ? "random" : "random-periods";
}

std::vector<std::string> generator_models(const GeneratorSpec& spec) {
  if (const auto* id = std::get_if<IdenticalGenerator>(&spec)) return {id->model};
  std::vector<std::string> models;
  if (const auto* scaled = std::get_if<ScaledGenerator>(&spec)) {
    for (const TaskSpec& t : scaled->base.specs)
      if (std::find(models.begin(), models.end(), t.model) == models.end()) models.push_back(t.model);
    return models;
  }
  for (const ModelShare& m : *mix_of(spec)) models.push_back(m.model);
  return models;
}

Ns full_gpu_time_ns(const Profile& profile, const std::string& model) {
  Ns total = 0;
  for (const StageProfile& stage : profile.model(model).stages) total += stage.isolated.time_at(profile.gpu().sm_count);
  return total;
}

std::string unreachable_reason(const GeneratorSpec& spec, const Profile& profile, double load) {
  if (std::holds_alternative<IdenticalGenerator>(spec)) {
    if (load < 1 || load != std::floor(load) || load > 1e6)
      return "load " + number_text(load) + " is not a task count (a whole number from 1)";
    return "";
  }
  if (const auto* scaled = std::get_if<ScaledGenerator>(&spec)) {
    if (!(load > 0) || load > 1e6) return "load scale " + number_text(load) + " is not in (0, 1e6]";
    double tasks = 0;
    for (const TaskSpec& t : scaled->base.specs) tasks += std::round(t.count * load);
    if (tasks > static_cast<double>(limits::kMaxTasks))
      return "load scale " + number_text(load) + " makes " + number_text(tasks) + " tasks; the limit is " +
             std::to_string(limits::kMaxTasks);
    if (tasks == 0)
      return "load scale " + number_text(load) + " rounds every task count of " + scaled->taskset_path + " to 0";
    return "";
  }
  if (const auto* periods = std::get_if<RandomPeriodsGenerator>(&spec)) {
    if (!(load > 0)) return "load " + number_text(load) + " is not a positive total utilisation";
    // No task exceeds the heaviest model at the shortest period: max_tasks of those is the ceiling.
    double u_heavy = 0;
    for (const ModelShare& m : periods->mix)
      u_heavy = std::max(u_heavy, static_cast<double>(full_gpu_time_ns(profile, m.model)) /
                                      static_cast<double>(periods->period_min_ns));
    if (load > u_heavy * periods->max_tasks)
      return "total utilisation " + number_text(load) + " needs more than max_tasks = " +
             std::to_string(periods->max_tasks) + " tasks";
    return "";
  }
  const RandomGenerator& gen = std::get<RandomGenerator>(spec);
  if (!(load > 0)) return "load " + number_text(load) + " is not a positive total utilisation";
  const double lo = gen.tasks * gen.u_min;
  const double hi = gen.tasks * gen.u_max;
  if (load < lo * (1 - 1e-12) || load > hi * (1 + 1e-12))
    return "total utilisation " + number_text(load) + " cannot be split over " + std::to_string(gen.tasks) +
           " tasks with per-task utilisation in [" + number_text(gen.u_min) + ", " + number_text(gen.u_max) +
           "] (reachable: " + number_text(lo) + " to " + number_text(hi) + ")";
  // With a period range, every model needs some utilisation in [u_min, u_max] giving a period in range.
  for (const ModelShare& m : gen.mix) {
    const double c = static_cast<double>(full_gpu_time_ns(profile, m.model));
    const double u_lo = gen.period_max_ns > 0 ? std::max(gen.u_min, c / static_cast<double>(gen.period_max_ns)) : gen.u_min;
    const double u_hi = gen.period_min_ns > 0 ? std::min(gen.u_max, c / static_cast<double>(gen.period_min_ns)) : gen.u_max;
    if (u_lo > u_hi)
      return "model '" + m.model + "' (full-GPU time " + number_text(c / 1e6) +
             " ms) cannot have a period in the range with a utilisation in [u_min, u_max]";
  }
  return "";
}

TaskSet generate_task_set(const GeneratorSpec& spec, const Profile& profile, double load, std::uint64_t seed) {
  if (const auto* id = std::get_if<IdenticalGenerator>(&spec)) return identical_set(*id, load);
  if (const auto* scaled = std::get_if<ScaledGenerator>(&spec)) return scaled_task_set(scaled->base, load);
  if (const auto* periods = std::get_if<RandomPeriodsGenerator>(&spec))
    return random_periods_set(*periods, profile, load, seed);
  return random_set(std::get<RandomGenerator>(spec), profile, load, seed);
}

double total_utilisation(const Profile& profile, const TaskSet& set) {
  double total = 0;
  for (const TaskSpec& spec : set.specs)
    total += spec.count * static_cast<double>(full_gpu_time_ns(profile, spec.model)) / static_cast<double>(spec.period_ns);
  return total;
}

}  // namespace sgprs::exp
