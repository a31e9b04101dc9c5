// The host-side rules of live_device.hpp: which builds run on which GPU, when two GPU names are
// the same model, and how the shipped profile stands in for a GPU it was not measured on.
#include "common/errors.hpp"
#include "common/profile.hpp"
#include "simulator/live/live_device.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::live {
namespace {

TEST(ArchitecturesRunOn, RealCodeRunsOnItsMajorAtAnEqualOrHigherMinorAndPtxOnAnyHigherCapability) {
  // "90" is sm_90 code plus compute_90 PTX: Hopper, and Blackwell through the driver's compiler.
  EXPECT_TRUE(architectures_run_on("90", 9, 0));
  EXPECT_TRUE(architectures_run_on("90", 10, 0));
  EXPECT_TRUE(architectures_run_on("90", 12, 0));
  EXPECT_FALSE(architectures_run_on("90", 8, 9));
  EXPECT_FALSE(architectures_run_on("90", 8, 0));
  // Real code only: no PTX to compile for a later GPU.
  EXPECT_TRUE(architectures_run_on("90-real", 9, 0));
  EXPECT_FALSE(architectures_run_on("90-real", 10, 0));
  EXPECT_TRUE(architectures_run_on("80-real", 8, 6));   // sm_80 code runs on every 8.x
  EXPECT_FALSE(architectures_run_on("86-real", 8, 0));  // but not on a lower minor
  // PTX only.
  EXPECT_TRUE(architectures_run_on("80-virtual", 9, 0));
  EXPECT_FALSE(architectures_run_on("90-virtual", 8, 9));
  // Architecture-specific code runs on its own capability only; a family on its major.
  EXPECT_TRUE(architectures_run_on("90a", 9, 0));
  EXPECT_FALSE(architectures_run_on("90a", 10, 0));
  EXPECT_TRUE(architectures_run_on("100f", 10, 3));
  EXPECT_FALSE(architectures_run_on("100f", 12, 0));
  // Lists, with either separator CMake's list may be written with.
  EXPECT_TRUE(architectures_run_on("80-real;90", 8, 9));
  EXPECT_TRUE(architectures_run_on("75-real,86-real", 8, 9));
  EXPECT_FALSE(architectures_run_on("75-real,86-real", 9, 0));
  // Forms decided by CMake at build time: the driver decides at the first launch.
  for (const char* open : {"native", "all", "all-major", ""}) EXPECT_TRUE(architectures_run_on(open, 7, 0)) << open;
}

TEST(SameGpuModel, OneNameContainingTheOtherIsTheSameModel) {
  EXPECT_TRUE(same_gpu_model("NVIDIA H200", "NVIDIA H200"));
  EXPECT_TRUE(same_gpu_model("H200", "NVIDIA H200"));
  EXPECT_FALSE(same_gpu_model("NVIDIA H200", "NVIDIA A100-SXM4-80GB"));
  EXPECT_FALSE(same_gpu_model("NVIDIA H100 80GB HBM3", "NVIDIA H200"));
  EXPECT_TRUE(same_gpu_model("", "NVIDIA H200"));  // nothing to compare
}

/// A profile of two stages measured at 8, 16, 32 and 64 SMs on a 64-SM GPU ("Big GPU").
Json measured_profile() {
  Json stage_a = {{"name", "a"},
                  {"median_ns", {800, 400, 200, 100}},
                  {"occupied_median_ns", {900, 450, 230, 110}},
                  {"occupied_background_coverage", {0.9, 0.9, 0.9, 0.9}},
                  {"samples", {10, 11, 12, 13}},
                  {"note", "kept"}};
  Json stage_b = stage_a;
  stage_b["name"] = "b";
  return Json{{"schema", "sgprs.profile/1"},
              {"precision", "tf32"},
              {"device", {{"name", "Big GPU"}, {"sm_count", 64}, {"piece_sms", 8}, {"pieces", 8}, {"remainder_sms", 0}}},
              {"sm_counts", {8, 16, 32, 64}},
              {"occupied_background_sms", {56, 48, 32, 0}},
              {"models", {{{"name", "m"}, {"stages", {stage_a, stage_b}}}}},
              {"ops", {{{"description", "conv"}, {"median_ns", {5, 4, 3, 2}}}}}};
}

DeviceIdentity gpu(const std::string& name, int sms, int pieces) {
  DeviceIdentity id;
  id.name = name;
  id.split = GpuShape{sms, 8, pieces, sms - 8 * pieces};
  return id;
}

TEST(StandInProfile, KeepsTheCurvesUpToTheGpusSmsAndTakesItsNameAndSplit) {
  const Json doc = stand_in_profile(measured_profile(), gpu("Small GPU", 36, 4), "big.json");
  const Profile p = Profile::from_json(doc, "big.json");
  EXPECT_EQ(p.device_name(), "Small GPU");
  EXPECT_EQ(p.measured_on(), "Big GPU");
  EXPECT_EQ(p.gpu().sm_count, 36);
  EXPECT_EQ(p.gpu().pieces, 4);
  EXPECT_EQ(p.gpu().remainder_sms, 4);
  EXPECT_EQ(p.sm_counts(), (std::vector<int>{8, 16, 32}));
  const StageProfile& a = p.model("m").stages.at(0);
  EXPECT_EQ(a.isolated.time_at(8), 800);
  EXPECT_EQ(a.isolated.time_at(32), 200);
  EXPECT_EQ(a.isolated.time_at(36), 200);  // beyond the last kept count: flat
  EXPECT_EQ(a.occupied.time_at(16), 450);
  // Every per-SM-count array lost the same entries; other fields are kept.
  EXPECT_EQ(doc["models"][0]["stages"][1]["samples"], Json({10, 11, 12}));
  EXPECT_EQ(doc["models"][0]["stages"][1]["note"], "kept");
  EXPECT_EQ(doc["ops"][0]["median_ns"], Json({5, 4, 3}));
  // The background measured beside each count, no larger than the rest of the smaller GPU.
  EXPECT_EQ(doc["occupied_background_sms"], Json({28, 20, 4}));
  const Json record = stand_in_record(p);
  EXPECT_EQ(record["measured_on"], "Big GPU");
  EXPECT_EQ(record["measured_sm_count"], 64);
  EXPECT_EQ(record["gpu"]["sm_count"], 36);
  // validate makes the same stand-in again from the record.
  const Json recorded = record;
  const DeviceIdentity again = stand_in_gpu(JsonView(recorded, "summary.json", "live.profile_stand_in"));
  EXPECT_EQ(stand_in_profile(measured_profile(), again, "big.json"), doc);
}

TEST(StandInProfile, ALargerGpuKeepsEveryCountAndAMeasuredProfileHasNoRecord) {
  const Profile p = Profile::from_json(stand_in_profile(measured_profile(), gpu("Huge GPU", 148, 18), "big.json"),
                                       "big.json");
  EXPECT_EQ(p.sm_counts().size(), 4u);
  EXPECT_EQ(p.model("m").stages.at(0).isolated.time_at(148), 100);
  EXPECT_TRUE(stand_in_record(Profile::from_json(measured_profile(), "big.json")).is_null());
  EXPECT_EQ(Profile::from_json(measured_profile(), "big.json").measured_on(), "Big GPU");
}

TEST(StandInProfile, AGpuSmallerThanEveryMeasuredCountIsRefusedNamingTheProfile) {
  try {
    (void)stand_in_profile(measured_profile(), gpu("Tiny GPU", 8, 1), "big.json");  // 8 is kept
    Json few = measured_profile();
    few["sm_counts"] = {16, 24, 32, 64};
    (void)stand_in_profile(few, gpu("Tiny GPU", 8, 1), "big.json");
    FAIL() << "accepted a GPU smaller than every measured count";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), "big.json");
    EXPECT_EQ(e.field(), "sm_counts");
    EXPECT_NE(std::string(e.what()).find("'Tiny GPU' (8 SMs)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sgprs::live
