// How many hardware queues the process asks CUDA for (CUDA_DEVICE_MAX_CONNECTIONS), decided before
// CUDA starts: runs with or without a GPU (init_cuda_for_partitions sets the variable first).
#include "common/errors.hpp"
#include "profiler/partition_pool.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace sgprs::profiler {
namespace {

constexpr const char* kVariable = "CUDA_DEVICE_MAX_CONNECTIONS";

void init_if_possible(int streams) {
  try {
    init_cuda_for_partitions(streams);
  } catch (const NoGpuError&) {
    // the variable is set before CUDA is asked for a GPU
  }
}

TEST(HardwareQueues, All32AreAskedForWhateverTheStreamCount) {
  // Until 2026-12-06: max(streams, 8), i.e. 8 here; 6 to 16 busy streams on as many queues made the
  // live graphs wait milliseconds (traces/live/h100-tf32-2026-12-06-aligned-trace/README.md).
  unsetenv(kVariable);
  testing::internal::CaptureStderr();
  init_if_possible(4);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  ASSERT_NE(std::getenv(kVariable), nullptr);
  EXPECT_STREQ(std::getenv(kVariable), "32");
}

TEST(HardwareQueues, AUsersSettingIsKeptAndOneBelowTheStreamsIsWarnedAbout) {
  setenv(kVariable, "12", 1);
  testing::internal::CaptureStderr();
  init_if_possible(16);
  const std::string warning = testing::internal::GetCapturedStderr();
  EXPECT_STREQ(std::getenv(kVariable), "12");
  EXPECT_NE(warning.find("CUDA_DEVICE_MAX_CONNECTIONS=12 is below 16 streams"), std::string::npos) << warning;

  testing::internal::CaptureStderr();
  init_if_possible(12);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "12 queues for 12 streams is the user's choice";
  EXPECT_STREQ(std::getenv(kVariable), "12");
}

}  // namespace
}  // namespace sgprs::profiler
