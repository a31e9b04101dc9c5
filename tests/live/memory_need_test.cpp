// The live set-up's memory check: each model's shared weights once plus the sum over tasks of
// each model's measured per-task footprint, and a one-line refusal that says what the run needs
// per model and what is free.
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

TEST(MemoryNeed, SharedWeightsCountOncePerModelThatRuns) {
  const std::vector<ModelFootprint> models{{"resnet18", 60 * kMiB, 45 * kMiB}, {"unused", 9 * kMiB, 300 * kMiB}};
  EXPECT_EQ(memory_needed(models, {0, 0, 0}), 45 * kMiB + 3 * 60 * kMiB);
  EXPECT_EQ(memory_needed(models, {}), 0) << "a model no task runs costs nothing, its weights included";
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
            "not enough GPU memory for the live set-up: 3 tasks need 620.0 MiB of buffers (resnet18: 2 x 110.0 MiB, "
            "vit_b16: 1 x 400.0 MiB), 512.0 MiB free on GPU 1; nothing was released");
  const std::vector<ModelFootprint> shared{{"resnet18", 60 * kMiB, 45 * kMiB}};
  EXPECT_EQ(*memory_shortfall(shared, {0, 0}, 100 * kMiB, 0),
            "not enough GPU memory for the live set-up: 2 tasks need 165.0 MiB of buffers (resnet18: 45.0 MiB of "
            "weights + 2 x 60.0 MiB), 100.0 MiB free on GPU 0; nothing was released");
  EXPECT_EQ(text->find('\n'), std::string::npos);
}

TEST(MemoryNeed, ATaskNamingNoModelIsAProgrammingError) {
  EXPECT_THROW((void)memory_needed({{"resnet18", 1}}, {1}), std::logic_error);
  EXPECT_THROW((void)memory_needed({{"resnet18", 1}}, {-1}), std::logic_error);
}

}  // namespace
}  // namespace sgprs::live
