#include "simulator/core/run_options.hpp"

#include "common/errors.hpp"

#include <filesystem>

namespace sgprs::sim {

const char* to_string(InterferenceRule rule) { return rule == InterferenceRule::kProfile ? "profile" : "none"; }

InterferenceRule parse_interference_rule(const std::string& text, const std::string& source) {
  if (text == "none") return InterferenceRule::kNone;
  if (text == "profile") return InterferenceRule::kProfile;
  throw InputError(source, "", unknown_name("interference rule", text, {"none", "profile"}));
}

const char* to_string(SharingRule rule) { return rule == SharingRule::kPacked ? "packed" : "even-step"; }

SharingRule parse_sharing_rule(const std::string& text, const std::string& source) {
  if (text == "even-step") return SharingRule::kEvenStep;
  if (text == "packed") return SharingRule::kPacked;
  throw InputError(source, "", unknown_name("sharing rule", text, {"even-step", "packed"}));
}

const char* to_string(PriorityRule rule) {
  switch (rule) {
    case PriorityRule::kStrict: return "strict";
    case PriorityRule::kStrictFloor: return "strict-floor";
    case PriorityRule::kWeighted: break;
  }
  return "weighted";
}

PriorityRule parse_priority_rule(const std::string& text, const std::string& source) {
  if (text == "weighted") return PriorityRule::kWeighted;
  if (text == "strict") return PriorityRule::kStrict;
  if (text == "strict-floor") return PriorityRule::kStrictFloor;
  throw InputError(source, "", unknown_name("priority rule", text, {"weighted", "strict", "strict-floor"}));
}

std::string sharing_calibration_beside(const std::string& profile_path) {
  const std::string suffix = ".json";
  const bool json = profile_path.size() > suffix.size() &&
                    profile_path.compare(profile_path.size() - suffix.size(), suffix.size(), suffix) == 0;
  return (json ? profile_path.substr(0, profile_path.size() - suffix.size()) : profile_path) + ".sharing.json";
}

SharingRule resolve_sharing_rule(const std::string& text, const std::string& calibration,
                                 const std::string& profile_path, const std::string& source) {
  if (text != "auto") return parse_sharing_rule(text, source);
  const bool calibrated = !calibration.empty() || std::filesystem::exists(sharing_calibration_beside(profile_path));
  return calibrated ? SharingRule::kPacked : SharingRule::kEvenStep;
}

}  // namespace sgprs::sim
