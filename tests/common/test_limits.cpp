// Limits checked when a file is read (common/limits.hpp, docs/formats.md): each over-limit value
// is one InputError naming the file, the field and the limit, before any work starts.
#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "common/layout.hpp"
#include "common/limits.hpp"
#include "common/model.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace sgprs {
namespace {

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string taskset_error(const std::string& task_fields) {
  return error_of([&] {
    TaskSet::from_json(Json::parse(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", )" + task_fields + "}]}"),
                       "ts.json");
  });
}

TEST(Limits, DeepNestingIsRefusedBeforeParsingWithItsPosition) {
  // 65 levels: one past the limit, inside a field no reader looks at.
  const std::string deep = std::string(64, '[') + "1" + std::string(64, ']');
  const std::string text = "{\"schema\": \"sgprs.taskset/1\",\n \"comment\": " + deep + "}";
  const std::string error = error_of([&] { parse_json_text(text, "ts.json"); });
  EXPECT_EQ(error, "ts.json: nests arrays and objects deeper than 64 levels (at line 2, column 76)");
  // Brackets inside strings are text, not nesting; 64 levels are fine.
  EXPECT_NO_THROW(parse_json_text("{\"a\": \"" + std::string(1000, '[') + "\", \"b\": " +
                                      std::string(63, '[') + std::string(63, ']') + "}",
                                  "ok.json"));
  // A million levels: refused just as fast, with no recursion anywhere.
  EXPECT_NE(error_of([] { parse_json_text(std::string(1'000'000, '['), "huge.json"); }).find("deeper than 64"),
            std::string::npos);
}

TEST(Limits, TimesBeyondTheClockLimitNameFieldAndLimit) {
  EXPECT_EQ(taskset_error(R"("period_ns": 9223372036854775807)"),
            "ts.json: field 'tasks[0].period_ns': is over the limit of 1000000000000000 ns (1000000 s)");
  EXPECT_NE(taskset_error(R"("period_ns": 1000, "deadline_ns": 4611686018427387904)").find("tasks[0].deadline_ns"),
            std::string::npos);
  EXPECT_NE(taskset_error(R"("period_ns": 1000, "offset_ns": 1000000000000001)").find("tasks[0].offset_ns"),
            std::string::npos);
  EXPECT_NE(taskset_error(R"("rate_hz": 1e-9)").find("below the limit of 1e-06 Hz"), std::string::npos);
  EXPECT_EQ(taskset_error(R"("period_ns": 1000000000000000, "offset_ns": 1000000000000000)"), "");
}

TEST(Limits, TaskCountsAndNames) {
  EXPECT_NE(taskset_error(R"("period_ns": 1000, "count": 1000001)").find("above 1000000 copies"), std::string::npos);
  EXPECT_NE(taskset_error(R"("period_ns": 1000, "name": "a\nb")").find("control characters"), std::string::npos);
  EXPECT_NE(taskset_error(R"("period_ns": 1000, "name": ")" + std::string(201, 'x') + "\"")
                .find("201 bytes long; the limit is 200"),
            std::string::npos);
  // Model names become file names: no folders, no '..'.
  EXPECT_NE(error_of([] {
              TaskSet::from_json(Json::parse(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "../x", "period_ns": 1}]})"),
                                 "ts.json");
            }).find("field 'tasks[0].model'"),
            std::string::npos);
  // Two entries of 600,000 copies each pass one by one but not together.
  const std::string two = R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "a", "model": "m", "period_ns": 1000, "count": 600000},
      {"name": "b", "model": "m", "period_ns": 1000, "count": 600000}]})";
  EXPECT_NE(error_of([&] { TaskSet::from_json(Json::parse(two), "ts.json"); })
                .find("tasks[1].count': brings the task set to 1200000 tasks; the limit is 1000000"),
            std::string::npos);
}

TEST(Limits, JobsOfARunAreCountedBeforeItStarts) {
  // One task every 1 ns for a second: 1e9 jobs, ten times the limit.
  std::vector<Task> tasks{{"t", "m", 1, 1, 0, Priority::kLow}};
  EXPECT_GT(limits::jobs_released(tasks, kNsPerSecond), limits::kMaxJobs);
  EXPECT_NE(error_of([&] { limits::check_run_size(tasks, kNsPerSecond, "ts.json", "tasks"); })
                .find("would release more than 100000000 jobs in 1 s"),
            std::string::npos);
  // Releases at offset + k T below the duration, counted exactly: 0, 3, 6, 9 in [0, 10) and 5 in [0, 10).
  tasks = {{"a", "m", 3, 3, 0, Priority::kLow}, {"b", "m", 100, 100, 5, Priority::kLow},
           {"c", "m", 1, 1, 10, Priority::kLow}};
  EXPECT_EQ(limits::jobs_released(tasks, 10), 5);
}

TEST(Limits, ProfileShapeAndStageTimes) {
  const auto profile_error = [](const std::string& device, const std::string& times) {
    return error_of([&] {
      Profile::from_json(Json::parse(R"({"schema": "sgprs.profile/1", "device": )" + device +
                                     R"(, "sm_counts": [1], "models": [{"name": "m", "stages": [{"name": "a", "median_ns": )" +
                                     times + "}]}]}"),
                         "p.json");
    });
  };
  EXPECT_NE(profile_error(R"({"name": "g", "sm_count": 100000000})", "[1]").find("device.sm_count': must be in 1..4096"),
            std::string::npos);
  // pieces x piece_sms would overflow an int: refused before the product is taken.
  EXPECT_NE(profile_error(R"({"name": "g", "sm_count": 16, "piece_sms": 8, "pieces": 1073741824})", "[1]")
                .find("device.pieces': must be in 1..sm_count"),
            std::string::npos);
  EXPECT_NE(profile_error(R"({"name": "g", "sm_count": 16})", "[4611686018427387904]")
                .find("median_ns[0]': must be a positive time in ns up to the limit of 100000000000 ns"),
            std::string::npos);
  EXPECT_EQ(profile_error(R"({"name": "g", "sm_count": 16})", "[100000000000]"), "");
  // INT64_MAX in a list of times is read as the integer it is (once through a double, which
  // rounds it past the range: undefined behaviour), then refused by the limit.
  EXPECT_NE(profile_error(R"({"name": "g", "sm_count": 16})", "[9223372036854775807]").find("median_ns[0]"),
            std::string::npos);
}

TEST(Limits, LayoutMaxParallelAndPartitions) {
  const GpuShape gpu{16, 4, 4, 0};
  const auto layout_error = [&](const std::string& fields) {
    return error_of([&] {
      layout_from_json(Json::parse(R"({"schema": "sgprs.layout/1", )" + fields + "}"), "l.json", gpu);
    });
  };
  EXPECT_NE(layout_error(R"("max_parallel": 2147483647, "partitions": [{"sms": 16}])").find("must be in 1..1024"),
            std::string::npos);
  std::string many = R"("partitions": [)";
  for (int i = 0; i < 1025; ++i) many += std::string(i ? "," : "") + R"({"sms": 4})";
  EXPECT_NE(layout_error(many + "]").find("has 1025 entries; the limit is 1024"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_layout("full", gpu, 1025); }).find("max_parallel 1025 is not in 0..1024"),
            std::string::npos);
}

TEST(Limits, ModelStageCount) {
  std::string stages;
  for (int i = 0; i < 1025; ++i) stages += std::string(i ? "," : "") + R"({"name": "s)" + std::to_string(i) + "\"}";
  EXPECT_NE(error_of([&] {
              Model::from_json(Json::parse(R"({"schema": "sgprs.model/1", "name": "m", "stages": [)" + stages + "]}"), "m.json");
            }).find("m.json: field 'stages': has 1025 entries; the limit is 1024"),
            std::string::npos);
}

}  // namespace
}  // namespace sgprs
