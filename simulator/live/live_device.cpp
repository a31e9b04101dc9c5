#include "simulator/live/live_device.hpp"

#include "common/errors.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sgprs::live {

std::string profile_precision(const Profile& profile) { return profile.precision(); }

bool same_gpu_model(const std::string& profiled, const std::string& device) {
  if (profiled.empty() || device.empty()) return true;  // nothing to compare (a fake device, an old profile)
  return device.find(profiled) != std::string::npos || profiled.find(device) != std::string::npos;
}

namespace {

/// One entry of CMake's CUDA_ARCHITECTURES: "90", "90-real", "90-virtual", "90a", "100f".
bool entry_runs_on(std::string entry, int major, int minor) {
  bool real = true, virtual_code = true;
  if (const auto dash = entry.find('-'); dash != std::string::npos) {
    const std::string kind = entry.substr(dash + 1);
    real = kind == "real";
    virtual_code = kind == "virtual";
    entry.resize(dash);
  }
  char variant = 0;  // 'a': this capability only; 'f': its family (same major)
  if (!entry.empty() && (entry.back() == 'a' || entry.back() == 'f')) {
    variant = entry.back();
    entry.pop_back();
  }
  if (entry.size() < 2 || !std::all_of(entry.begin(), entry.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;  // a form this check does not know: let the driver decide at the first launch
  const int value = std::stoi(entry);
  const int built_major = value / 10, built_minor = value % 10;
  const int device = major * 10 + minor;
  if (variant == 'a') return real && device == value;
  if (real && major == built_major && minor >= built_minor) return true;
  return virtual_code && variant == 0 && device >= value;
}

/// A GPU's name and split as a profile's device block writes them (common/profile.cpp reads them).
Json gpu_json(const std::string& name, const GpuShape& split) {
  return Json{{"name", name},
              {"sm_count", split.sm_count},
              {"piece_sms", split.piece_sms},
              {"pieces", split.pieces},
              {"remainder_sms", split.remainder_sms}};
}

}  // namespace

bool architectures_run_on(const std::string& architectures, int major, int minor) {
  if (architectures == "native" || architectures == "all" || architectures == "all-major" || architectures.empty())
    return true;
  std::string entry;
  for (const char c : architectures + ";") {
    if (c != ';' && c != ',' && c != ' ') {
      entry += c;
      continue;
    }
    if (!entry.empty() && entry_runs_on(entry, major, minor)) return true;
    entry.clear();
  }
  return false;
}

Json stand_in_profile(const Json& measured, const DeviceIdentity& device, const std::string& source) {
  Json doc = measured;
  const std::vector<int> counts = measured.at("sm_counts").get<std::vector<int>>();
  std::size_t kept = 0;
  while (kept < counts.size() && counts[kept] <= device.split.sm_count) ++kept;
  if (kept == 0)
    throw InputError(source, "sm_counts",
                     "has no SM count that GPU '" + device.name + "' (" + std::to_string(device.split.sm_count) +
                         " SMs) can run: profile this GPU first (sgprs profile)");
  // Every per-SM-count array (a stage's times, spreads, sample counts; an op's) loses the dropped counts.
  const auto truncate_arrays = [&](Json& node) {
    for (auto& [key, value] : node.items())
      if (value.is_array() && value.size() == counts.size()) value.erase(value.begin() + static_cast<std::ptrdiff_t>(kept), value.end());
  };
  doc["sm_counts"] = std::vector<int>(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(kept));
  for (const char* list : {"models", "ops"}) {
    if (!doc.contains(list) || !doc[list].is_array()) continue;
    for (Json& entry : doc[list]) {
      if (entry.contains("stages") && entry["stages"].is_array())
        for (Json& stage : entry["stages"]) truncate_arrays(stage);
      else
        truncate_arrays(entry);
    }
  }
  if (doc.contains("occupied_background_sms") && doc["occupied_background_sms"].is_array() &&
      doc["occupied_background_sms"].size() == counts.size()) {
    Json background = Json::array();
    for (std::size_t i = 0; i < kept; ++i)  // the measured background, no larger than the rest of this GPU
      background.push_back(std::min(doc["occupied_background_sms"][i].get<int>(), device.split.sm_count - counts[i]));
    doc["occupied_background_sms"] = background;
  }
  const Json& was = measured.at("device");
  doc["device"] = gpu_json(device.name, device.split);
  doc["device"]["stand_in"] = {{"measured_on", was.value("name", std::string())},
                               {"measured_sm_count", was.value("sm_count", 0)}};
  return doc;
}

Json stand_in_record(const Profile& profile) {
  const Json& device = profile.raw().at("device");
  if (!device.contains("stand_in")) return Json();
  Json record = device.at("stand_in");
  record["gpu"] = gpu_json(profile.device_name(), profile.gpu());
  return record;
}

DeviceIdentity stand_in_gpu(const JsonView& record) {
  const JsonView gpu = record.object("gpu");
  DeviceIdentity id;
  id.name = gpu.get<std::string>("name");
  id.split = GpuShape{gpu.get<int>("sm_count"), gpu.get<int>("piece_sms"), gpu.get<int>("pieces"),
                      gpu.get<int>("remainder_sms")};
  return id;
}

#ifndef SGPRS_LIVE_HAS_CUDA
namespace {
constexpr const char* kNoCudaBuild =
    "this build of sgprs has no CUDA live device (built without a CUDA toolkit); --fake-device runs the control loop "
    "without a GPU";
}  // namespace

ExecutorFactory cuda_executor_factory(const Profile&, const DeviceRequest&) {
  throw NoGpuError(kNoCudaBuild);
}

DeviceIdentity probe_device(int) {
  throw NoGpuError(kNoCudaBuild);
}
#endif

}  // namespace sgprs::live
