// The SM sharing rule alone (gpu/processor_sharing.hpp), then the GPU model's
// rescaling of running stages when shares change. Test GPU: 16 SMs, 4 pieces of 4.
#include "simulator/sim/gpu_model.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/sim/processor_sharing.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace sgprs::sim {
namespace {

Layout pieces_layout(const std::vector<std::vector<int>>& pieces, int max_parallel) {
  Layout layout;
  layout.name = "pieces";
  layout.max_parallel = max_parallel;
  for (std::size_t i = 0; i < pieces.size(); ++i)
    layout.partitions.push_back(Partition{"p" + std::to_string(i), 4 * static_cast<int>(pieces[i].size()), pieces[i]});
  return layout;
}

TEST(ProcessorSharing, DisjointPartitionsSplitOnlyTheirOwnSms) {
  ProcessorSharing sharing(pieces_layout({{0, 1}, {2, 3}}, 3), test::test_profile().gpu());
  EXPECT_EQ(sharing.atom_count(), 2u);
  sharing.add_running(0, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 8.0);
  EXPECT_DOUBLE_EQ(sharing.share(1), 0.0);  // nothing runs there
  sharing.add_running(0, 2);                // three stages on p0: 8 / 3 each
  sharing.add_running(1, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 8.0 / 3.0);
  EXPECT_DOUBLE_EQ(sharing.share(1), 8.0);  // p1 does not feel p0
  EXPECT_EQ(sharing.coupled(0), std::vector<int>{0});
}

TEST(ProcessorSharing, OverlappingPiecesAreSplitPerRunningStage) {
  // p0 = pieces {0,1}, p1 = {1,2}: atoms {0} (p0 only), {1} (both), {2} (p1 only), 4 SMs each.
  ProcessorSharing sharing(pieces_layout({{0, 1}, {1, 2}}, 3), test::test_profile().gpu());
  EXPECT_EQ(sharing.atom_count(), 3u);
  sharing.add_running(0, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 8.0);  // alone: all of {0} and {1}
  sharing.add_running(1, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 4.0 + 4.0 / 2);  // own piece + half the shared one = 6
  EXPECT_DOUBLE_EQ(sharing.share(1), 6.0);
  sharing.add_running(0, 1);  // two on p0, one on p1: shared piece split three ways
  EXPECT_DOUBLE_EQ(sharing.share(0), 4.0 / 2 + 4.0 / 3);  // 3.333...
  EXPECT_DOUBLE_EQ(sharing.share(1), 4.0 / 3 + 4.0);      // 5.333...
  EXPECT_EQ(sharing.coupled(0), (std::vector<int>{0, 1}));
}

TEST(ProcessorSharing, TwoWholeGpuPartitionsAreOneAtom) {
  ProcessorSharing sharing(pieces_layout({{0, 1, 2, 3}, {0, 1, 2, 3}}, 4), test::test_profile().gpu());
  EXPECT_EQ(sharing.atom_count(), 1u);
  sharing.add_running(0, 1);
  sharing.add_running(1, 3);
  EXPECT_DOUBLE_EQ(sharing.share(0), 4.0);  // 16 SMs over 4 running stages
  EXPECT_DOUBLE_EQ(sharing.share(1), 4.0);
}

TEST(ProcessorSharing, TimeAtShareIsTheStaircaseAndIdealBelowTheFirstPoint) {
  // Stage chain3/a: 4000, 2000, 2000, 1000 ns at 4, 8, 12, 16 SMs.
  const SpeedupCurve& a = test::test_profile().model("chain3").find_stage("a")->isolated;
  EXPECT_EQ(time_at_share(a, 16.0), 1000);
  EXPECT_EQ(time_at_share(a, 15.9), 2000);        // floor 15 -> step at 12
  EXPECT_EQ(time_at_share(a, 6.0), 4000);         // step at 4
  EXPECT_EQ(time_at_share(a, 8.0 / 3 + 16.0 / 3), 2000);  // 7.999... counts as 8
  EXPECT_EQ(time_at_share(a, 2.0), 8000);         // 4000 x 4 / 2
  EXPECT_EQ(time_at_share(a, 8.0 / 3), 6000);     // 4000 x 4 / (8/3)
}

TEST(ShareTimeTable, AgreesWithTimeAtShareEverywhere) {
  for (const char* stage : {"a", "b", "c"}) {
    const SpeedupCurve& curve = test::test_profile().model("chain3").find_stage(stage)->isolated;
    const ShareTimeTable table(curve, 16);
    for (double share = 0.25; share <= 16.0; share += 1.0 / 12)
      EXPECT_EQ(table.at(share), time_at_share(curve, share)) << stage << " at " << share;
    EXPECT_EQ(table.at(8.0 / 3 + 16.0 / 3), 2000 * (stage[0] == 'a') + 4000 * (stage[0] == 'b') + 1000 * (stage[0] == 'c'));
  }
}

TEST(GpuModel, StagesSlowDownWhileSharingAndSpeedUpAfter) {
  // One 8-SM partition, two slots. Stage a: 2000 ns at 8 SMs, 4000 ns at 4.
  const ShareTimeTable a(test::test_profile().model("chain3").find_stage("a")->isolated, 16);
  GpuModel gpu(pieces_layout({{0, 1}}, 2), test::test_profile().gpu());
  gpu.start(0, 0, a, StageTag{0, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 2000);  // alone
  // At 1000 a second stage starts: half of the first is left; at 4 SMs each
  // takes 4000 ns: the first ends at 1000 + 0.5 x 4000 = 3000.
  gpu.start(1000, 0, a, StageTag{1, 0, 0});
  EXPECT_EQ(gpu.next_finish_ns(), 3000);
  FinishedStage first = gpu.finish_next(3000);
  EXPECT_EQ(first.tag.task, 0);
  // The second did 2000 of its 4000 ns (half) while sharing; alone again it
  // needs 0.5 x 2000 = 1000 more: ends at 4000.
  EXPECT_EQ(gpu.next_finish_ns(), 4000);
  EXPECT_EQ(gpu.finish_next(4000).tag.task, 1);
  EXPECT_EQ(gpu.next_finish_ns(), kNever);
}

TEST(GpuModel, EqualFinishTimesGoInStartOrderAndSlotsAreEnforced) {
  const ShareTimeTable a(test::test_profile().model("chain3").find_stage("a")->isolated, 16);
  GpuModel gpu(pieces_layout({{0, 1}, {2, 3}}, 1), test::test_profile().gpu());
  gpu.start(0, 1, a, StageTag{7, 0, 0});
  gpu.start(0, 0, a, StageTag{3, 0, 0});
  EXPECT_THROW(gpu.start(0, 0, a, StageTag{4, 0, 0}), std::logic_error);  // max_parallel 1
  EXPECT_EQ(gpu.finish_next(2000).tag.task, 7);  // started first
  EXPECT_EQ(gpu.finish_next(2000).tag.task, 3);
}

TEST(GpuModel, CancelStopsOnlyThatTasksStages) {
  const ShareTimeTable b(test::test_profile().model("chain3").find_stage("b")->isolated, 16);
  GpuModel gpu(pieces_layout({{0, 1, 2, 3}}, 2), test::test_profile().gpu());
  gpu.start(0, 0, b, StageTag{0, 1, 0});  // 2000 ns alone at 16 SMs; 4000 at 8
  gpu.start(0, 0, b, StageTag{1, 1, 0});  // both end at 4000 while sharing
  EXPECT_EQ(gpu.next_finish_ns(), 4000);
  std::vector<FinishedStage> cancelled;
  gpu.cancel_task(1000, 1, cancelled);  // task 0 did 1000 of 4000: 3/4 left, alone 3/4 x 2000 = 1500
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].tag.task, 1);
  EXPECT_EQ(gpu.next_finish_ns(), 2500);
}

// Two models see the same starts and finishes; `stepwise` is asked for its next finish after
// every one (so it rescales at each), `settled` only once an instant is over. Stages last
// seconds, so a rescale's rounding in `remaining` is as large as the finish's 1e-6 ns
// tolerance and a skipped or extra rescale shows in the finish instants; many instants hold a
// finish and the start that refills its slot (a share that dips and comes back), or several
// starts. `packed`: the packed sharing rule's contention, or null for the even split.
// `one_shape`: the units' curves are one shape scaled (see below).
void expect_settled_equals_stepwise(const SharingContention* packed, bool one_shape) {
  std::mt19937_64 rng(2026);
  std::vector<SpeedupCurve> curves;
  for (int c = 0; c < 4; ++c) {
    std::vector<Ns> times{0, 0, 0, 0};
    Ns t = 4'000'000'000 + static_cast<Ns>(rng() % 3'000'000'000);
    for (std::size_t k = 0; k < 4; ++k, t -= static_cast<Ns>(rng() % 900'000'000)) times[k] = t;
    curves.emplace_back(std::vector<int>{4, 8, 12, 16}, times);
  }
  if (one_shape) {
    // One shape at 1/4, 1/2, 1 and 2 times: every unit has exactly one demand, so a share that
    // dips and comes back (a finish and a refill) returns to the same bits, as under the even split.
    const std::vector<Ns> shape = curves.front().times_ns();
    for (int c = 0; c < 4; ++c) {
      std::vector<Ns> times;
      for (Ns t : shape) times.push_back((t >> 2) << c);
      curves[static_cast<std::size_t>(c)] = SpeedupCurve(std::vector<int>{4, 8, 12, 16}, times);
    }
  }
  std::vector<ShareTimeTable> tables;
  for (const SpeedupCurve& c : curves) tables.emplace_back(c, 16);
  const Layout layout = pieces_layout({{0, 1}, {1, 2}, {2, 3}}, 3);
  GpuModel stepwise(layout, test::test_profile().gpu());
  GpuModel settled(layout, test::test_profile().gpu());
  stepwise.use_packed_sharing(packed);
  settled.use_packed_sharing(packed);
  const auto start_both = [&](Ns now, int partition, int task) {
    const ShareTimeTable& times = tables[static_cast<std::size_t>(task) % tables.size()];
    stepwise.start(now, partition, times, StageTag{task, 0, 0});
    settled.start(now, partition, times, StageTag{task, 0, 0});
    stepwise.next_finish_ns();
  };
  Ns now = 0;
  int task = 0;
  int finishes = 0;
  int refills = 0;
  for (int step = 0; step < 20000; ++step) {
    const Ns next = settled.next_finish_ns();
    ASSERT_EQ(next, stepwise.next_finish_ns()) << "step " << step;
    const Ns arrival = now + (rng() % 3 == 0 ? 0 : static_cast<Ns>(rng() % 1'500'000'000));
    if (next <= arrival) {
      now = next;
      const FinishedStage a = settled.finish_next(now);
      const FinishedStage b = stepwise.finish_next(now);
      ASSERT_EQ(a.tag.task, b.tag.task);
      ASSERT_EQ(a.partition, b.partition);
      stepwise.next_finish_ns();
      ++finishes;
      if (rng() % 2 == 0) {
        start_both(now, a.partition, task++);
        ++refills;
      }
    } else {
      now = arrival;
      const int partition = static_cast<int>(rng() % 3);
      if (settled.running(partition) < settled.max_parallel()) start_both(now, partition, task++);
    }
  }
  EXPECT_GT(finishes, 4000);
  EXPECT_GT(refills, 2000);
}

TEST(GpuModel, AnInstantSettledAtOnceEqualsRescalingAtEveryStartAndFinish) {
  expect_settled_equals_stepwise(nullptr, false);
}

TEST(GpuModel, AnInstantSettledAtOnceEqualsRescalingAtEveryStepUnderPackedSharing) {
  // Under the packed rule a duration also depends on each unit's demand and on k, the units on
  // the busiest atom. Units of different demands; then units of one demand, where a share that
  // dips and comes back within an instant returns to the same bits, so only the inputs it had in
  // between tell whether a stage's speed changed (a settle that skips them fails here).
  const SharingContention contention({{1, 1.0}, {2, 1.07}, {3, 1.13}, {6, 1.3}});
  expect_settled_equals_stepwise(&contention, false);
  expect_settled_equals_stepwise(&contention, true);
}

// Many copies of a few units on two coupled partitions (more than 8 stages each, so the GPU
// model's kCopies settle runs, which computes only each unit's first-started stage's finish, and
// the partitions drop below 9 stages and back, where every stage's finish is read again), against
// a reference in this test that rescales every stage at every start, finish and cancel with the
// arithmetic of gpu_model.cpp. Stages last seconds, so a wrong pick among the copies, or a finish
// left stale, shows as another finish instant or another stage. The curves start at 1 SM, so 9
// and 8 stages can share one table entry: a stage a settle leaves alone keeps its finish_ns (it
// fails so without refresh_finishes).
TEST(GpuModel, CopiesOfAUnitFinishInStartOrderAsARescaleAtEveryStepFinds) {
  struct Reference {
    int task;
    int partition;
    const ShareTimeTable* times;
    double remaining;
    Ns duration;
    Ns updated;
    Ns finish;
  };
  const auto finish_after = [](Ns now, double remaining, Ns duration) {  // as gpu_model.cpp's
    const double x = remaining * static_cast<double>(duration) - 1e-6;
    return now + std::max<Ns>(static_cast<Ns>(std::ceil(x)), 0);
  };
  std::mt19937_64 rng(2027);
  std::vector<SpeedupCurve> curves;  // the tables keep a reference
  for (int c = 0; c < 3; ++c) {
    std::vector<Ns> times{0, 0, 0, 0};
    Ns t = 4'000'000'000 + static_cast<Ns>(rng() % 3'000'000'000);
    for (std::size_t k = 0; k < 4; ++k, t -= static_cast<Ns>(rng() % 900'000'000)) times[k] = t;
    curves.emplace_back(std::vector<int>{1, 4, 8, 16}, times);
  }
  std::vector<ShareTimeTable> tables;
  for (const SpeedupCurve& c : curves) tables.emplace_back(c, 16);
  GpuModel gpu(pieces_layout({{0, 1, 2}, {1, 2, 3}}, 16), test::test_profile().gpu());
  std::vector<Reference> reference;  // in start order
  const auto rescale = [&](Ns now) {
    for (Reference& r : reference) {
      const Ns duration = r.times->at(gpu.sharing().share(r.partition));
      if (duration == r.duration) continue;
      if (r.duration != 0) r.remaining = std::max(r.remaining - static_cast<double>(now - r.updated) / static_cast<double>(r.duration), 0.0);
      r.updated = now;
      r.duration = duration;
      r.finish = finish_after(now, r.remaining, duration);
    }
  };
  const auto start = [&](Ns now, int partition, int task) {
    const ShareTimeTable& times = tables[static_cast<std::size_t>(task % 7 == 0 ? 2 : task % 2)];  // unit 2 seldom
    gpu.start(now, partition, times, StageTag{task, 0, 0});
    reference.push_back(Reference{task, partition, &times, 1.0, 0, now, now});
    rescale(now);
  };
  Ns now = 0;
  int task = 0;
  int finishes = 0;
  int crossings = 0;  // a partition going from more than 8 stages to 8
  for (int step = 0; step < 20000; ++step) {
    const auto earliest = std::min_element(reference.begin(), reference.end(), [](const Reference& a, const Reference& b) {
      return a.finish < b.finish;  // the first of equal finishes is the earliest started
    });
    const Ns next = earliest == reference.end() ? kNever : earliest->finish;
    ASSERT_EQ(gpu.next_finish_ns(), next) << "step " << step;
    // Load swings past 8 stages per partition and back: bursts of arrivals, then quiet spells.
    const bool busy_phase = (step / 200) % 2 == 0;
    const Ns gap = static_cast<Ns>(rng() % (busy_phase ? 1'000'000'000 : 20'000'000'000));
    const Ns arrival = now + (rng() % 4 == 0 ? 0 : gap);
    if (next <= arrival) {
      now = next;
      const int partition = earliest->partition;
      const int before = gpu.running(partition);
      const FinishedStage done = gpu.finish_next(now);
      ASSERT_EQ(done.tag.task, earliest->task) << "step " << step;
      reference.erase(earliest);
      rescale(now);
      ++finishes;
      crossings += before == 9;
      if (rng() % 2 == 0) start(now, partition, task++);  // the refill of its slot
    } else if (!reference.empty() && rng() % 50 == 0) {
      now = arrival;
      const int victim = reference[rng() % reference.size()].task;  // one stage per task here
      std::vector<FinishedStage> cancelled;
      gpu.cancel_task(now, victim, cancelled);
      ASSERT_EQ(cancelled.size(), 1u);
      reference.erase(std::find_if(reference.begin(), reference.end(), [&](const Reference& r) { return r.task == victim; }));
      rescale(now);
    } else {
      now = arrival;
      const int partition = static_cast<int>(rng() % 2);
      if (gpu.running(partition) < gpu.max_parallel()) start(now, partition, task++);
    }
  }
  EXPECT_GT(finishes, 10000);
  EXPECT_GT(crossings, 400);
}

TEST(ProcessorSharing, WeightedPartitionsSplitSharedSmsInProportion) {
  // Two whole-GPU partitions (one atom of 16 SMs), weights 2 and 1 (a high- and a low-priority
  // stream): one stage on each gets 16 x 2/3 and 16 x 1/3; two on the heavy one, 16 x 2/5 each.
  Layout layout = pieces_layout({{0, 1, 2, 3}, {0, 1, 2, 3}}, 1);
  layout.partitions[0].share_weight = 2.0;
  ProcessorSharing sharing(layout, test::test_profile().gpu());
  sharing.add_running(0, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 16.0);  // alone, whatever its weight
  sharing.add_running(1, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 16.0 * 2 / 3);
  EXPECT_DOUBLE_EQ(sharing.share(1), 16.0 / 3);
  sharing.add_running(0, 1);
  EXPECT_DOUBLE_EQ(sharing.share(0), 16.0 * 2 / 5);
  EXPECT_DOUBLE_EQ(sharing.share(1), 16.0 / 5);
}

}  // namespace
}  // namespace sgprs::sim
