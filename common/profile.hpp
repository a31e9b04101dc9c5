#pragma once
// A measured GPU profile (schema "sgprs.profile/1", written by `sgprs profile`):
// per model stage, its median time at each measured SM count, alone ("isolated")
// and, optionally, while the rest of the GPU is busy ("occupied", the paper's
// loaded time). Only the fields the simulator needs are modelled here; the rest
// (per-point spread, ops, provenance) stays available through raw().
#include "common/curve.hpp"
#include "common/json_io.hpp"
#include "common/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sgprs {

/// The GPU's SM count and how green contexts cut it: `pieces` pieces of
/// `piece_sms` SMs plus a remainder that only the whole-GPU partition uses.
struct GpuShape {
  int sm_count = 0;
  int piece_sms = 8;
  int pieces = 0;
  int remainder_sms = 0;
  bool operator==(const GpuShape&) const = default;
};

/// Which of a profile's two measurements a consumer reads: the stage alone on its
/// partition ("isolated"), or while the rest of the GPU is busy ("occupied", the
/// paper's loaded time).
enum class ProfileTimes { kIsolated, kOccupied };
const char* to_string(ProfileTimes times);
/// "isolated" or "occupied"; InputError(source, "", ...) otherwise.
ProfileTimes parse_profile_times(const std::string& text, const std::string& source);

struct StageProfile {
  std::string name;
  SpeedupCurve isolated;
  SpeedupCurve occupied;  // empty when the profile has no occupied times
  /// The occupied curve when asked for and measured, else the isolated one.
  const SpeedupCurve& curve(ProfileTimes times) const {
    return times == ProfileTimes::kOccupied && !occupied.empty() ? occupied : isolated;
  }
};

struct ModelProfile {
  std::string name;
  std::vector<StageProfile> stages;
  const StageProfile* find_stage(std::string_view stage) const;
};

class Profile {
 public:
  static Profile load(const std::string& path, CurveInterpolation mode = CurveInterpolation::kStep);
  static Profile from_json(const Json& doc, const std::string& source,
                           CurveInterpolation mode = CurveInterpolation::kStep);

  const std::string& source() const { return source_; }
  const std::string& device_name() const { return device_name_; }
  /// The GPU the curves were measured on: device_name(), except in a stand-in profile made for
  /// another GPU (simulator/live/live_device.hpp), whose `device.stand_in.measured_on` it is.
  /// What a file measured beside the profile (its sharing calibration) must match.
  const std::string& measured_on() const { return measured_on_; }
  /// What was measured: "fp32" (strict), "tf32" (convolutions may use TF32, matmuls strict:
  /// PyTorch's defaults) or "fp16". Files older than the "precision" field: "fp16" when their
  /// dtype is fp16, else "fp32" (they were measured strict).
  const std::string& precision() const { return precision_; }
  const GpuShape& gpu() const { return gpu_; }
  const std::vector<int>& sm_counts() const { return sm_counts_; }
  const std::vector<ModelProfile>& models() const { return models_; }
  const ModelProfile* find_model(std::string_view name) const;
  /// The model's profile; InputError naming the profile when it is missing.
  const ModelProfile& model(std::string_view name) const;
  const Json& raw() const { return *raw_; }
  /// Per measured SM count: how many SMs were busy elsewhere, on average, while the occupied
  /// times were measured (the background's SMs times the share of the measurement it covered);
  /// empty when the profile does not say.
  const std::vector<double>& occupied_background_sms() const { return occupied_background_sms_; }

 private:
  std::string source_;
  std::string device_name_;
  std::string measured_on_;
  std::string precision_;
  GpuShape gpu_;
  std::vector<int> sm_counts_;
  std::vector<ModelProfile> models_;
  std::vector<double> occupied_background_sms_;
  JsonValue raw_;
};

/// A whole model as one unit: at every SM count 1..max_sms, the sum of its stages'
/// times there. Sampling every integer count makes the sum exact under any
/// interpolation mode the profile was loaded with. Every stage must be in `profile`.
SpeedupCurve whole_model_curve(const ModelProfile& profile, const Model& model, ProfileTimes times, int max_sms);

}  // namespace sgprs
