// Green-context partitions are real: kernels launched into a partition run on
// exactly its SMs, disjoint partitions use disjoint SMs, and partitions built
// from overlapping piece sets of the one split overlap in SMs the same way.
#include "common/errors.hpp"
#include "gpu_test_kernels.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/cuda_owners.hpp"
#include "profiler/partition_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <memory>

namespace sgprs::profiler {
namespace {

using testing::kSmidSlots;

class PartitionPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      init_cuda_for_partitions(32);
    } catch (const NoGpuError&) {
      return;  // every test skips
    }
    pool_ = new PartitionPool(0, 8);
  }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
  }
  void SetUp() override {
    if (pool_ == nullptr) GTEST_SKIP() << "no CUDA GPU on this machine: green-context partition tests skipped";
    pool_->make_primary_current();
    void* raw = nullptr;
    SGPRS_CUDA_CALL(cudaMalloc(&raw, sizeof(int) * kSmidSlots));
    flags_ = DeviceBuffer(raw);
  }

  /// SM ids a grid of many blocks lands on inside `p`, launched on its stream `stream`
  /// (memory from the primary context).
  std::set<int> sms_used_by(const Partition& p, std::size_t stream = 0) {
    pool_->make_primary_current();
    SGPRS_CUDA_CALL(cudaMemset(flags_.get(), 0, sizeof(int) * kSmidSlots));
    p.make_current();
    // 8 blocks per SM of the whole GPU: far more than the partition can hold at once.
    testing::launch_mark_sms(p.stream(stream), static_cast<int*>(flags_.get()), 8 * pool_->split().sm_count);
    SGPRS_CUDA_CALL(cudaStreamSynchronize(p.stream(stream)));
    pool_->make_primary_current();
    return testing::marked_sms(static_cast<int*>(flags_.get()));
  }

  static PartitionPool* pool_;
  DeviceBuffer flags_;
};
PartitionPool* PartitionPoolTest::pool_ = nullptr;

TEST_F(PartitionPoolTest, SplitCoversTheWholeGpuInEqualPieces) {
  const GpuSplit& split = pool_->split();
  int device_sms = 0;
  SGPRS_CUDA_CALL(cudaDeviceGetAttribute(&device_sms, cudaDevAttrMultiProcessorCount, 0));
  EXPECT_EQ(split.sm_count, device_sms);
  EXPECT_EQ(split.pieces * split.piece_sms + split.remainder_sms, split.sm_count);
  EXPECT_GE(split.piece_sms, 8);  // we asked for pieces of at least 8 SMs
  EXPECT_LT(split.remainder_sms, 2 * split.piece_sms);
}

TEST_F(PartitionPoolTest, KernelSeesExactlyThePartitionsSms) {
  for (int pieces : {1, 2, 8}) {
    if (pieces > pool_->split().pieces) continue;
    const Partition& p = pool_->add_first_pieces(pieces);
    const int expected = pieces * pool_->split().piece_sms;
    EXPECT_EQ(p.requested_sms(), expected);
    EXPECT_EQ(p.sm_count(), expected) << "the driver granted a different SM count";
    EXPECT_EQ(static_cast<int>(sms_used_by(p).size()), expected) << "partition of " << pieces << " pieces";
  }
}

TEST_F(PartitionPoolTest, EveryStreamOfAPartitionRunsOnItsSms) {
  if (pool_->split().pieces < 3) GTEST_SKIP() << "needs at least 3 pieces";
  const Partition& p = pool_->add({1, 2}, false, 3);  // the live mode: max_parallel streams per partition
  ASSERT_EQ(p.stream_count(), 3u);
  EXPECT_NE(p.stream(0), p.stream(1));
  EXPECT_NE(p.stream(1), p.stream(2));
  const std::set<int> first = sms_used_by(p, 0);
  EXPECT_EQ(static_cast<int>(first.size()), 2 * pool_->split().piece_sms);
  for (std::size_t s = 1; s < 3; ++s) EXPECT_EQ(sms_used_by(p, s), first) << "stream " << s;
  EXPECT_THROW(pool_->add({3}, false, 0), InputError);
}

TEST_F(PartitionPoolTest, WholeGpuPartitionUsesEverySm) {
  const Partition& whole = pool_->add_sms(pool_->split().sm_count);
  EXPECT_EQ(whole.sm_count(), pool_->split().sm_count);
  EXPECT_EQ(static_cast<int>(sms_used_by(whole).size()), pool_->split().sm_count);
}

TEST_F(PartitionPoolTest, DisjointPartitionsUseDisjointSms) {
  if (pool_->split().pieces < 4) GTEST_SKIP() << "needs at least 4 pieces";
  const Partition& a = pool_->add({0, 1}, false);
  const Partition& b = pool_->add({2, 3}, false);
  const std::set<int> sa = sms_used_by(a);
  const std::set<int> sb = sms_used_by(b);
  EXPECT_EQ(static_cast<int>(sa.size()), 2 * pool_->split().piece_sms);
  EXPECT_EQ(static_cast<int>(sb.size()), 2 * pool_->split().piece_sms);
  std::vector<int> common;
  std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(common));
  EXPECT_TRUE(common.empty()) << common.size() << " SMs shared by disjoint partitions";
}

TEST_F(PartitionPoolTest, NestedPartitionsFromOneSplitNest) {
  if (pool_->split().pieces < 3) GTEST_SKIP() << "needs at least 3 pieces";
  // Pieces {1} inside {0,1,2}: the same piece maps to the same SMs in both.
  const Partition& inner = pool_->add({1}, false);
  const Partition& outer = pool_->add({0, 1, 2}, false);
  const std::set<int> si = sms_used_by(inner);
  const std::set<int> so = sms_used_by(outer);
  EXPECT_EQ(static_cast<int>(so.size()), 3 * pool_->split().piece_sms);
  EXPECT_TRUE(std::includes(so.begin(), so.end(), si.begin(), si.end()));
}

TEST_F(PartitionPoolTest, ComplementIsTheRestOfTheGpu) {
  const GpuSplit& split = pool_->split();
  const Partition& rest = pool_->add_complement_of(split.piece_sms);
  EXPECT_EQ(rest.sm_count(), split.sm_count - split.piece_sms);
  const Partition& first = pool_->add_sms(split.piece_sms);
  const std::set<int> sr = sms_used_by(rest);
  const std::set<int> sf = sms_used_by(first);
  std::vector<int> common;
  std::set_intersection(sr.begin(), sr.end(), sf.begin(), sf.end(), std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  EXPECT_EQ(static_cast<int>(sr.size() + sf.size()), split.sm_count);
}

TEST_F(PartitionPoolTest, RemainderAloneIsAPartitionOfItsOwnSms) {
  if (pool_->split().remainder_sms == 0) GTEST_SKIP() << "this split has no remainder";
  const Partition& remainder = pool_->add({}, true);
  EXPECT_EQ(remainder.sm_count(), pool_->split().remainder_sms);
  const std::set<int> sr = sms_used_by(remainder);
  EXPECT_EQ(static_cast<int>(sr.size()), pool_->split().remainder_sms);
  // Disjoint from every piece: the whole split is the pieces plus the remainder.
  const std::set<int> sp = sms_used_by(pool_->add_first_pieces(pool_->split().pieces));
  std::vector<int> common;
  std::set_intersection(sr.begin(), sr.end(), sp.begin(), sp.end(), std::back_inserter(common));
  EXPECT_TRUE(common.empty());
}

TEST_F(PartitionPoolTest, ImpossibleLayoutsAreInputErrors) {
  const GpuSplit& split = pool_->split();
  EXPECT_THROW(pool_->add_sms(split.piece_sms + 1), InputError);
  EXPECT_THROW(pool_->add_sms(0), InputError);
  EXPECT_THROW(pool_->add({split.pieces}, false), InputError);
  EXPECT_THROW(pool_->add({0, 0}, false), InputError);
  EXPECT_THROW(pool_->add_complement_of(split.sm_count), InputError);
}

}  // namespace
}  // namespace sgprs::profiler
