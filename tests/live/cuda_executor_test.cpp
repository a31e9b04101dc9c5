// The CUDA executor on a real GPU: units run as graphs on green-context partitions and come
// back with timestamps in physical order; partitions run at once; set-up refuses what the
// device cannot build; destruction with work in flight is orderly. Skips without a GPU; the
// bad-input cases need none.
#include "common/errors.hpp"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/live/cuda_executor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

namespace sgprs::live {
namespace {

const std::string kRoot = SGPRS_SOURCE_DIR;

const Profile& h200_profile() {
  static const Profile profile = Profile::load(kRoot + "/traces/profiles/h200-fp32.json");
  return profile;
}
const GpuShape& h200_split() { return h200_profile().gpu(); }

/// The profile's time for ResNet-18 stage `stage` at `sms` SMs (strict fp32, like these tests).
Ns profiled_ns(std::size_t stage, int sms) {
  return h200_profile().model("resnet18").stages.at(stage).isolated.time_at(sms);
}

ExecutorSetup resnet18_setup(const std::string& layout, int tasks, bool whole_model,
                             CompletionNotice completion = CompletionNotice::kPollingThread, int max_parallel = 0) {
  ExecutorSetup setup;
  setup.gpu = h200_split();
  setup.layout = parse_layout(layout, setup.gpu, max_parallel);
  setup.models.push_back({Model::load(kRoot + "/traces/models/resnet18.json"), whole_model});
  setup.task_models.assign(static_cast<std::size_t>(tasks), 0);
  setup.epoch_steady_ns = steady_clock_ns_now();
  setup.completion = completion;
  return setup;
}

// Builds the executor, or skips the test where no GPU (or not the H200's split) is present.
#define MAKE_EXECUTOR_OR_SKIP(name, setup)                                                             \
  std::unique_ptr<CudaStageExecutor> name;                                                             \
  try {                                                                                                \
    name = std::make_unique<CudaStageExecutor>(setup);                                                 \
  } catch (const NoGpuError& e) {                                                                      \
    GTEST_SKIP() << "no CUDA GPU on this machine, live executor test skipped: " << e.what();           \
  } catch (const InputError& e) {                                                                      \
    if (std::string(e.what()).find("was made for a GPU split") == std::string::npos) throw;            \
    GTEST_SKIP() << "this GPU's split differs from the H200 profile's: " << e.what();                  \
  }

/// Waits until `count` completions have come back (a hung unit fails the test after 20 s).
std::vector<UnitCompletion> collect(CudaStageExecutor& gpu, std::size_t count) {
  std::vector<UnitCompletion> done;
  const Ns give_up = steady_clock_ns_now() + 20 * kNsPerSecond;
  while (done.size() < count && steady_clock_ns_now() < give_up) gpu.wait(kNever, done);
  return done;
}

void expect_physical_order(const UnitCompletion& c) {
  EXPECT_LE(c.launch_ns, c.gpu_start_ns);
  EXPECT_LE(c.gpu_start_ns, c.gpu_end_ns);
  EXPECT_LE(c.gpu_end_ns, c.noticed_ns);
}

/// The executor keeps launch <= gpu_start <= gpu_end <= noticed by clamping; a clamp larger than
/// the clock offset's uncertainty (plus the events' 0.5-us resolution) means a wrong conversion.
void expect_small_clamps(const CudaStageExecutor& gpu) {
  const ClockStats clock = gpu.clock_stats();
  std::printf("clock offset +-%lld ns; %lld timestamps clamped, by at most %lld ns\n",
              static_cast<long long>(clock.offset_uncertainty_ns), static_cast<long long>(clock.clamped),
              static_cast<long long>(clock.largest_clamp_ns));
  EXPECT_LE(clock.largest_clamp_ns, clock.offset_uncertainty_ns + 5 * kNsPerUs);
}

/// (how completions are noticed, whether the start and end events are recorded inside the graphs)
class CompletionModes : public ::testing::TestWithParam<std::tuple<CompletionNotice, bool>> {};

TEST_P(CompletionModes, OneTaskRunsEveryStageOnceInOrder) {
  // Also proves, with stamps in graphs, that a graph's end event is not seen complete before the
  // replay just launched ends: a stale completion would give a stage far below its profile time
  // and clamps far beyond the clock's uncertainty.
  ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 1, false, std::get<0>(GetParam()));
  setup.stamps_in_graphs = std::get<1>(GetParam());
  MAKE_EXECUTOR_OR_SKIP(gpu, setup);
  const SetupReport& report = gpu->setup_report();
  EXPECT_EQ(report.graphs, 6 * 2) << "one graph per (task, stage, partition)";
  EXPECT_GT(report.gpu_memory_bytes, 0);
  EXPECT_GT(report.setup_s, 0.0);
  EXPECT_FALSE(report.device_name.empty());

  std::vector<UnitCompletion> all;
  Ns live_total = 0, profiled_total = 0;
  const int sms = setup.layout.partitions[0].sms;
  for (int unit = 0; unit < 6; ++unit) {
    gpu->launch({0, unit, 41, 0}, 0);
    EXPECT_EQ(gpu->in_flight(), 1);
    const std::vector<UnitCompletion> done = collect(*gpu, 1);
    ASSERT_EQ(done.size(), 1u) << "unit " << unit;
    EXPECT_EQ(done[0].launch.task, 0);
    EXPECT_EQ(done[0].launch.unit, unit);
    EXPECT_EQ(done[0].launch.job, 41);
    EXPECT_EQ(done[0].launch.partition, 0);
    expect_physical_order(done[0]);
    if (!all.empty()) {
      EXPECT_LE(all.back().noticed_ns, done[0].launch_ns);
    }
    all.push_back(done[0]);
    const Ns live = done[0].gpu_end_ns - done[0].gpu_start_ns;
    const Ns profiled = profiled_ns(static_cast<std::size_t>(unit), sms);
    // Event times include the graph's start on the GPU, and one cold replay may meet clocks not
    // yet raised; the profile's are medians of kernel extents (CUPTI): generous upper bounds.
    EXPECT_GT(live, profiled / 2) << "stage " << unit << " at " << sms << " SMs";
    EXPECT_LT(live, 3 * profiled + 50 * kNsPerUs) << "stage " << unit << " at " << sms << " SMs";
    live_total += live;
    profiled_total += profiled;
  }
  EXPECT_EQ(gpu->in_flight(), 0);
  std::printf("ResNet-18 stages at %d SMs: %lld us live, %lld us in the profile\n", sms,
              static_cast<long long>(live_total / kNsPerUs), static_cast<long long>(profiled_total / kNsPerUs));
  EXPECT_GT(live_total, profiled_total * 7 / 10);
  EXPECT_LT(live_total, profiled_total * 2);
  expect_small_clamps(*gpu);
}

INSTANTIATE_TEST_SUITE_P(Live, CompletionModes,
                         ::testing::Combine(::testing::Values(CompletionNotice::kPollingThread,
                                                              CompletionNotice::kHostCallback,
                                                              CompletionNotice::kBlockingSync,
                                                              CompletionNotice::kHostFlags),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<CompletionNotice, bool>>& mode) {
                           return std::string(completion_notice_name(std::get<0>(mode.param))) +
                                  (std::get<1>(mode.param) ? "_stamps_in_graphs" : "_stamps_on_streams");
                         });

class QueuedUnits : public ::testing::TestWithParam<CompletionNotice> {};

TEST_P(QueuedUnits, OnOneStreamFromLauncherThreadsRunOneAfterAnotherInLaunchOrder) {
  // `streams`' queue (Platform::queue_unit) with launches on two launcher threads: three whole
  // ResNet-18 jobs of three tasks launched at once on one partition of one stream. The polling
  // thread then queries only the oldest of the three (a stream runs them in order); with flags it
  // reads their words.
  ExecutorSetup setup = resnet18_setup("full", 3, true, GetParam(), 1);
  setup.queued_per_partition = 2;
  setup.launch_threads = 2;
  setup.stamps_in_graphs = true;
  MAKE_EXECUTOR_OR_SKIP(gpu, setup);
  for (int task = 0; task < 3; ++task) gpu->launch({task, 0, 7, 0}, 0);
  EXPECT_EQ(gpu->in_flight(), 3);
  EXPECT_THROW(gpu->launch({0, 0, 8, 0}, 0), std::logic_error) << "max_parallel 1 + 2 queued are in flight";
  std::vector<UnitCompletion> done = collect(*gpu, 3);
  ASSERT_EQ(done.size(), 3u);
  std::sort(done.begin(), done.end(), [](const UnitCompletion& a, const UnitCompletion& b) { return a.launch.task < b.launch.task; });
  const Ns uncertainty = gpu->clock_stats().offset_uncertainty_ns;
  for (int k = 0; k < 3; ++k) {
    expect_physical_order(done[static_cast<std::size_t>(k)]);
    EXPECT_LT(done[static_cast<std::size_t>(k)].launch_ns, done[0].gpu_end_ns) << "task " << k << " was launched ahead";
  }
  for (int k = 1; k < 3; ++k)
    EXPECT_GE(done[static_cast<std::size_t>(k)].gpu_start_ns + 2 * uncertainty,
              done[static_cast<std::size_t>(k) - 1].gpu_end_ns)
        << "task " << k << " ran after task " << k - 1 << " on the one stream";
  EXPECT_EQ(gpu->in_flight(), 0);
  EXPECT_NE(gpu->setup_report().notes.find("2 launcher threads"), std::string::npos) << gpu->setup_report().notes;
}

INSTANTIATE_TEST_SUITE_P(Live, QueuedUnits,
                         ::testing::Values(CompletionNotice::kPollingThread, CompletionNotice::kHostFlags),
                         [](const ::testing::TestParamInfo<CompletionNotice>& mode) {
                           return std::string(completion_notice_name(mode.param));
                         });

TEST(CudaExecutor, TwoPartitionsRunAtTheSameTime) {
  const ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 2, true);
  MAKE_EXECUTOR_OR_SKIP(gpu, setup);
  for (int round = 0; round < 5; ++round) {
    gpu->launch({0, 0, round, 0}, 0);
    gpu->launch({1, 0, round, 1}, 0);
    std::vector<UnitCompletion> done = collect(*gpu, 2);
    ASSERT_EQ(done.size(), 2u);
    std::sort(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.launch.partition < b.launch.partition; });
    const Ns overlap = std::min(done[0].gpu_end_ns, done[1].gpu_end_ns) -
                       std::max(done[0].gpu_start_ns, done[1].gpu_start_ns);
    const Ns shorter = std::min(done[0].gpu_end_ns - done[0].gpu_start_ns, done[1].gpu_end_ns - done[1].gpu_start_ns);
    // Launched microseconds apart onto disjoint SMs, two whole inferences of ~1 ms run together.
    EXPECT_GT(overlap, shorter / 2) << "round " << round << ": partitions did not run at the same time";
  }
  expect_small_clamps(*gpu);
}

TEST(CudaExecutor, WholeModelUnitRuns) {
  const ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 1, true);
  MAKE_EXECUTOR_OR_SKIP(gpu, setup);
  EXPECT_EQ(gpu->setup_report().graphs, 2);
  gpu->launch({0, 0, 0, 1}, 0);
  const std::vector<UnitCompletion> done = collect(*gpu, 1);
  ASSERT_EQ(done.size(), 1u);
  expect_physical_order(done[0]);
  // The whole model as one graph takes about its stages' profiled times added up.
  const int sms = setup.layout.partitions[1].sms;
  Ns profiled = 0;
  for (std::size_t stage = 0; stage < 6; ++stage) profiled += profiled_ns(stage, sms);
  const Ns live = done[0].gpu_end_ns - done[0].gpu_start_ns;
  EXPECT_GT(live, profiled * 7 / 10) << sms << " SMs";
  EXPECT_LT(live, profiled * 2) << sms << " SMs";
  expect_small_clamps(*gpu);
}

TEST(CudaExecutor, LayoutTheSplitCannotBuildIsRefused) {
  ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 1, false);
  setup.gpu = GpuShape{};  // take the pieces as the device's own: only the device can refuse
  setup.layout.partitions[1].pieces = {99};
  try {
    CudaStageExecutor gpu(setup);
    FAIL() << "a partition of piece 99 was built";
  } catch (const NoGpuError& e) {
    GTEST_SKIP() << "no CUDA GPU on this machine: " << e.what();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("piece 99 does not exist"), std::string::npos) << e.what();
    EXPECT_EQ(e.field(), "partitions[1].pieces");
  }
  ExecutorSetup other = resnet18_setup("equal:2:1.0x", 1, false);
  other.gpu.pieces += 1;  // a layout made for another GPU's split
  other.layout.partitions[1].pieces = {0};
  try {
    CudaStageExecutor gpu(other);
    FAIL() << "a layout made for another split was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("was made for a GPU split"), std::string::npos) << e.what();
  }
}

TEST(CudaExecutor, DestructionWithUnitsInFlightFinishesThemAndLeavesTheGpuUsable) {
  {
    const ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 4, true, CompletionNotice::kPollingThread, 2);
    MAKE_EXECUTOR_OR_SKIP(gpu, setup);
    for (int task = 0; task < 4; ++task) gpu->launch({task, 0, 0, task % 2}, 0);
    EXPECT_EQ(gpu->in_flight(), 4);
    const Ns before = steady_clock_ns_now();
    gpu.reset();
    EXPECT_LT(steady_clock_ns_now() - before, setup.shutdown_wait_ns);
  }
  const ExecutorSetup again = resnet18_setup("equal:2:1.0x", 1, false);
  CudaStageExecutor gpu(again);
  gpu.launch({0, 0, 0, 1}, 0);
  EXPECT_EQ(collect(gpu, 1).size(), 1u);
}

TEST(CudaExecutor, ARunThatDoesNotFitInGpuMemoryIsRefusedBeforeItsBuffersSayingWhatItNeeds) {
  // 4,000 ResNet-18 tasks need about 400 GiB of buffers (the weights once, then activations and a
  // 64 MiB workspace each): more than any current GPU has. The set-up measures two instances (the
  // second sharing the first one's weights) and refuses at once.
  const ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 4000, false);
  try {
    CudaStageExecutor gpu(setup);
    FAIL() << "4,000 ResNet-18 tasks fitted in GPU memory";
  } catch (const NoGpuError& e) {
    GTEST_SKIP() << "no CUDA GPU on this machine: " << e.what();
  } catch (const InputError& e) {
    if (std::string(e.what()).find("was made for a GPU split") == std::string::npos) throw;
    GTEST_SKIP() << "this GPU's split differs from the H200 profile's: " << e.what();
  } catch (const GpuError& e) {
    const std::string text = e.what();
    EXPECT_EQ(text.rfind("not enough GPU memory for the live set-up: 4000 tasks need ", 0), 0u) << text;
    EXPECT_NE(text.find("(resnet18: "), std::string::npos) << text;
    EXPECT_NE(text.find(" of weights + 4000 x "), std::string::npos) << text;
    EXPECT_NE(text.find(" free on GPU 0; nothing was released"), std::string::npos) << text;
  }
  // Nothing of the refused set-up is left behind: a small run sets up and runs.
  const ExecutorSetup small = resnet18_setup("equal:2:1.0x", 1, false);
  CudaStageExecutor gpu(small);
  gpu.launch({0, 0, 0, 0}, 0);
  EXPECT_EQ(collect(gpu, 1).size(), 1u);
}

TEST(CudaExecutor, LaunchesTheSetUpDidNotAllowAreRefused) {
  ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 1, false, CompletionNotice::kPollingThread, 1);
  setup.may_launch = [](int, int unit, int partition) { return partition == 0 && unit < 3; };
  MAKE_EXECUTOR_OR_SKIP(gpu, setup);
  EXPECT_EQ(gpu->setup_report().graphs, 3);
  EXPECT_THROW(gpu->launch({0, 0, 0, 1}, 0), std::invalid_argument);
  EXPECT_THROW(gpu->launch({0, 4, 0, 0}, 0), std::invalid_argument);
  gpu->launch({0, 1, 0, 0}, 0);
  EXPECT_THROW(gpu->launch({0, 2, 0, 0}, 0), std::logic_error) << "max_parallel is 1";
  EXPECT_EQ(collect(*gpu, 1).size(), 1u);
}

TEST(CudaExecutorSetup, BadInputIsRefusedBeforeTheGpu) {
  ExecutorSetup setup = resnet18_setup("equal:2:1.0x", 2, false);
  setup.task_models[1] = 3;
  try {
    CudaStageExecutor gpu(setup);
    FAIL() << "task of model 3 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "task_models[1]");
  }
  ExecutorSetup empty = resnet18_setup("equal:2:1.0x", 1, false);
  empty.layout.partitions.clear();
  EXPECT_THROW(validate(empty), InputError);
  ExecutorSetup beyond = resnet18_setup("equal:2:1.0x", 1, false);
  beyond.layout.partitions[0].pieces = {beyond.gpu.pieces + 1};
  EXPECT_THROW(validate(beyond), InputError);
  EXPECT_THROW(parse_precision("bf16"), InputError);
  EXPECT_EQ(parse_precision("tf32"), Precision::kTf32);
  EXPECT_THROW(parse_completion_notice("interrupt"), InputError);
  EXPECT_EQ(parse_completion_notice("flags"), CompletionNotice::kHostFlags);
}

}  // namespace
}  // namespace sgprs::live
