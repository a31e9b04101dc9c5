#include "simulator/experiments/experiment.hpp"

#include "common/errors.hpp"
#include "common/rng.hpp"
#include "simulator/experiments/run_table.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

namespace sgprs::exp {

namespace {

std::string resolve_path(const std::string& source, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(source).parent_path() / p).lexically_normal().string();
}

IdenticalGenerator read_identical(const JsonView& node) {
  IdenticalGenerator gen;
  gen.model = node.get<std::string>("model");
  gen.period_ns = read_period(node);
  const double fraction = node.get_or<double>("deadline_fraction", 1.0);
  if (!(fraction > 0) || fraction > 1) node.fail("deadline_fraction", "must be in (0, 1] (D = fraction x T)");
  gen.deadline_ns = static_cast<Ns>(std::llround(fraction * static_cast<double>(gen.period_ns)));
  return gen;
}

std::vector<ModelShare> read_mix(const JsonView& node) {
  const auto nodes = node.array("models");
  if (nodes.empty()) node.fail("models", "must list at least one model");
  std::vector<ModelShare> mix;
  for (const JsonView& m : nodes) {
    m.expect_only({"model", "weight"});
    ModelShare share{m.get<std::string>("model"), m.get_or<double>("weight", 1.0)};
    if (!(share.weight > 0)) m.fail("weight", "must be positive");
    mix.push_back(share);
  }
  return mix;
}

/// "period_ms": [lo, hi] into ns; false when absent.
bool read_period_range(const JsonView& node, Ns& lo, Ns& hi) {
  if (!node.has("period_ms")) return false;
  const auto range = node.get<std::vector<double>>("period_ms");
  if (range.size() != 2 || !(range[0] > 0) || !(range[1] >= range[0]))
    node.fail("period_ms", "must be [lo, hi] with 0 < lo <= hi (milliseconds)");
  lo = static_cast<Ns>(std::llround(range[0] * kNsPerMs));
  hi = static_cast<Ns>(std::llround(range[1] * kNsPerMs));
  return true;
}

/// "deadlines": "implicit" (default) or {"constrained": [lo, hi]}.
template <class Gen>
void read_deadlines(const JsonView& node, Gen& gen) {
  const Json& deadlines = node.raw().contains("deadlines") ? node.raw().at("deadlines") : Json("implicit");
  if (deadlines.is_object()) {
    const JsonView d(deadlines, node.source(), node.field_path("deadlines"));
    d.expect_only({"constrained"});
    const auto range = d.get<std::vector<double>>("constrained");
    if (range.size() != 2 || !(range[0] > 0) || !(range[1] >= range[0]) || range[1] > 1)
      d.fail("constrained", "must be [lo, hi] with 0 < lo <= hi <= 1 (D / T)");
    gen.constrained_deadlines = true;
    gen.deadline_lo = range[0];
    gen.deadline_hi = range[1];
  } else if (deadlines != Json("implicit")) {
    node.fail("deadlines", "must be \"implicit\" or {\"constrained\": [lo, hi]}");
  }
}

RandomGenerator read_random(const JsonView& node) {
  RandomGenerator gen;
  gen.tasks = node.get<int>("tasks");
  if (gen.tasks <= 0) node.fail("tasks", "must be a positive task count");
  gen.mix = read_mix(node);
  const JsonView u = node.object("utilisation");
  u.expect_only({"method", "min", "max"});
  const std::string method = u.get<std::string>("method");
  if (method == "randfixedsum") gen.method = UtilisationMethod::kRandfixedsum;
  else if (method == "uunifast-discard") gen.method = UtilisationMethod::kUUniFastDiscard;
  else u.fail("method", "'" + method + "' is not randfixedsum or uunifast-discard");
  gen.u_min = u.get_or<double>("min", 0.0);
  gen.u_max = u.get_or<double>("max", 1.0);
  if (!(gen.u_min >= 0) || !(gen.u_max > gen.u_min)) u.fail("max", "need 0 <= min < max");
  read_period_range(node, gen.period_min_ns, gen.period_max_ns);
  read_deadlines(node, gen);
  return gen;
}

RandomPeriodsGenerator read_random_periods(const JsonView& node) {
  RandomPeriodsGenerator gen;
  gen.mix = read_mix(node);
  if (!read_period_range(node, gen.period_min_ns, gen.period_max_ns))
    node.fail("period_ms", "is required: the range the periods are drawn from, log-uniformly");
  gen.max_tasks = node.get_or<int>("max_tasks", gen.max_tasks);
  if (gen.max_tasks <= 0) node.fail("max_tasks", "must be positive");
  read_deadlines(node, gen);
  return gen;
}

LoadSpec read_loads(const JsonView& root, bool identical) {
  LoadSpec spec;
  const Json& node = root.raw().contains("loads") ? root.raw().at("loads") : Json();
  if (node.is_array()) {
    spec.values = root.get<std::vector<double>>("loads");
  } else if (node.is_object()) {
    const JsonView loads = root.object("loads");
    loads.expect_only({"count", "bound_fraction", "from", "to"});
    spec.count = loads.get<int>("count");
    if (spec.count <= 0) loads.fail("count", "must be positive (an empty sweep runs nothing)");
    if (loads.has("bound_fraction")) {
      if (!identical) loads.fail("bound_fraction", "is only for the identical generator (loads are task counts)");
      const auto range = loads.get<std::vector<double>>("bound_fraction");
      if (range.size() != 2 || !(range[0] > 0) || !(range[1] >= range[0]))
        loads.fail("bound_fraction", "must be [lo, hi] with 0 < lo <= hi");
      spec.bound_fraction_lo = range[0];
      spec.bound_fraction_hi = range[1];
    } else {
      const double from = loads.get<double>("from");
      const double to = loads.get<double>("to");
      if (!(to >= from)) loads.fail("to", "must not be below 'from'");
      // Through load_text, so that 0.2 + 0.4 is the load "0.6" a reader expects.
      for (int i = 0; i < spec.count; ++i)
        spec.values.push_back(std::stod(load_text(spec.count == 1 ? from : from + (to - from) * i / (spec.count - 1))));
      if (identical)
        for (double& v : spec.values) v = std::round(v);
    }
  } else {
    root.fail("loads", "must be a list of loads or {\"from\", \"to\", \"count\"}" +
                           std::string(identical ? " or {\"bound_fraction\": [lo, hi], \"count\"}" : ""));
  }
  if (spec.values.empty() && spec.bound_fraction_lo == 0) root.fail("loads", "is empty: the sweep would run nothing");
  return spec;
}

SchedulerEntry read_scheduler(const JsonView& node) {
  SchedulerEntry entry;
  if (node.raw().is_string()) {
    entry.name = entry.label = node.as<std::string>();
    return entry;
  }
  node.expect_only({"name", "label", "options"});
  entry.name = node.get<std::string>("name");
  entry.label = node.get_or<std::string>("label", entry.name);
  if (node.has("options")) {
    const JsonView options = node.object("options");
    for (const auto& [key, value] : options.raw().items())
      entry.options.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return entry;
}

/// Task counts spread over [lo, hi] x max_n, rounded, without repeats, at least 1.
std::vector<double> loads_from_bound(const LoadSpec& spec, int max_n) {
  std::set<double> unique;
  for (int i = 0; i < spec.count; ++i) {
    const double f = spec.count == 1 ? spec.bound_fraction_lo
                                     : spec.bound_fraction_lo + (spec.bound_fraction_hi - spec.bound_fraction_lo) * i /
                                                                    (spec.count - 1);
    unique.insert(std::max(1.0, std::round(f * max_n)));
  }
  return {unique.begin(), unique.end()};
}

}  // namespace

std::string load_text(double load) { return number_text(load); }

Experiment read_experiment(const std::string& path) {
  return experiment_from_json(load_json_document(path, "sgprs.experiment", 1), path);
}

Experiment experiment_from_json(const Json& doc, const std::string& source) {
  check_schema(doc, source, "sgprs.experiment", 1);
  const JsonView root(doc, source);
  root.expect_only({"name", "profile", "models_dir", "interpolation", "generator", "loads", "layouts", "max_parallel",
                    "schedulers", "repetitions", "duration_s", "base_seed", "predicted_times",
                    "gpu_times"});
  Experiment exp;
  exp.source = source;
  exp.raw = doc;
  exp.name = root.get_or<std::string>("name", std::filesystem::path(source).stem().string());
  exp.profile_path = resolve_path(source, root.get<std::string>("profile"));
  exp.models_dir = resolve_path(source, root.get<std::string>("models_dir"));
  exp.interpolation = parse_curve_interpolation(root.get_or<std::string>("interpolation", "step"), source);

  const JsonView gen = root.object("generator");
  const std::string kind = gen.get<std::string>("kind");
  if (kind == "identical") gen.expect_only({"kind", "model", "period_ns", "rate_hz", "deadline_fraction"});
  else if (kind == "random") gen.expect_only({"kind", "tasks", "models", "utilisation", "period_ms", "deadlines"});
  else if (kind == "random-periods") gen.expect_only({"kind", "models", "period_ms", "max_tasks", "deadlines"});
  if (kind == "identical") exp.generator = read_identical(gen);
  else if (kind == "random") exp.generator = read_random(gen);
  else if (kind == "random-periods") exp.generator = read_random_periods(gen);
  else gen.fail("kind", "unknown generator '" + kind + "' (known: identical, random, random-periods)");

  exp.loads = read_loads(root, kind == "identical");

  for (const JsonView& node : root.array("layouts")) {
    Experiment::LayoutEntry entry;
    if (node.raw().is_string()) {
      entry.spec = node.as<std::string>();
    } else {
      node.expect_only({"layout", "max_parallel", "label"});
      entry.spec = node.get<std::string>("layout");
      entry.max_parallel = node.get_or<int>("max_parallel", 0);
      if (entry.max_parallel < 0) node.fail("max_parallel", "must be 0 (default) or positive");
      entry.label = node.get_or<std::string>("label", "");
    }
    exp.layouts.push_back(entry);
  }
  if (exp.layouts.empty()) root.fail("layouts", "is empty: the sweep would run nothing");
  exp.max_parallel = root.get_or<int>("max_parallel", 0);
  if (exp.max_parallel < 0) root.fail("max_parallel", "must be 0 (layout default) or positive");

  const auto schedulers = root.array("schedulers");
  if (schedulers.empty()) root.fail("schedulers", "is empty: the sweep would run nothing");
  std::set<std::string> labels;
  for (const JsonView& node : schedulers) {
    exp.schedulers.push_back(read_scheduler(node));
    if (!labels.insert(exp.schedulers.back().label).second)
      node.fail("label", "'" + exp.schedulers.back().label + "' appears twice; give each entry its own label");
  }

  exp.repetitions = root.get_or<int>("repetitions", 1);
  if (exp.repetitions <= 0) root.fail("repetitions", "must be positive");
  const double duration_s = root.get<double>("duration_s");
  if (!(duration_s > 0) || duration_s > 1e6) root.fail("duration_s", "must be a positive number of seconds");
  exp.duration_ns = seconds_to_ns(duration_s);
  const std::int64_t seed = root.get_or<std::int64_t>("base_seed", 1);
  if (seed < 0) root.fail("base_seed", "must not be negative");
  exp.base_seed = static_cast<std::uint64_t>(seed);
  exp.predicted_times =
      parse_profile_times(root.get_or<std::string>("predicted_times", "occupied"), source + ": field 'predicted_times'");
  exp.gpu_times = parse_profile_times(root.get_or<std::string>("gpu_times", "isolated"), source + ": field 'gpu_times'");
  return exp;
}

PreparedExperiment prepare_experiment(Experiment input, const std::vector<std::string>& known_schedulers) {
  PreparedExperiment prep;
  prep.experiment = std::move(input);
  const Experiment& experiment = prep.experiment;
  prep.profile = Profile::load(experiment.profile_path, experiment.interpolation);
  const std::string& source = experiment.source;

  // Models first: every later check needs their profiles.
  const std::vector<std::string> models = generator_models(experiment.generator);
  for (std::size_t i = 0; i < models.size(); ++i)
    if (!prep.profile.find_model(models[i]))
      throw InputError(source, std::holds_alternative<IdenticalGenerator>(experiment.generator)
                                   ? "generator.model"
                                   : "generator.models[" + std::to_string(i) + "].model",
                       "the profile " + experiment.profile_path + " has no model '" + models[i] + "'");

  for (const std::string& model : models) {
    const std::filesystem::path file = std::filesystem::path(experiment.models_dir) / (model + ".json");
    if (!std::filesystem::exists(file))
      throw InputError(source, "models_dir", "has no " + file.string() + " for model '" + model + "'");
  }

  if (const auto* id = std::get_if<IdenticalGenerator>(&experiment.generator))
    prep.bound_max_tasks = max_identical_tasks(prep.profile, id->model, id->period_ns);
  prep.loads = experiment.loads.bound_fraction_lo > 0 ? loads_from_bound(experiment.loads, prep.bound_max_tasks)
                                                      : experiment.loads.values;
  for (std::size_t i = 0; i < prep.loads.size(); ++i) {
    const std::string why = unreachable_reason(experiment.generator, prep.profile, prep.loads[i]);
    if (!why.empty()) throw InputError(source, "loads[" + std::to_string(i) + "]", why);
    for (std::size_t j = 0; j < i; ++j)
      if (load_text(prep.loads[j]) == load_text(prep.loads[i]))
        throw InputError(source, "loads[" + std::to_string(i) + "]", "repeats load " + load_text(prep.loads[i]));
  }

  for (std::size_t i = 0; i < experiment.layouts.size(); ++i) {
    const Experiment::LayoutEntry& entry = experiment.layouts[i];
    const int max_parallel = entry.max_parallel > 0 ? entry.max_parallel : experiment.max_parallel;
    Layout layout = parse_layout(entry.spec, prep.profile.gpu(), max_parallel,
                                 source + ": field 'layouts[" + std::to_string(i) + "]'");
    if (!entry.label.empty()) layout.name = entry.label;
    else if (entry.max_parallel > 0) layout.name += "/mp" + std::to_string(entry.max_parallel);
    for (const Layout& earlier : prep.layouts)
      if (earlier.name == layout.name)
        throw InputError(source, "layouts[" + std::to_string(i) + "]",
                         "'" + layout.name + "' appears twice; give the entry its own label");
    prep.layouts.push_back(std::move(layout));
  }

  for (std::size_t i = 0; i < experiment.schedulers.size(); ++i) {
    const std::string& name = experiment.schedulers[i].name;
    if (std::find(known_schedulers.begin(), known_schedulers.end(), name) == known_schedulers.end()) {
      std::string known;
      for (const std::string& k : known_schedulers) known += (known.empty() ? "" : ", ") + k;
      throw InputError(source, "schedulers[" + std::to_string(i) + "]",
                       "unknown scheduler '" + name + "' (known: " + known + ")");
    }
  }

  for (std::size_t load = 0; load < prep.loads.size(); ++load) {
    for (int rep = 0; rep < experiment.repetitions; ++rep) {
      const std::uint64_t seed = Rng::derive_seed(experiment.base_seed, prep.set_index(load, rep));
      try {
        prep.task_sets.push_back(generate_task_set(experiment.generator, prep.profile, prep.loads[load], seed));
      } catch (const std::exception& e) {  // generator limits: invalid_argument or runtime_error
        throw InputError(source, "loads[" + std::to_string(load) + "]", e.what());
      }
      prep.seeds.push_back(seed);
      prep.bounds.push_back(throughput_bound(prep.profile, prep.task_sets.back().expand(seed)));
    }
  }
  return prep;
}

}  // namespace sgprs::exp
