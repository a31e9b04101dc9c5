// CUPTI-based timing of graph replays on a partition, against kernels of known
// length (spin loops on the GPU's global timer).
#include "common/errors.hpp"
#include "gpu_test_kernels.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/graph_timer.hpp"
#include "profiler/kernel_activity.hpp"
#include "profiler/partition_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace sgprs::profiler {
namespace {

constexpr Ns kSpinNs = 20 * kNsPerUs;

class GraphTimerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      init_cuda_for_partitions(32);
    } catch (const NoGpuError&) {
      return;
    }
    collector_ = new KernelActivityCollector();
    pool_ = new PartitionPool(0, 8);
  }
  static void TearDownTestSuite() {
    delete pool_;
    delete collector_;
    pool_ = nullptr;
    collector_ = nullptr;
  }
  void SetUp() override {
    if (pool_ == nullptr) GTEST_SKIP() << "no CUDA GPU on this machine: CUPTI timing tests skipped";
  }
  static KernelActivityCollector* collector_;
  static PartitionPool* pool_;
};
KernelActivityCollector* GraphTimerTest::collector_ = nullptr;
PartitionPool* GraphTimerTest::pool_ = nullptr;

/// Three spins of kSpinNs in a row: the extent is at least 3 x kSpinNs, and so is the kernel sum.
GraphExec three_spins(const Partition& p) {
  return capture_graph(p, [](cudaStream_t s) {
    for (int i = 0; i < 3; ++i) testing::launch_spin(s, kSpinNs);
  });
}

TEST_F(GraphTimerTest, OneSamplePerReplayWithTheKernelsLength) {
  const Partition& p = pool_->add_sms(16);
  GraphExec graph = three_spins(p);
  GraphTimer extent(*collector_, p, graph.get(), TimeMode::kStageExtent);
  const std::vector<Ns> samples = extent.run(10);
  ASSERT_EQ(samples.size(), 10u) << "replays were not told apart by their launch's correlation id";
  EXPECT_EQ(extent.kernels_per_run(), 3);
  for (Ns s : samples) {
    EXPECT_GE(s, 3 * kSpinNs);
    EXPECT_LT(s, 3 * kSpinNs + 50 * kNsPerUs) << "gaps inside a graph replay should be a few microseconds";
  }
  GraphTimer sum(*collector_, p, graph.get(), TimeMode::kKernelSum);
  for (Ns s : sum.run(5)) {
    EXPECT_GE(s, 3 * kSpinNs);
    EXPECT_LT(s, 3 * kSpinNs + 10 * kNsPerUs);
  }
}

TEST_F(GraphTimerTest, CuptiTimesAlignWithTheHostClock) {
  const Partition& p = pool_->add_sms(8);
  GraphExec graph = three_spins(p);
  collector_->drain();
  const auto host_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  const Ns before = host_ns();
  SGPRS_CUDA_CALL(cudaGraphLaunch(graph.get(), p.stream()));
  SGPRS_CUDA_CALL(cudaStreamSynchronize(p.stream()));
  const Ns after = host_ns();
  const std::vector<KernelRecord> records = collector_->drain();
  ASSERT_EQ(records.size(), 3u);
  for (const KernelRecord& r : records) {
    // A kernel runs after its launch began and ends before the host saw the stream finish.
    EXPECT_GE(collector_->to_host_ns(r.start_ns), before - 20 * kNsPerUs);
    EXPECT_LE(collector_->to_host_ns(r.end_ns), after + 20 * kNsPerUs);
  }
}

TEST_F(GraphTimerTest, DisjointBackgroundLoadDoesNotSerialiseTheForeground) {
  const Partition& fg = pool_->add_sms(8);
  const Partition& rest = pool_->add_complement_of(8);
  GraphExec graph = three_spins(fg);
  // Background: 20 spins of 20 us per replay on the other 124 SMs.
  BackgroundLoad load(rest, capture_graph(rest, [](cudaStream_t s) {
                        for (int i = 0; i < 20; ++i) testing::launch_spin(s, kSpinNs);
                      }));
  EXPECT_GE(load.replay_ns(), 20 * kSpinNs);
  GraphTimer timer(*collector_, fg, graph.get(), TimeMode::kStageExtent);
  const std::vector<Ns> samples = timer.run(10, &load, 3 * kSpinNs);
  ASSERT_EQ(samples.size(), 10u) << "background kernels leaked into the foreground's samples";
  // Spins do not share SMs, so if the partitions ran side by side each replay
  // still takes about 3 spins; queued behind the background it would take far longer.
  for (Ns s : samples) EXPECT_LT(s, 3 * kSpinNs + 50 * kNsPerUs);
  // The load was queued ahead and outlasts the foreground: its kernels ran during
  // nearly all of the timed replays (the rest is launch gaps between its spins).
  EXPECT_GT(timer.background_coverage(), 0.8);
  timer.reset_coverage();
  timer.run(3);
  EXPECT_LT(timer.background_coverage(), 0.0) << "no load, no coverage";
}

TEST_F(GraphTimerTest, AFlushedL2MakesAReplayReadItsDataFromMemory) {
  // 24 MB of zeros, read whole by each replay: back to back the data stays in L2 (tens of MB on
  // Hopper), so the warm replays read it from there; with the L2 evicted before each replay they
  // read it from HBM, slower. The flush's own work must not reach the samples.
  const Partition& p = pool_->add_sms(64);
  constexpr std::size_t kFloats = 6u << 20;
  pool_->make_primary_current();
  void* data = nullptr;
  void* out = nullptr;
  SGPRS_CUDA_CALL(cudaMalloc(&data, kFloats * sizeof(float)));
  SGPRS_CUDA_CALL(cudaMalloc(&out, 4096 * sizeof(float)));
  const DeviceBuffer data_owner(data), out_owner(out);
  SGPRS_CUDA_CALL(cudaMemset(data, 0, kFloats * sizeof(float)));
  L2Flush flush;
  EXPECT_GE(flush.bytes(), 2u << 20);
  GraphExec graph = capture_graph(p, [&](cudaStream_t s) {
    testing::launch_read_all(s, static_cast<const float*>(data), kFloats, static_cast<float*>(out), 4 * 64);
  });
  GraphTimer timer(*collector_, p, graph.get(), TimeMode::kStageExtent);
  const auto median = [](std::vector<Ns> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  timer.run(5);
  const std::vector<Ns> warm = timer.run(30);
  timer.set_l2_flush(&flush);
  const std::vector<Ns> cold = timer.run(30);
  ASSERT_EQ(warm.size(), 30u);
  ASSERT_EQ(cold.size(), 30u) << "the flush's records were counted as replays";
  EXPECT_EQ(timer.kernels_per_run(), 1);
  EXPECT_GT(median(cold), median(warm) * 5 / 4) << "cold " << median(cold) << " ns, warm " << median(warm) << " ns";
}

TEST_F(GraphTimerTest, EveryPieceBusyAtOnceStillRunsSideBySide) {
  // Measured on the H100 and H200: with the default 8 hardware queues, 15 busy partitions aliased
  // and lost ~40% of their throughput; init_cuda_for_partitions raises
  // CUDA_DEVICE_MAX_CONNECTIONS so each stream gets its own queue. One 2 ms spin
  // per piece, all at once, must then take about as long as one alone.
  constexpr Ns kLongSpinNs = 2 * kNsPerMs;
  const int pieces = pool_->split().pieces;
  std::vector<const Partition*> parts;
  for (int i = 0; i < pieces; ++i) parts.push_back(&pool_->add({i}, false));
  const auto wall_ns = [&](std::size_t count) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < count; ++i) {
      parts[i]->make_current();
      testing::launch_spin(parts[i]->stream(), kLongSpinNs);
    }
    for (std::size_t i = 0; i < count; ++i) SGPRS_CUDA_CALL(cudaStreamSynchronize(parts[i]->stream()));
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  wall_ns(parts.size());  // warm-up: module load in every context
  const Ns alone = wall_ns(1);
  const Ns all = wall_ns(parts.size());
  EXPECT_LT(all, alone + kLongSpinNs / 2) << pieces << " partitions took " << all << " ns, one alone " << alone;
}

}  // namespace
}  // namespace sgprs::profiler
