// The live set-up's memory check: the sum over tasks of each model's measured footprint, and a
// one-line refusal that says what the run needs per model and what is free.
#include "simulator/live/memory_need.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sgprs::live {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

TEST(MemoryNeed, EveryTaskCountsItsOwnModelOnce) {
  const std::vector<ModelFootprint> models{{"resnet18", 110 * kMiB}, {"vit_b16", 400 * kMiB}, {"unused", 9 * kMiB}};
  EXPECT_EQ(memory_needed(models, {0, 0, 1, 0}), 3 * 110 * kMiB + 400 * kMiB);
  EXPECT_EQ(memory_needed(models, {}), 0);
}

TEST(MemoryNeed, FitsUpToTheLastByte) {
  const std::vector<ModelFootprint> models{{"resnet18", 100 * kMiB}};
  EXPECT_FALSE(memory_shortfall(models, {0, 0}, 200 * kMiB, 0).has_value());
  EXPECT_TRUE(memory_shortfall(models, {0, 0}, 200 * kMiB - 1, 0).has_value());
}

TEST(MemoryNeed, TheRefusalSaysWhatWasNeededPerModelAndWhatIsFree) {
  const std::vector<ModelFootprint> models{{"resnet18", 110 * kMiB}, {"unused", 9 * kMiB}, {"vit_b16", 400 * kMiB}};
  const auto text = memory_shortfall(models, {0, 2, 0}, 512 * kMiB, 1);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text,
            "not enough GPU memory for the live set-up: 3 tasks need 620.0 MiB of buffers (2 x resnet18 at 110.0 MiB, "
            "1 x vit_b16 at 400.0 MiB), 512.0 MiB free on GPU 1; nothing was released");
  EXPECT_EQ(text->find('\n'), std::string::npos);
}

TEST(MemoryNeed, ATaskNamingNoModelIsAProgrammingError) {
  EXPECT_THROW((void)memory_needed({{"resnet18", 1}}, {1}), std::logic_error);
  EXPECT_THROW((void)memory_needed({{"resnet18", 1}}, {-1}), std::logic_error);
}

}  // namespace
}  // namespace sgprs::live
