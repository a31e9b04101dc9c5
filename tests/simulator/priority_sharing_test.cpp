// The strict priority rule (sim/priority_sharing.hpp) on hand-worked cases: the SMs each level
// leaves to the next, under the even split and the packed rule, a level that stalls behind a
// saturating one, that one level is exactly the rule without priorities, and what strict-floor
// changes.
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/sim/priority_sharing.hpp"
#include "simulator/sim/processor_sharing.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sgprs::sim {
namespace {

const GpuShape kH200{132, 8, 16, 4};  // 16 pieces of 8 SMs and a remainder of 4

// A = min over s of s x t(s) = 8 x 5000 = 40000 SM-ns, 1000 ns alone on 132 SMs: demand 40.
SpeedupCurve demand40() { return SpeedupCurve({8, 33, 66, 132}, {5000, 1400, 1100, 1000}); }
// A = 32000: demand 32.
SpeedupCurve demand32() { return SpeedupCurve({8, 33, 66, 132}, {4000, 1500, 1200, 1000}); }
// A = 80000: demand 80.
SpeedupCurve demand80() { return SpeedupCurve({8, 33, 66, 132}, {10000, 2500, 1300, 1000}); }

/// `weights.size()` streams on the whole H200, one unit at a time each; larger weight = more urgent.
Layout weighted_streams(const std::vector<double>& weights) {
  Layout layout;
  layout.name = "streams";
  layout.max_parallel = 1;
  std::vector<int> all;
  for (int piece = 0; piece <= kH200.pieces; ++piece) all.push_back(piece);
  for (std::size_t s = 0; s < weights.size(); ++s)
    layout.partitions.push_back(Partition{"s" + std::to_string(s), kH200.sm_count, all, weights[s]});
  return layout;
}

TEST(PrioritySharing, LevelsFollowDistinctWeightsMostUrgentFirst) {
  const Layout layout = weighted_streams({4, 4, 2, 1, 2});
  EXPECT_TRUE(has_priorities(layout));
  EXPECT_EQ(priority_levels(layout), (std::vector<int>{0, 0, 1, 2, 1}));
  EXPECT_FALSE(has_priorities(weighted_streams({1, 1, 1})));
}

TEST(PrioritySharing, AnUrgentUnitKeepsItsShareAndPassesDownWhatItLeavesIdle) {
  // Even split: the urgent stream alone in its level gets all it can use, its demand of 40 SMs,
  // and (here) keeps them all busy; the two less urgent streams split the other 92.
  const Layout layout = weighted_streams({2, 1, 1});
  ProcessorSharing sharing(layout, kH200);
  sharing.use_strict_priorities(layout);
  ASSERT_TRUE(sharing.strict_priorities());
  sharing.add_running(0, 1, 1.0, 40.0, 40.0);
  sharing.add_running(1, 1, 1.0, 32.0, 32.0);
  sharing.add_running(2, 1, 1.0, 32.0, 32.0);
  EXPECT_DOUBLE_EQ(sharing.share(0), 40.0);
  EXPECT_DOUBLE_EQ(sharing.share(1), 46.0);
  EXPECT_DOUBLE_EQ(sharing.share(2), 46.0);
  // Under the weighted rule the same streams got 132 x 2/4, 1/4, 1/4.
  ProcessorSharing weighted(layout, kH200);
  weighted.add_running(0, 1);
  weighted.add_running(1, 1);
  weighted.add_running(2, 1);
  EXPECT_DOUBLE_EQ(weighted.share(0), 66.0);
  EXPECT_DOUBLE_EQ(weighted.share(1), 33.0);
}

TEST(PrioritySharing, PackedWeightsSplitEachLevelByDemand) {
  // Packed: the weight W is the demand, a unit gets demand x share. Level 0: one unit of demand
  // 40 (40 SMs). Level 1: demands 30 and 62 share the 92 left in proportion: 30 and 62 SMs.
  const Layout layout = weighted_streams({2, 1, 1});
  ProcessorSharing sharing(layout, kH200);
  sharing.use_strict_priorities(layout);
  sharing.add_running(0, 1, 40.0, 40.0, 40.0);
  sharing.add_running(1, 1, 30.0, 30.0, 30.0);
  sharing.add_running(2, 1, 62.0, 62.0, 62.0);
  EXPECT_DOUBLE_EQ(40.0 * sharing.share(0), 40.0);
  EXPECT_DOUBLE_EQ(30.0 * sharing.share(1), 30.0);
  EXPECT_DOUBLE_EQ(62.0 * sharing.share(2), 62.0);
  // The urgent unit ends: the others take the whole GPU again, as without priorities.
  sharing.add_running(0, -1, 40.0, 40.0, 40.0);
  EXPECT_DOUBLE_EQ(30.0 * sharing.share(1), 132.0 * 30 / 92);
  EXPECT_DOUBLE_EQ(62.0 * sharing.share(2), 132.0 * 62 / 92);
}

TEST(PrioritySharing, TheFloorLiftsUrgentUnitsToTheirShareWithoutPriorities) {
  // Packed, demands 60, 30 and 10 (busy 60, 15, 10) on 132 SMs: without priorities each would get
  // 1.32 x its demand. Strict: 60 SMs to level 0 (all busy), 30 to level 1 (15 busy), 57 left to
  // level 2. strict-floor: level 0 gets 79.2 and keeps them busy, level 1 39.6 of the 52.8 left,
  // level 2 the last 13.2; together the 132 SMs, as without priorities.
  const Layout layout = weighted_streams({4, 2, 1});
  ProcessorSharing strict(layout, kH200), floor(layout, kH200);
  strict.use_strict_priorities(layout);
  floor.use_strict_priorities(layout, true);
  for (ProcessorSharing* s : {&strict, &floor}) {
    s->add_running(0, 1, 60.0, 60.0, 60.0);
    s->add_running(1, 1, 30.0, 30.0, 15.0);
    s->add_running(2, 1, 10.0, 10.0, 10.0);
  }
  EXPECT_DOUBLE_EQ(60.0 * strict.share(0), 60.0);
  EXPECT_DOUBLE_EQ(30.0 * strict.share(1), 30.0);
  EXPECT_DOUBLE_EQ(10.0 * strict.share(2), 57.0);
  EXPECT_NEAR(60.0 * floor.share(0), 79.2, 1e-9);
  EXPECT_NEAR(30.0 * floor.share(1), 39.6, 1e-9);
  EXPECT_NEAR(10.0 * floor.share(2), 13.2, 1e-9);
}

TEST(PrioritySharing, InACrowdTheFloorLeavesTheStrictRule) {
  // Demands 100 and 60 want more than 132 SMs: without priorities the urgent unit would get
  // 132 x 100/160 = 82.5, below its demand, so the cap decides as under strict: 100 SMs (80 of them
  // busy) and 52 left.
  const Layout layout = weighted_streams({2, 1});
  ProcessorSharing strict(layout, kH200), floor(layout, kH200);
  strict.use_strict_priorities(layout);
  floor.use_strict_priorities(layout, true);
  for (ProcessorSharing* s : {&strict, &floor}) {
    s->add_running(0, 1, 100.0, 100.0, 80.0);
    s->add_running(1, 1, 60.0, 60.0, 60.0);
    EXPECT_DOUBLE_EQ(100.0 * s->share(0), 100.0);
    EXPECT_DOUBLE_EQ(60.0 * s->share(1), 52.0);
  }
}

TEST(PrioritySharing, OneLevelIsTheRuleWithoutPriorities) {
  const Layout layout = weighted_streams({3, 3, 3});
  ProcessorSharing strict(layout, kH200), plain(layout, kH200);
  strict.use_strict_priorities(layout);
  EXPECT_FALSE(strict.strict_priorities());  // nothing to order: the plain rule runs
  for (ProcessorSharing* s : {&strict, &plain}) {
    s->add_running(0, 1, 40.0, 40.0);
    s->add_running(2, 1, 80.0, 80.0);
  }
  EXPECT_DOUBLE_EQ(strict.share(0), plain.share(0));
  EXPECT_DOUBLE_EQ(strict.share(2), plain.share(2));
}

TEST(PrioritySharing, OverlappingPartitionsPassDownPerAtom) {
  // Test GPU (16 SMs, pieces of 4): p0 = pieces {0, 1} (urgent), p1 = {1, 2}. Atoms {0}, {1}
  // (shared), {2}, 4 SMs each. p0 runs one unit keeping 2 SMs busy: it gets its 8 SMs and uses a
  // quarter of each atom's, so p1 gets the 3 SMs left of the shared atom and all 4 of its own.
  Layout layout;
  layout.name = "overlap";
  layout.max_parallel = 1;
  layout.partitions = {Partition{"p0", 8, {0, 1}, 2.0}, Partition{"p1", 8, {1, 2}, 1.0}};
  ProcessorSharing sharing(layout, test::test_profile().gpu());
  sharing.use_strict_priorities(layout);
  sharing.add_running(1, 1, 1.0, 8.0, 8.0);
  EXPECT_DOUBLE_EQ(sharing.share(1), 8.0);  // alone
  sharing.add_running(0, 1, 1.0, 2.0, 2.0);
  EXPECT_DOUBLE_EQ(sharing.share(0), 2.0);
  EXPECT_DOUBLE_EQ(sharing.share(1), 7.0);
}

TEST(PrioritySharing, TheGpuModelRunsTheUrgentUnitAtItsDemandAndTheOthersOnWhatIsLeft) {
  const SpeedupCurve urgent = demand40(), other = demand32();
  const ShareTimeTable urgent_table(urgent, 132), other_table(other, 132);
  const SharingContention g({{1, 1.0}});  // no contention: the times are the curves'
  const Layout layout = weighted_streams({2, 1, 1});
  GpuModel gpu(layout, kH200);
  gpu.use_packed_sharing(&g);
  gpu.use_strict_priorities(layout);
  gpu.start(0, 0, urgent_table, StageTag{0, 0, 0});
  gpu.start(0, 1, other_table, StageTag{1, 0, 0});
  gpu.start(0, 2, other_table, StageTag{2, 0, 0});
  // The urgent unit runs at its demand (40 SMs) and is charged what it keeps busy there; the
  // others split the rest (here they end on the same ns).
  const Ns urgent_at40 = time_at_fractional_share(urgent, 40.0);
  EXPECT_EQ(gpu.next_finish_ns(), urgent_at40);
  EXPECT_EQ(gpu.finish_next(urgent_at40).tag.task, 0);
  EXPECT_DOUBLE_EQ(busy_sms_at_demand(urgent, 40.0), 40000.0 / static_cast<double>(urgent_at40));
  EXPECT_GE(gpu.next_finish_ns(), urgent_at40);
}

TEST(PrioritySharing, AUnitStallsWhileMoreUrgentUnitsUseEverySm) {
  // Two urgent units of demand 80 want 160 of 132 SMs: they split them (66 each, 1300 ns) and
  // leave nothing; the less urgent unit makes no progress until they end, then runs alone.
  const SpeedupCurve big = demand80(), other = demand32();
  const ShareTimeTable big_table(big, 132), other_table(other, 132);
  const SharingContention g({{1, 1.0}});
  const Layout layout = weighted_streams({2, 2, 1});
  GpuModel gpu(layout, kH200);
  gpu.use_packed_sharing(&g);
  gpu.use_strict_priorities(layout);
  gpu.start(0, 2, other_table, StageTag{2, 0, 0});
  gpu.start(0, 0, big_table, StageTag{0, 0, 0});
  gpu.start(0, 1, big_table, StageTag{1, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 1300);
  EXPECT_EQ(gpu.finish_next(1300).tag.task, 0);
  EXPECT_EQ(gpu.finish_next(1300).tag.task, 1);
  EXPECT_EQ(gpu.next_finish_ns(), 1300 + 1000);  // all of its work, alone on 132 SMs
  EXPECT_EQ(gpu.finish_next(2300).tag.task, 2);
  EXPECT_EQ(gpu.next_finish_ns(), kNever);
}

}  // namespace
}  // namespace sgprs::sim
