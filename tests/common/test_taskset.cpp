#include "common/errors.hpp"
#include "common/taskset.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using sgprs::InputError;
using sgprs::Json;
using sgprs::TaskSet;

namespace {
TaskSet parse_taskset(const char* text) { return TaskSet::from_json(Json::parse(text), "ts.json"); }

std::string field_of(const char* text) {
  try {
    parse_taskset(text);
  } catch (const InputError& e) {
    return e.field();
  }
  return "<accepted>";
}
}  // namespace

TEST(TaskSet, DefaultsAndRate) {
  const TaskSet set = parse_taskset(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "resnet18", "rate_hz": 30}]})");
  ASSERT_EQ(set.specs.size(), 1u);
  EXPECT_EQ(set.specs[0].period_ns, 33'333'333);  // round(1e9 / 30)
  EXPECT_EQ(set.specs[0].deadline_ns, 33'333'333);
  EXPECT_EQ(set.specs[0].offset_ns, 0);
  EXPECT_EQ(set.specs[0].priority, sgprs::Priority::kLow);
  EXPECT_EQ(set.specs[0].name, "task0");
}

TEST(TaskSet, CountExpandsCopiesWithRandomOffsetsInWholeMs) {
  const TaskSet set = parse_taskset(R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "cam", "model": "m", "period_ns": 10000000, "offset_ns": "random", "count": 50, "priority": "high"}]})");
  const auto tasks = set.expand(42);
  ASSERT_EQ(tasks.size(), 50u);
  EXPECT_EQ(tasks[0].name, "cam#0");
  EXPECT_EQ(tasks[49].name, "cam#49");
  bool varied = false;
  for (const auto& t : tasks) {
    EXPECT_EQ(t.offset_ns % 1'000'000, 0);          // whole milliseconds
    EXPECT_GE(t.offset_ns, 0);
    EXPECT_LT(t.offset_ns, 20'000'000);              // [0, 2T)
    EXPECT_EQ(t.priority, sgprs::Priority::kHigh);
    varied |= t.offset_ns != tasks[0].offset_ns;
  }
  EXPECT_TRUE(varied);
  // Same seed, same offsets; another seed, other offsets.
  const auto again = set.expand(42);
  const auto other = set.expand(43);
  bool differs = false;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i].offset_ns, again[i].offset_ns);
    differs |= tasks[i].offset_ns != other[i].offset_ns;
  }
  EXPECT_TRUE(differs);
}

TEST(TaskSet, BadFields) {
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 0}]})"), "tasks[0].period_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": -5}]})"), "tasks[0].period_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m"}]})"), "tasks[0].period_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "rate_hz": 0}]})"), "tasks[0].rate_hz");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"period_ns": 5}]})"), "tasks[0].model");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": "5"}]})"), "tasks[0].period_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 5, "count": 0}]})"), "tasks[0].count");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 5, "priority": "mid"}]})"), "tasks[0].priority");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 5, "offset_ns": "later"}]})"), "tasks[0].offset_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": []})"), "tasks");
}

TEST(TaskSet, NamesAreUniqueAndPeriodsFitTheClock) {
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "a", "model": "m", "period_ns": 5},
                                                                  {"name": "a", "model": "m", "period_ns": 7}]})"),
            "tasks[1].name");
  // "a" with count 2 becomes a#0, a#1: a task may not be called a#1 beside it.
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"name": "a", "model": "m", "period_ns": 5, "count": 2},
                                                                  {"name": "a#1", "model": "m", "period_ns": 7}]})"),
            "tasks[1].name");
  // 1e12 Hz would round the period to 0 ns (and hang the release loop); 1e-300 Hz would overflow it.
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "rate_hz": 1e12}]})"), "tasks[0].rate_hz");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "rate_hz": 1e-300}]})"), "tasks[0].rate_hz");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 5, "count": 3000000000}]})"),
            "tasks[0].count");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 1e19}]})"), "tasks[0].period_ns");
}

TEST(TaskSet, MisspeltFieldsAreErrorsNotDefaults) {
  // "offest_ns" would otherwise leave the offset at 0 without a word.
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "tasks": [{"model": "m", "period_ns": 5, "offest_ns": 3}]})"),
            "tasks[0].offest_ns");
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "task": [], "tasks": [{"model": "m", "period_ns": 5}]})"), "task");
  // "description" and "comment" are free text anywhere.
  EXPECT_EQ(field_of(R"({"schema": "sgprs.taskset/1", "description": "d",
                         "tasks": [{"model": "m", "period_ns": 5, "comment": "c"}]})"), "<accepted>");
}

TEST(TaskSet, DeadlineOverPeriodOnlyWhenAllowed) {
  const TaskSet set = parse_taskset(R"({"schema": "sgprs.taskset/1", "tasks": [
      {"model": "m", "period_ns": 10}, {"model": "m", "period_ns": 10, "deadline_ns": 20}]})");
  try {
    set.check_deadlines(false);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "tasks[1].deadline_ns");
  }
  EXPECT_NO_THROW(set.check_deadlines(true));
}

TEST(TaskSet, RoundTripsThroughJson) {
  const TaskSet set = parse_taskset(R"({"schema": "sgprs.taskset/1", "name": "x", "tasks": [
      {"name": "a", "model": "m", "period_ns": 10, "deadline_ns": 8, "offset_ns": "random", "count": 3}]})");
  const TaskSet back = TaskSet::from_json(set.to_json(), "mem");
  EXPECT_EQ(back.to_json(), set.to_json());
}
