#include "common/errors.hpp"
#include "common/layout.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using sgprs::GpuShape;
using sgprs::InputError;
using sgprs::parse_layout;

namespace {
// The H100 as green contexts cut it: 15 pieces of 8 SMs and a 12-SM remainder.
const GpuShape kH100{132, 8, 15, 12};

std::vector<int> sizes(const sgprs::Layout& layout) {
  std::vector<int> out;
  for (const auto& p : layout.partitions) out.push_back(p.sms);
  return out;
}
}  // namespace

TEST(Layout, FullIsTheWholeGpuWithTheRemainder) {
  const auto layout = parse_layout("full", kH100);
  ASSERT_EQ(layout.partitions.size(), 1u);
  EXPECT_EQ(layout.partitions[0].sms, 132);
  EXPECT_EQ(layout.partitions[0].pieces.size(), 16u);  // 15 pieces + remainder (index 15)
  EXPECT_EQ(layout.max_parallel, 6);                    // ceil(6 / 1)
}

TEST(Layout, PiecesIsOnePartitionPerPieceWithTheRemainderOnTheLast) {
  const auto layout = parse_layout("pieces", kH100);
  ASSERT_EQ(layout.partitions.size(), 15u);
  for (std::size_t k = 0; k + 1 < layout.partitions.size(); ++k) {
    EXPECT_EQ(layout.partitions[k].sms, 8);
    EXPECT_EQ(layout.partitions[k].pieces, (std::vector<int>{static_cast<int>(k)}));
  }
  EXPECT_EQ(layout.partitions.back().sms, 20);
  EXPECT_EQ(layout.partitions.back().pieces, (std::vector<int>{14, 15}));
  EXPECT_EQ(layout.shared_sms(kH100), 0);
  EXPECT_DOUBLE_EQ(layout.budget(kH100), 1.0);
  EXPECT_EQ(layout.max_parallel, 1);  // ceil(6 / 15)
  EXPECT_EQ(layout.name, "pieces");
  EXPECT_EQ(parse_layout("pieces", kH100, 2).max_parallel, 2);
  // A GPU without a remainder: every piece alone.
  EXPECT_EQ(sizes(parse_layout("pieces", GpuShape{64, 8, 8, 0})), std::vector<int>(8, 8));
}

TEST(Layout, OneTimesBudgetSplitsTheGpuDisjointly) {
  // 1.0x, 2 partitions: targets 66 + 66. The remainder (12) joins the last (ties go to the last),
  // leaving targets 66 and 54 over 15 pieces: quotas 8.25 and 6.75 -> 8 and 7 pieces -> 64 and 56 + 12.
  const auto two = parse_layout("equal:2:1.0x", kH100);
  EXPECT_EQ(sizes(two), (std::vector<int>{64, 68}));
  EXPECT_EQ(two.max_parallel, 3);
  EXPECT_EQ(two.shared_sms(kH100), 0);
  EXPECT_EQ(two.partitions[1].pieces, (std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15}));
  // 1.0x, 3 partitions: 44 each; remainder to the last (44 - 12 = 32): quotas 5.5, 5.5, 4 -> 5, 5, 4
  // and the 15th piece to the first of the tied fractions -> 48, 40, 32 + 12.
  const auto three = parse_layout("equal:3:1.0x", kH100);
  EXPECT_EQ(sizes(three), (std::vector<int>{48, 40, 44}));
  EXPECT_EQ(three.max_parallel, 2);
  EXPECT_EQ(three.shared_sms(kH100), 0);
  EXPECT_EQ(three.name, "equal:3:1.0x");
  EXPECT_DOUBLE_EQ(three.budget(kH100), 1.0);
}

TEST(Layout, EqualBudgetsAboveOne) {
  // 1.5x: 99 SMs -> 96 each (2 partitions); 2.0x: 132 each = two whole-GPU partitions.
  EXPECT_EQ(sizes(parse_layout("equal:2:1.5x", kH100)), (std::vector<int>{96, 96}));
  EXPECT_EQ(sizes(parse_layout("equal:2:2.0x", kH100)), (std::vector<int>{132, 132}));
  // 3 x 2.0x: 88 each.
  EXPECT_EQ(sizes(parse_layout("equal:3:2", kH100)), (std::vector<int>{88, 88, 88}));
}

TEST(Layout, StepwiseIsOneTwoThreeSmallestFirst) {
  // 2 partitions, 1.0x: targets 44, 88; remainder to the larger (76 left): quotas 5.5, 9.5 -> 6, 9 pieces.
  EXPECT_EQ(sizes(parse_layout("stepwise:2:1.0x", kH100)), (std::vector<int>{48, 84}));
  // 3 partitions, 1.0x: 22, 44, 66 (54 after the remainder): quotas 2.75, 5.5, 6.75 -> 3, 5, 7 pieces.
  EXPECT_EQ(sizes(parse_layout("stepwise:3:1.0x", kH100)), (std::vector<int>{24, 40, 68}));
  // 3 partitions, 2.0x (rounded, may share): 44, 88, 132 -> 48, 88, 132 (the last is the whole GPU).
  EXPECT_EQ(sizes(parse_layout("stepwise:3:2.0x", kH100)), (std::vector<int>{48, 88, 132}));
}

TEST(Layout, BetweenLargestPieceMultipleAndWholeGpuPicksNearer) {
  // 1.9x over 2 partitions = 125.4 SMs: nearer to 120 (5.4) than to 132 (6.6).
  EXPECT_EQ(sizes(parse_layout("equal:2:1.9x", kH100)), (std::vector<int>{120, 120}));
}

TEST(Layout, BudgetsBelowOneUseLessOfTheGpu) {
  // 0.5x: targets 22, 44; remainder to the larger (32 left); 54 SMs -> 7 pieces: quotas 2.85, 4.15 -> 3, 4.
  const auto layout = parse_layout("stepwise:2:0.5x", kH100);
  EXPECT_EQ(sizes(layout), (std::vector<int>{24, 44}));
  EXPECT_EQ(layout.partitions[0].pieces, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(layout.partitions[1].pieces, (std::vector<int>{3, 4, 5, 6, 15}));
  EXPECT_EQ(layout.shared_sms(kH100), 0);
  EXPECT_NEAR(layout.budget(kH100), 68.0 / 132.0, 1e-12);
}

TEST(Layout, AboveOneTimesPartitionsShareWrappedPieces) {
  // 1.5x, 2 partitions: 96 + 96 = 24 pieces of 15: the second wraps round onto pieces 0-8 (72 SMs shared).
  const auto layout = parse_layout("equal:2:1.5x", kH100);
  EXPECT_EQ(layout.partitions[1].pieces, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14}));
  EXPECT_EQ(layout.shared_sms(kH100), 72);
}

TEST(Layout, MaxParallelOverride) { EXPECT_EQ(parse_layout("equal:2:1.0x", kH100, 5).max_parallel, 5); }

TEST(Layout, BadShorthandsNameTheFlag) {
  for (const char* bad : {"equal:2", "equal:0:1.0x", "equal:2:abc", "stepwise:2:-1x", "equal:16:1.0x", "nope"}) {
    try {
      parse_layout(bad, kH100);
      FAIL() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.source(), "--layout") << bad;
    }
  }
}

TEST(Layout, FileSizesMayIncludeTheRemainder) {
  const auto layout = sgprs::layout_from_json(
      sgprs::Json::parse(R"({"schema": "sgprs.layout/1", "partitions": [{"sms": 20}, {"sms": 12}]})"), "r.json", kH100);
  EXPECT_EQ(layout.partitions[0].pieces, (std::vector<int>{0, 15}));  // one piece + the remainder
  EXPECT_EQ(layout.partitions[1].pieces, (std::vector<int>{15}));     // the remainder alone, shared
}

TEST(Layout, FileWithSizesAndPieces) {
  const sgprs::Json doc = sgprs::Json::parse(R"({"schema": "sgprs.layout/1", "name": "mine", "max_parallel": 2,
    "partitions": [{"name": "small", "sms": 16}, {"name": "big", "pieces": [2, 3, 4, 15]}]})");
  const auto layout = sgprs::layout_from_json(doc, "mine.json", kH100);
  EXPECT_EQ(layout.partitions[0].name, "small");
  EXPECT_EQ(layout.partitions[0].pieces, (std::vector<int>{0, 1}));
  EXPECT_EQ(layout.partitions[1].sms, 3 * 8 + 12);
  EXPECT_EQ(layout.max_parallel, 2);
}

TEST(Layout, FileRejectsImpossiblePartitions) {
  const auto check = [](const char* text, const char* field) {
    try {
      sgprs::layout_from_json(sgprs::Json::parse(text), "bad.json", kH100);
      FAIL() << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), field) << e.what();
      EXPECT_EQ(e.source(), "bad.json");
    }
  };
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"sms": 128}]})", "partitions[0].sms");   // not buildable
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"sms": 10}]})", "partitions[0].sms");    // neither 8k nor 8k + 12
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"sms": 200}]})", "partitions[0].sms");   // larger than the GPU
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"pieces": [16]}]})", "partitions[0].pieces");
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"pieces": [1, 1]}]})", "partitions[0].pieces");
  check(R"({"schema": "sgprs.layout/1", "partitions": [{"sm": 16}]})", "partitions[0].sm");          // misspelt
  check(R"({"schema": "sgprs.layout/1", "maxparallel": 2, "partitions": [{"sms": 16}]})", "maxparallel");
  check(R"({"schema": "sgprs.layout/1", "partitions": []})", "partitions");
  check(R"({"schema": "sgprs.layout/1", "max_parallel": 0, "partitions": [{"sms": 8}]})", "max_parallel");
}

TEST(Layout, StreamPrioritiesFollowShareWeights) {
  sgprs::Layout layout;
  for (double w : {1.0, 4.0, 2.0, 4.0, 1.0}) {
    sgprs::Partition p;
    p.share_weight = w;
    layout.partitions.push_back(p);
  }
  // CUDA's range on Hopper: least 0, greatest -5. Highest weight most urgent, lowest weight default.
  EXPECT_EQ(sgprs::stream_priorities(layout, 0, -5), (std::vector<int>{0, -2, -1, -2, 0}));
  // Fewer levels than weights: the most urgent ones share the greatest priority.
  EXPECT_EQ(sgprs::stream_priorities(layout, 0, -1), (std::vector<int>{0, -1, -1, -1, 0}));
  for (auto& p : layout.partitions) p.share_weight = 1.0;
  EXPECT_EQ(sgprs::stream_priorities(layout, 0, -5), (std::vector<int>(5, 0)));
}
