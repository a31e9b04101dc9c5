#include "common/profile.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_set>

namespace sgprs {

namespace {

SpeedupCurve read_curve(const JsonView& stage, std::string_view key, const std::vector<int>& sm_counts,
                        CurveInterpolation mode) {
  const auto times = stage.get<std::vector<Ns>>(key);
  if (times.size() != sm_counts.size())
    stage.fail(key, "has " + std::to_string(times.size()) + " values but sm_counts has " +
                        std::to_string(sm_counts.size()));
  for (std::size_t i = 0; i < times.size(); ++i)
    limits::check_stage_time(stage, std::string(key) + "[" + std::to_string(i) + "]", times[i]);
  return SpeedupCurve(sm_counts, times, mode);
}

}  // namespace

const StageProfile* ModelProfile::find_stage(std::string_view stage) const {
  for (const StageProfile& s : stages)
    if (s.name == stage) return &s;
  return nullptr;
}

Profile Profile::load(const std::string& path, CurveInterpolation mode) {
  return from_json(load_json_document(path, "sgprs.profile", 1), path, mode);
}

Profile Profile::from_json(const Json& doc, const std::string& source, CurveInterpolation mode) {
  check_schema(doc, source, "sgprs.profile", 1);
  const JsonView root(doc, source);
  Profile profile;
  profile.source_ = source;
  profile.raw_ = doc;

  const std::string dtype = root.get_or<std::string>("dtype", "fp32");
  if (dtype != "fp32" && dtype != "fp16") root.fail("dtype", "must be fp32 or fp16, not '" + dtype + "'");
  profile.precision_ = root.get_or<std::string>("precision", dtype);
  if (profile.precision_ != "fp32" && profile.precision_ != "tf32" && profile.precision_ != "fp16")
    root.fail("precision", "must be fp32, tf32 or fp16, not '" + profile.precision_ + "'");
  if ((profile.precision_ == "fp16") != (dtype == "fp16"))
    root.fail("precision", "'" + profile.precision_ + "' does not match dtype '" + dtype + "'");

  const JsonView device = root.object("device");
  profile.device_name_ = device.get<std::string>("name");
  GpuShape& gpu = profile.gpu_;
  limits::check_name(device, "name", profile.device_name_);
  profile.measured_on_ = profile.device_name_;
  if (device.has("stand_in")) {
    profile.measured_on_ = device.object("stand_in").get<std::string>("measured_on");
    limits::check_name(device.object("stand_in"), "measured_on", profile.measured_on_);
  }
  gpu.sm_count = device.get<int>("sm_count");
  if (gpu.sm_count <= 0 || gpu.sm_count > limits::kMaxSmCount)
    device.fail("sm_count", "must be in 1.." + std::to_string(limits::kMaxSmCount) + " (the limit of SMs)");
  gpu.piece_sms = device.get_or<int>("piece_sms", 8);
  if (gpu.piece_sms <= 0 || gpu.piece_sms > gpu.sm_count) device.fail("piece_sms", "must be in 1..sm_count");
  gpu.pieces = device.get_or<int>("pieces", gpu.sm_count / gpu.piece_sms);
  // Both factors are in 1..sm_count before they are multiplied, so the product fits an int.
  if (gpu.pieces <= 0 || gpu.pieces > gpu.sm_count) device.fail("pieces", "must be in 1..sm_count");
  gpu.remainder_sms = device.get_or<int>("remainder_sms", gpu.sm_count - gpu.pieces * gpu.piece_sms);
  if (gpu.remainder_sms < 0 || gpu.remainder_sms > gpu.sm_count ||
      gpu.pieces * gpu.piece_sms + gpu.remainder_sms != gpu.sm_count)
    device.fail("pieces", "pieces * piece_sms + remainder_sms must equal sm_count");

  profile.sm_counts_ = root.get<std::vector<int>>("sm_counts");
  if (profile.sm_counts_.empty()) root.fail("sm_counts", "must not be empty");
  for (std::size_t i = 0; i < profile.sm_counts_.size(); ++i) {
    const int s = profile.sm_counts_[i];
    if (s <= 0 || s > gpu.sm_count || (i > 0 && s <= profile.sm_counts_[i - 1]))
      root.fail("sm_counts[" + std::to_string(i) + "]", "must increase strictly within 1..device.sm_count");
  }

  const std::vector<JsonView> model_nodes = root.array("models");
  limits::check_count(root, "models", model_nodes.size(), limits::kMaxModels);
  std::unordered_set<std::string> model_names;
  // The background the occupied times were measured against, at each SM count: its SMs times
  // the share of the measurement it covered, averaged over the stages that report it.
  std::vector<double> coverage_sum(profile.sm_counts_.size(), 0.0), coverage_count(profile.sm_counts_.size(), 0.0);
  for (const JsonView& model_node : model_nodes) {
    ModelProfile model;
    model.name = model_node.get<std::string>("name");
    limits::check_name(model_node, "name", model.name);
    if (!model_names.insert(model.name).second) model_node.fail("name", "duplicate model '" + model.name + "'");
    const std::vector<JsonView> stage_nodes = model_node.array("stages");
    limits::check_count(model_node, "stages", stage_nodes.size(), limits::kMaxStages);
    for (const JsonView& stage_node : stage_nodes) {
      StageProfile stage;
      stage.name = stage_node.get<std::string>("name");
      limits::check_name(stage_node, "name", stage.name);
      stage.isolated = read_curve(stage_node, "median_ns", profile.sm_counts_, mode);
      if (stage_node.has("occupied_median_ns"))
        stage.occupied = read_curve(stage_node, "occupied_median_ns", profile.sm_counts_, mode);
      if (stage_node.has("occupied_background_coverage")) {
        const auto coverage = stage_node.get<std::vector<double>>("occupied_background_coverage");
        if (coverage.size() != profile.sm_counts_.size())
          stage_node.fail("occupied_background_coverage", "must have one entry per SM count");
        for (std::size_t i = 0; i < coverage.size(); ++i)
          if (coverage[i] >= 0 && coverage[i] <= 1) {
            coverage_sum[i] += coverage[i];
            coverage_count[i] += 1;
          }
      }
      model.stages.push_back(std::move(stage));
    }
    profile.models_.push_back(std::move(model));
  }
  if (root.has("occupied_background_sms")) {
    const auto background = root.get<std::vector<int>>("occupied_background_sms");
    if (background.size() != profile.sm_counts_.size())
      root.fail("occupied_background_sms", "must have one entry per SM count");
    for (std::size_t i = 0; i < background.size(); ++i) {
      if (background[i] < 0 || background[i] > gpu.sm_count)
        root.fail("occupied_background_sms", "must be SM counts from 0 to the GPU's");
      const double covered = coverage_count[i] > 0 ? coverage_sum[i] / coverage_count[i] : 1.0;
      profile.occupied_background_sms_.push_back(background[i] * covered);
    }
  }
  return profile;
}

const ModelProfile* Profile::find_model(std::string_view name) const {
  for (const ModelProfile& m : models_)
    if (m.name == name) return &m;
  return nullptr;
}

const ModelProfile& Profile::model(std::string_view name) const {
  if (const ModelProfile* m = find_model(name)) return *m;
  std::vector<std::string> known;
  for (const ModelProfile& m : models_) known.push_back(m.name);
  throw InputError(source_, "models", unknown_name("model", name, known));
}

const char* to_string(ProfileTimes times) { return times == ProfileTimes::kOccupied ? "occupied" : "isolated"; }

ProfileTimes parse_profile_times(const std::string& text, const std::string& source) {
  if (text == "isolated") return ProfileTimes::kIsolated;
  if (text == "occupied") return ProfileTimes::kOccupied;
  throw InputError(source, "", "unknown value '" + text + "' (known: isolated, occupied)");
}

SpeedupCurve whole_model_curve(const ModelProfile& profile, const Model& model, ProfileTimes times, int max_sms) {
  std::vector<int> counts;
  std::vector<Ns> total;
  for (int sms = 1; sms <= max_sms; ++sms) {
    Ns sum = 0;
    for (const Stage& stage : model.stages()) sum += profile.find_stage(stage.name)->curve(times).time_at(sms);
    counts.push_back(sms);
    total.push_back(sum);
  }
  return SpeedupCurve(std::move(counts), std::move(total));
}

}  // namespace sgprs
