// `sgprs tune`'s search (simulator/experiments/tune.hpp) and the scaled generator it shares
// with the mixed families: the answer does not depend on the thread count, lies within the
// bound, is miss-free where it says so, and every step is reported.
#include "simulator/experiments/simulation.hpp"
#include "simulator/experiments/taskset_generator.hpp"
#include "simulator/experiments/tune.hpp"
#include "simulator/policy/registry.hpp"

#include "common/errors.hpp"
#include "common/rng.hpp"

#include "shipped_h200.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace sgprs::exp {
namespace {

using test::h200;
using test::kModels;

TaskSet small_mix() {
  TaskSet set;
  set.name = "small-mix";
  TaskSpec fast{"fast", "resnet18", 8'333'333, 4'000'000, 0, true, Priority::kHigh, 10};
  TaskSpec slow{"slow", "vit_b16", 100'000'000, 50'000'000, 0, true, Priority::kLow, 4};
  set.specs = {fast, slow};
  return set;
}

TEST(ScaledTaskSet, MultipliesAndRoundsCountsAndDropsZeros) {
  const TaskSet half = scaled_task_set(small_mix(), 0.5);
  ASSERT_EQ(half.specs.size(), 2u);
  EXPECT_EQ(half.specs[0].count, 5);
  EXPECT_EQ(half.specs[1].count, 2);
  const TaskSet tiny = scaled_task_set(small_mix(), 0.1);  // 1 and 0.4 -> 1 and dropped
  ASSERT_EQ(tiny.specs.size(), 1u);
  EXPECT_EQ(tiny.specs[0].name, "fast");
}

TEST(Tune, DefaultSpaceSearchesSlotsAndMoldableBlocks) {
  const TuneSpace space = default_tune_space();
  EXPECT_EQ(space.layouts.size() * space.option_sets.size(), 168u);
  int moldable = 0, judged_on_free_blocks = 0, chained = 0, paced_by_model = 0;
  for (const OptionSet& options : space.option_sets)
    for (const auto& [name, value] : options) {
      moldable += name == "slot_sms" && value == "moldable";
      judged_on_free_blocks += name == "drop_hopeless" && value == "slot";
      chained += name == "chain" && value == "slack";
      paced_by_model += name == "block_need" && value == "paced-model";
    }
  EXPECT_EQ(moldable, 16);
  EXPECT_EQ(judged_on_free_blocks, 8);
  EXPECT_EQ(chained, 8);
  EXPECT_EQ(paced_by_model, 8);
}

TEST(Tune, SameAnswerWithOneOrThreeThreadsAndEveryStepReported) {
  TuneSpace space;
  space.layouts = {"full", "equal:2:1.0x"};
  space.option_sets = {{{"slot_sms", "profile"}}, {{"slot_sms", "132"}}};
  TuneSettings settings;
  settings.duration_ns = kNsPerSecond;
  settings.repetitions = 1;
  settings.steps = 5;
  std::atomic<int> steps{0};
  settings.threads = 1;
  const TuneReport one = tune(h200(), small_mix(), kModels, space, settings, [&] { ++steps; });
  EXPECT_EQ(steps.load(), 4 * 5);
  settings.threads = 3;
  const TuneReport three = tune(h200(), small_mix(), kModels, space, settings);
  ASSERT_EQ(one.results.size(), 4u);
  for (std::size_t i = 0; i < one.results.size(); ++i)
    EXPECT_EQ(one.results[i].miss_free_scale, three.results[i].miss_free_scale) << i;
  EXPECT_EQ(one.best, three.best);
  EXPECT_GT(one.bound_scale, 0);
  for (const TuneResult& r : one.results) {
    EXPECT_GE(r.miss_free_scale, 0);
    EXPECT_LE(r.miss_free_scale, one.bound_scale);
  }
  // The best candidate is better than the worst: the search tells layouts and slots apart.
  double worst = one.results[0].miss_free_scale;
  for (const TuneResult& r : one.results) worst = std::min(worst, r.miss_free_scale);
  EXPECT_GT(one.results[one.best].miss_free_scale, worst);
}

TEST(Tune, TheAnswerIsMissFreeWhenRerun) {
  TuneSpace space;
  space.layouts = {"equal:2:1.0x"};
  space.option_sets = {{}};
  TuneSettings settings;
  settings.duration_ns = kNsPerSecond;
  settings.repetitions = 2;
  settings.steps = 6;
  const TuneReport report = tune(h200(), small_mix(), kModels, space, settings);
  const double scale = report.results[0].miss_free_scale;
  ASSERT_GT(scale, 0);
  for (int rep = 0; rep < settings.repetitions; ++rep) {
    const std::uint64_t seed = Rng::derive_seed(settings.seed, static_cast<std::uint64_t>(rep));
    const sim::Workload work = sim::make_workload(scaled_task_set(small_mix(), scale), h200(), kModels, seed);
    sim::RunOptions run;
    run.scheduler = "sgprs-best";
    run.scheduler_options = sim::scheduler_default_options("sgprs-best");
    run.duration_ns = settings.duration_ns;
    const sim::Summary s = sim::simulate(h200(), work, parse_layout("equal:2:1.0x", h200().gpu()), run);
    EXPECT_EQ(s.jobs_on_time, s.jobs_released);
  }
}

TEST(Tune, BadLayoutOrOptionIsAnInputErrorBeforeAnyRun) {
  TuneSpace space;
  space.layouts = {"equal:zero"};
  space.option_sets = {{}};
  std::atomic<int> steps{0};
  EXPECT_THROW(tune(h200(), small_mix(), kModels, space, TuneSettings{}, [&] { ++steps; }), InputError);
  space.layouts = {"full"};
  space.option_sets = {{{"slot_sms", "many"}}};
  EXPECT_THROW(tune(h200(), small_mix(), kModels, space, TuneSettings{}, [&] { ++steps; }), InputError);
  EXPECT_EQ(steps.load(), 0);
}

}  // namespace
}  // namespace sgprs::exp
