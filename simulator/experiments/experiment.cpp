#include "simulator/experiments/experiment.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"
#include "common/rng.hpp"
#include "simulator/experiments/run_table.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

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
  limits::check_file_name(node, "model", gen.model);
  gen.period_ns = read_period(node);
  const double fraction = node.get_or<double>("deadline_fraction", 1.0);
  if (!(fraction > 0) || fraction > 1) node.fail("deadline_fraction", "must be in (0, 1] (D = fraction x T)");
  gen.deadline_ns = static_cast<Ns>(std::llround(fraction * static_cast<double>(gen.period_ns)));
  if (gen.deadline_ns < 1) node.fail("deadline_fraction", "gives a deadline under one nanosecond");
  return gen;
}

std::vector<ModelShare> read_mix(const JsonView& node) {
  const auto nodes = node.array("models");
  if (nodes.empty()) node.fail("models", "must list at least one model");
  limits::check_count(node, "models", nodes.size(), limits::kMaxModels);
  std::vector<ModelShare> mix;
  for (const JsonView& m : nodes) {
    m.expect_only({"model", "weight"});
    ModelShare share{m.get<std::string>("model"), m.get_or<double>("weight", 1.0)};
    limits::check_file_name(m, "model", share.model);
    if (!(share.weight > 0) || !std::isfinite(share.weight)) m.fail("weight", "must be a positive finite number");
    mix.push_back(share);
  }
  return mix;
}

/// "period_ms": [lo, hi] into ns; false when absent.
bool read_period_range(const JsonView& node, Ns& lo, Ns& hi) {
  if (!node.has("period_ms")) return false;
  const auto range = node.get<std::vector<double>>("period_ms");
  const double max_ms = static_cast<double>(limits::kMaxTimeNs) / kNsPerMs;
  if (range.size() != 2 || !(range[0] >= 1e-6) || !(range[1] >= range[0]) || !(range[1] <= max_ms))
    node.fail("period_ms", "must be [lo, hi] with 1e-6 <= lo <= hi <= " + number_text(max_ms) +
                               " (milliseconds: from one nanosecond to the limit of every time)");
  lo = std::max<Ns>(1, static_cast<Ns>(std::llround(range[0] * kNsPerMs)));
  hi = std::max<Ns>(lo, static_cast<Ns>(std::llround(range[1] * kNsPerMs)));
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
  if (gen.tasks <= 0 || gen.tasks > limits::kMaxRandomTasks)
    node.fail("tasks", "must be a task count in 1.." + std::to_string(limits::kMaxRandomTasks) +
                           " (the limit of the random generator)");
  gen.mix = read_mix(node);
  const JsonView u = node.object("utilisation");
  u.expect_only({"method", "min", "max"});
  const std::string method = u.get<std::string>("method");
  if (method == "randfixedsum") gen.method = UtilisationMethod::kRandfixedsum;
  else if (method == "uunifast-discard") gen.method = UtilisationMethod::kUUniFastDiscard;
  else u.fail("method", "'" + method + "' is not randfixedsum or uunifast-discard");
  gen.u_min = u.get_or<double>("min", 0.0);
  gen.u_max = u.get_or<double>("max", 1.0);
  if (!(gen.u_min >= 0) || !(gen.u_max > gen.u_min) || !(gen.u_max <= 1e6)) u.fail("max", "need 0 <= min < max <= 1e6");
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
  if (gen.max_tasks <= 0 || gen.max_tasks > limits::kMaxTasks)
    node.fail("max_tasks", "must be in 1.." + std::to_string(limits::kMaxTasks) + " (the limit of tasks in a run)");
  read_deadlines(node, gen);
  return gen;
}

LoadSpec read_loads(const JsonView& root, bool identical, bool scaled) {
  LoadSpec spec;
  const Json& node = root.raw().contains("loads") ? root.raw().at("loads") : Json();
  // Every load is a task count or a total utilisation: in [kMinLoad, kMaxLoad] whatever the generator.
  constexpr double kMinLoad = 1e-6;
  const auto max_load = static_cast<double>(limits::kMaxTasks);
  const auto check_load = [&](const JsonView& where, const std::string& field, double value) {
    if (!(value >= kMinLoad) || !(value <= max_load))
      where.fail(field, "must be a load from " + number_text(kMinLoad) + " to " + number_text(max_load));
  };
  if (node.is_array()) {
    spec.values = root.get<std::vector<double>>("loads");
    limits::check_count(root, "loads", spec.values.size(), limits::kMaxLoads);
    for (std::size_t i = 0; i < spec.values.size(); ++i)
      check_load(root, "loads[" + std::to_string(i) + "]", spec.values[i]);
  } else if (node.is_object()) {
    const JsonView loads = root.object("loads");
    loads.expect_only({"count", "bound_fraction", "from", "to"});
    spec.count = loads.get<int>("count");
    if (spec.count <= 0) loads.fail("count", "must be positive (an empty sweep runs nothing)");
    if (static_cast<std::size_t>(spec.count) > limits::kMaxLoads)
      loads.fail("count", "is over the limit of " + std::to_string(limits::kMaxLoads) + " loads");
    if (loads.has("bound_fraction")) {
      if (!identical && !scaled)
        loads.fail("bound_fraction", "is only for the identical and scaled generators (loads are task counts or scales)");
      const auto range = loads.get<std::vector<double>>("bound_fraction");
      if (range.size() != 2 || !(range[0] > 0) || !(range[1] >= range[0]) || !(range[1] <= 1e3))
        loads.fail("bound_fraction", "must be [lo, hi] with 0 < lo <= hi <= 1000");
      spec.bound_fraction_lo = range[0];
      spec.bound_fraction_hi = range[1];
    } else {
      const double from = loads.get<double>("from");
      const double to = loads.get<double>("to");
      check_load(loads, "from", from);
      check_load(loads, "to", to);
      if (!(to >= from)) loads.fail("to", "must not be below 'from'");
      // Through load_text, so that 0.2 + 0.4 is the load "0.6" a reader expects.
      for (int i = 0; i < spec.count; ++i)
        spec.values.push_back(std::stod(load_text(spec.count == 1 ? from : from + (to - from) * i / (spec.count - 1))));
      if (identical)
        for (double& v : spec.values) v = std::round(v);
    }
  } else {
    root.fail("loads", "must be a list of loads or {\"from\", \"to\", \"count\"}" +
                           std::string(identical || scaled ? " or {\"bound_fraction\": [lo, hi], \"count\"}" : ""));
  }
  if (spec.values.empty() && spec.bound_fraction_lo == 0) root.fail("loads", "is empty: the sweep would run nothing");
  return spec;
}

SchedulerEntry read_scheduler(const JsonView& node) {
  SchedulerEntry entry;
  if (node.raw().is_string()) {
    entry.name = entry.label = node.as<std::string>();
    limits::check_name(node, "", entry.name);
    return entry;
  }
  node.expect_only({"name", "label", "options"});
  entry.name = node.get<std::string>("name");
  entry.label = node.get_or<std::string>("label", entry.name);
  limits::check_name(node, "label", entry.label);
  if (node.has("options")) {
    const JsonView options = node.object("options");
    for (const auto& [key, value] : options.raw().items()) {
      limits::check_name(options, key, key);
      entry.options.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
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

/// Load scales spread over [lo, hi] x the bound's largest scale, to three decimals, without repeats.
std::vector<double> scales_from_bound(const LoadSpec& spec, double max_scale) {
  std::set<double> unique;
  for (int i = 0; i < spec.count; ++i) {
    const double f = spec.count == 1 ? spec.bound_fraction_lo
                                     : spec.bound_fraction_lo + (spec.bound_fraction_hi - spec.bound_fraction_lo) * i /
                                                                    (spec.count - 1);
    unique.insert(std::max(0.001, std::round(f * max_scale * 1000) / 1000));
  }
  return {unique.begin(), unique.end()};
}

/// Most tasks one set of `load` may hold.
double most_tasks(const GeneratorSpec& generator, double load) {
  if (std::holds_alternative<IdenticalGenerator>(generator)) return load;
  if (const auto* random = std::get_if<RandomGenerator>(&generator)) return random->tasks;
  if (const auto* scaled = std::get_if<ScaledGenerator>(&generator)) {
    double tasks = 0;
    for (const TaskSpec& t : scaled->base.specs) tasks += std::round(t.count * load);
    return tasks;
  }
  return std::get<RandomPeriodsGenerator>(generator).max_tasks;
}

/// A generator derives periods (T = C / u) and deadlines: they must stay within the limits of every time.
void check_generated_times(const std::vector<Task>& tasks, const std::string& source, const std::string& field) {
  for (const Task& task : tasks)
    if (task.period_ns < 1 || task.period_ns > limits::kMaxTimeNs || task.deadline_ns < 1 ||
        task.deadline_ns > limits::kMaxTimeNs)
      throw InputError(source, field,
                       "draws task '" + task.name + "' with period " + std::to_string(task.period_ns) + " ns and deadline " +
                           std::to_string(task.deadline_ns) + " ns, outside 1.." + std::to_string(limits::kMaxTimeNs) +
                           " ns (raise the per-task utilisation minimum or set period_ms)");
}

}  // namespace

std::string load_text(double load) { return number_text(load); }

namespace {

/// The "gpu_model" object: names checked as simulate checks its flags, "auto" sharing resolved
/// (packed where a calibration is named or sits beside the profile), paths relative to the file.
Experiment::GpuModel read_gpu_model(const JsonView& node, const std::string& profile_path, ProfileTimes gpu_times) {
  node.expect_only(
      {"sharing", "sharing_calibration", "interference", "stage_overhead_ns", "priority_rule", "gpu_times_profile"});
  const std::string field = node.source() + ": field '" + node.path();
  Experiment::GpuModel model;
  const std::string sharing = node.get_or<std::string>("sharing", "even-step");
  std::string calibration;
  if (node.has("sharing_calibration")) calibration = resolve_path(node.source(), node.get<std::string>("sharing_calibration"));
  if (sharing != "auto" && sharing != "even-step" && sharing != "packed")
    node.fail("sharing", unknown_name("sharing rule", sharing, {"auto", "even-step", "packed"}));
  model.sharing = sim::resolve_sharing_rule(sharing, calibration, profile_path, field + ".sharing'");
  if (model.sharing == sim::SharingRule::kPacked)
    model.sharing_calibration = calibration.empty() ? sim::sharing_calibration_beside(profile_path) : calibration;
  else if (!calibration.empty())
    node.fail("sharing_calibration", "is used only by the packed sharing rule");
  model.interference =
      sim::parse_interference_rule(node.get_or<std::string>("interference", "none"), field + ".interference'");
  if (model.interference == sim::InterferenceRule::kProfile && gpu_times != ProfileTimes::kIsolated)
    node.fail("interference", "moves the isolated times toward the occupied ones: needs \"gpu_times\": \"isolated\"");
  model.stage_overhead_ns = node.get_or<Ns>("stage_overhead_ns", 0);
  if (model.stage_overhead_ns < 0 || model.stage_overhead_ns > kNsPerSecond)
    node.fail("stage_overhead_ns", "must be a whole number of nanoseconds from 0 to 1e9");
  model.priority_rule =
      sim::parse_priority_rule(node.get_or<std::string>("priority_rule", "strict"), field + ".priority_rule'");
  if (node.has("gpu_times_profile")) {
    model.gpu_times_profile = resolve_path(node.source(), node.get<std::string>("gpu_times_profile"));
    if (std::error_code ec; !std::filesystem::is_regular_file(model.gpu_times_profile, ec))
      node.fail("gpu_times_profile", "names " + model.gpu_times_profile + ", which is not a file");
  }
  return model;
}

}  // namespace

Experiment read_experiment(const std::string& path) {
  return experiment_from_json(load_json_document(path, "sgprs.experiment", 1), path);
}

Experiment experiment_from_json(const Json& doc, const std::string& source) {
  check_schema(doc, source, "sgprs.experiment", 1);
  const JsonView root(doc, source);
  root.expect_only({"name", "profile", "models_dir", "interpolation", "generator", "loads", "layouts", "max_parallel",
                    "schedulers", "repetitions", "duration_s", "base_seed", "predicted_times",
                    "gpu_times", "gpu_model"});
  Experiment exp;
  exp.source = source;
  exp.raw = doc;
  exp.name = root.get_or<std::string>("name", std::filesystem::path(source).stem().string());
  limits::check_name(root, "name", exp.name);
  exp.profile_path = resolve_path(source, root.get<std::string>("profile"));
  exp.models_dir = resolve_path(source, root.get<std::string>("models_dir"));
  exp.interpolation = parse_curve_interpolation(root.get_or<std::string>("interpolation", "step"), source);

  const JsonView gen = root.object("generator");
  const std::string kind = gen.get<std::string>("kind");
  if (kind == "identical") gen.expect_only({"kind", "model", "period_ns", "rate_hz", "deadline_fraction"});
  else if (kind == "random") gen.expect_only({"kind", "tasks", "models", "utilisation", "period_ms", "deadlines"});
  else if (kind == "random-periods") gen.expect_only({"kind", "models", "period_ms", "max_tasks", "deadlines"});
  else if (kind == "scaled") gen.expect_only({"kind", "taskset"});
  if (kind == "identical") exp.generator = read_identical(gen);
  else if (kind == "random") exp.generator = read_random(gen);
  else if (kind == "random-periods") exp.generator = read_random_periods(gen);
  else if (kind == "scaled") {
    ScaledGenerator scaled;
    scaled.taskset_path = resolve_path(source, gen.get<std::string>("taskset"));
    scaled.base = TaskSet::load(scaled.taskset_path);
    scaled.base.check_deadlines(false);
    exp.generator = std::move(scaled);
  } else gen.fail("kind", unknown_name("generator", kind, {"identical", "random", "random-periods", "scaled"}));

  exp.loads = read_loads(root, kind == "identical", kind == "scaled");

  const std::vector<JsonView> layout_nodes = root.array("layouts");
  limits::check_count(root, "layouts", layout_nodes.size(), limits::kMaxLoads);
  for (const JsonView& node : layout_nodes) {
    Experiment::LayoutEntry entry;
    if (node.raw().is_string()) {
      entry.spec = node.as<std::string>();
    } else {
      node.expect_only({"layout", "max_parallel", "label"});
      entry.spec = node.get<std::string>("layout");
      entry.max_parallel = node.get_or<int>("max_parallel", 0);
      if (entry.max_parallel < 0 || entry.max_parallel > limits::kMaxParallel)
        node.fail("max_parallel", "must be 0 (default) or up to " + std::to_string(limits::kMaxParallel));
      entry.label = node.get_or<std::string>("label", "");
      limits::check_name(node, "label", entry.label);
    }
    exp.layouts.push_back(entry);
  }
  if (exp.layouts.empty()) root.fail("layouts", "is empty: the sweep would run nothing");
  exp.max_parallel = root.get_or<int>("max_parallel", 0);
  if (exp.max_parallel < 0 || exp.max_parallel > limits::kMaxParallel)
    root.fail("max_parallel", "must be 0 (layout default) or up to " + std::to_string(limits::kMaxParallel));

  const auto schedulers = root.array("schedulers");
  if (schedulers.empty()) root.fail("schedulers", "is empty: the sweep would run nothing");
  limits::check_count(root, "schedulers", schedulers.size(), limits::kMaxLoads);
  std::set<std::string> labels;
  for (const JsonView& node : schedulers) {
    exp.schedulers.push_back(read_scheduler(node));
    if (!labels.insert(exp.schedulers.back().label).second)
      node.fail("label", "'" + exp.schedulers.back().label + "' appears twice; give each entry its own label");
  }

  exp.repetitions = root.get_or<int>("repetitions", 1);
  if (exp.repetitions <= 0 || exp.repetitions > limits::kMaxRepetitions)
    root.fail("repetitions", "must be in 1.." + std::to_string(limits::kMaxRepetitions));
  const double duration_s = root.get<double>("duration_s");
  const double max_duration_s = ns_to_seconds(limits::kMaxTimeNs);
  if (!(duration_s >= 1e-9) || duration_s > max_duration_s)
    root.fail("duration_s", "must be a number of seconds from 1e-9 to " + number_text(max_duration_s));
  exp.duration_ns = seconds_to_ns(duration_s);
  const std::size_t loads = exp.loads.values.empty() ? static_cast<std::size_t>(exp.loads.count) : exp.loads.values.size();
  const std::size_t runs = exp.layouts.size() * exp.schedulers.size() * loads * static_cast<std::size_t>(exp.repetitions);
  if (runs > limits::kMaxSweepRuns)
    root.fail("repetitions", "makes " + std::to_string(runs) + " runs (layouts x schedulers x loads x repetitions); the limit is " +
                                 std::to_string(limits::kMaxSweepRuns));
  const std::int64_t seed = root.get_or<std::int64_t>("base_seed", 1);
  if (seed < 0) root.fail("base_seed", "must not be negative");
  exp.base_seed = static_cast<std::uint64_t>(seed);
  exp.predicted_times =
      parse_profile_times(root.get_or<std::string>("predicted_times", "occupied"), source + ": field 'predicted_times'");
  exp.gpu_times = parse_profile_times(root.get_or<std::string>("gpu_times", "isolated"), source + ": field 'gpu_times'");
  if (root.has("gpu_model")) exp.gpu_model = read_gpu_model(root.object("gpu_model"), exp.profile_path, exp.gpu_times);
  return exp;
}

PreparedExperiment prepare_experiment(Experiment input, const std::vector<std::string>& known_schedulers) {
  PreparedExperiment prep;
  prep.experiment = std::move(input);
  const Experiment& experiment = prep.experiment;
  prep.profile = Profile::load(experiment.profile_path, experiment.interpolation);
  if (!experiment.gpu_model.gpu_times_profile.empty())
    prep.gpu_times_profile =
        std::make_shared<const Profile>(Profile::load(experiment.gpu_model.gpu_times_profile, experiment.interpolation));
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
    if (std::error_code ec; !std::filesystem::is_regular_file(file, ec))
      throw InputError(source, "models_dir", "has no " + file.string() + " for model '" + model + "'");
  }

  if (const auto* id = std::get_if<IdenticalGenerator>(&experiment.generator))
    prep.bound_max_tasks = max_identical_tasks(prep.profile, id->model, id->period_ns);
  if (const auto* scaled = std::get_if<ScaledGenerator>(&experiment.generator))
    prep.bound_max_scale = throughput_bound(prep.profile, scaled->base.expand(experiment.base_seed)).max_scale;
  if (experiment.loads.bound_fraction_lo > 0)
    prep.loads = std::holds_alternative<ScaledGenerator>(experiment.generator)
                     ? scales_from_bound(experiment.loads, prep.bound_max_scale)
                     : loads_from_bound(experiment.loads, prep.bound_max_tasks);
  else
    prep.loads = experiment.loads.values;
  std::unordered_set<std::string> load_texts;  // loads are told apart by their text: a set, not n^2 compares
  for (std::size_t i = 0; i < prep.loads.size(); ++i) {
    const std::string why = unreachable_reason(experiment.generator, prep.profile, prep.loads[i]);
    if (!why.empty()) throw InputError(source, "loads[" + std::to_string(i) + "]", why);
    std::string text = load_text(prep.loads[i]);
    if (load_texts.count(text) > 0) throw InputError(source, "loads[" + std::to_string(i) + "]", "repeats load " + text);
    load_texts.insert(std::move(text));
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
    if (std::find(known_schedulers.begin(), known_schedulers.end(), name) == known_schedulers.end())
      throw InputError(source, "schedulers[" + std::to_string(i) + "]", unknown_name("scheduler", name, known_schedulers));
  }

  // The tasks every set will hold, at most, before any is drawn: sets are kept in memory.
  double planned_tasks = 0;
  for (double load : prep.loads) planned_tasks += most_tasks(experiment.generator, load);
  planned_tasks *= experiment.repetitions;
  if (planned_tasks > static_cast<double>(limits::kMaxSweepTasks))
    throw InputError(source, "loads", "would draw up to " + number_text(planned_tasks) +
                                          " tasks over all loads and repetitions; the limit is " +
                                          std::to_string(limits::kMaxSweepTasks));

  for (std::size_t load = 0; load < prep.loads.size(); ++load) {
    const std::string field = "loads[" + std::to_string(load) + "]";
    for (int rep = 0; rep < experiment.repetitions; ++rep) {
      const std::uint64_t seed = Rng::derive_seed(experiment.base_seed, prep.set_index(load, rep));
      try {
        prep.task_sets.push_back(generate_task_set(experiment.generator, prep.profile, prep.loads[load], seed));
      } catch (const std::exception& e) {  // generator limits: invalid_argument or runtime_error
        throw InputError(source, field, e.what());
      }
      prep.seeds.push_back(seed);
      const std::vector<Task> tasks = prep.task_sets.back().expand(seed);
      check_generated_times(tasks, source, field);
      limits::check_run_size(tasks, experiment.duration_ns, source, field);
      prep.bounds.push_back(throughput_bound(prep.profile, tasks));
    }
  }
  return prep;
}

}  // namespace sgprs::exp
