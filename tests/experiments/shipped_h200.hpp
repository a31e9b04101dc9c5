#pragma once
// The shipped H200 TF32 profile and model files, for experiment tests that need measured times.
#include "common/profile.hpp"

#include <string>

namespace sgprs::exp::test {

inline const Profile& h200() {
  static const Profile profile = Profile::load(std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/h200-tf32.json");
  return profile;
}
inline const std::string kModels = std::string(SGPRS_SOURCE_DIR) + "/traces/models";

}  // namespace sgprs::exp::test
