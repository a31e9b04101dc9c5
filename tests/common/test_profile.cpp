#include "common/errors.hpp"
#include "common/profile.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using sgprs::InputError;
using sgprs::Json;
using sgprs::Profile;

namespace {
// A hand-made two-point profile (test input, not GPU data).
const char* kProfile = R"({"schema": "sgprs.profile/1",
  "device": {"name": "test-gpu", "sm_count": 132, "piece_sms": 8, "pieces": 15, "remainder_sms": 12},
  "sm_counts": [8, 132],
  "models": [{"name": "net", "stages": [
     {"name": "a", "median_ns": [1000, 100], "occupied_median_ns": [1200, 150]},
     {"name": "b", "median_ns": [2000, 300]}]}]})";

std::string field_of(Json doc) {
  try {
    Profile::from_json(doc, "p.json");
  } catch (const InputError& e) {
    return e.field();
  }
  return "<accepted>";
}
}  // namespace

TEST(Profile, ReadsCurvesAndShape) {
  const Profile p = Profile::from_json(Json::parse(kProfile), "p.json");
  EXPECT_EQ(p.gpu().sm_count, 132);
  EXPECT_EQ(p.gpu().remainder_sms, 12);
  const auto& net = p.model("net");
  EXPECT_EQ(net.find_stage("a")->isolated.time_at(132), 100);
  EXPECT_EQ(net.find_stage("a")->curve(sgprs::ProfileTimes::kOccupied).time_at(8), 1200);
  // Stage b has no occupied times: the isolated curve stands in.
  EXPECT_EQ(net.find_stage("b")->curve(sgprs::ProfileTimes::kOccupied).time_at(64), 2000);
  EXPECT_EQ(net.find_stage("zzz"), nullptr);
}

TEST(Profile, MissingModelNamesProfileAndListsKnown) {
  const Profile p = Profile::from_json(Json::parse(kProfile), "p.json");
  try {
    p.model("resnet50");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "p.json: field 'models': unknown model 'resnet50' (known: net)");
  }
}

TEST(Profile, BadFields) {
  Json doc = Json::parse(kProfile);
  doc["models"][0]["stages"][1]["median_ns"] = {5};
  EXPECT_EQ(field_of(doc), "models[0].stages[1].median_ns");
  doc = Json::parse(kProfile);
  doc["models"][0]["stages"][0]["median_ns"][1] = -3;
  EXPECT_EQ(field_of(doc), "models[0].stages[0].median_ns[1]");
  doc = Json::parse(kProfile);
  doc["sm_counts"] = {16, 8};
  EXPECT_EQ(field_of(doc), "sm_counts[1]");
  doc = Json::parse(kProfile);
  doc["device"]["pieces"] = 16;
  EXPECT_EQ(field_of(doc), "device.pieces");
  doc = Json::parse(kProfile);
  doc["device"].erase("sm_count");
  EXPECT_EQ(field_of(doc), "device.sm_count");
}

TEST(Profile, PrecisionIsReadOrInferredFromTheDtype) {
  Json doc = Json::parse(kProfile);
  // A file written before the "precision" field: fp32 unless its dtype says fp16.
  EXPECT_EQ(Profile::from_json(doc, "p.json").precision(), "fp32");
  doc["dtype"] = "fp16";
  EXPECT_EQ(Profile::from_json(doc, "p.json").precision(), "fp16");
  doc["dtype"] = "fp32";
  doc["precision"] = "tf32";
  EXPECT_EQ(Profile::from_json(doc, "p.json").precision(), "tf32");
}

TEST(Profile, BadPrecisionNamesTheField) {
  Json doc = Json::parse(kProfile);
  doc["precision"] = "bf16";
  EXPECT_EQ(field_of(doc), "precision");
  doc["precision"] = "fp16";  // with dtype fp32 (the default): a contradiction
  EXPECT_EQ(field_of(doc), "precision");
  doc = Json::parse(kProfile);
  doc["dtype"] = "int8";
  EXPECT_EQ(field_of(doc), "dtype");
}

TEST(Profile, ShippedProfilesStatePrecision) {
  // The shipped strict files predate the field; they must read as fp32 and fp16.
  const std::string dir = std::string(SGPRS_SOURCE_DIR) + "/traces/profiles/";
  EXPECT_EQ(Profile::load(dir + "h200-fp32.json").precision(), "fp32");
  EXPECT_EQ(Profile::load(dir + "h100-fp16.json").precision(), "fp16");
}
