// Task-set generators on the hand-made profile (tiny: full-GPU time C = 1000 +
// 4000 = 5000 ns; wide: C = 600 ns).
#include "simulator/experiments/taskset_generator.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sgprs::exp {
namespace {

Profile hand_profile() { return Profile::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/experiments/profile-hand.json"); }

RandomGenerator mix_generator() {
  RandomGenerator gen;
  gen.tasks = 6;
  gen.mix = {{"tiny", 1}, {"wide", 1}};
  gen.u_min = 0.02;
  gen.u_max = 0.6;
  return gen;
}

TEST(TasksetGenerator, FullGpuTimeSumsStagesAtAllSms) {
  const Profile p = hand_profile();
  EXPECT_EQ(full_gpu_time_ns(p, "tiny"), 5000);
  EXPECT_EQ(full_gpu_time_ns(p, "wide"), 600);
}

TEST(TasksetGenerator, IdenticalIsNCopiesWithRandomOffsets) {
  const Profile p = hand_profile();
  const TaskSet set = generate_task_set(IdenticalGenerator{"tiny", 1'000'000, 900'000}, p, 12, 1);
  ASSERT_EQ(set.specs.size(), 1u);
  EXPECT_EQ(set.specs[0].count, 12);
  EXPECT_EQ(set.specs[0].period_ns, 1'000'000);
  EXPECT_EQ(set.specs[0].deadline_ns, 900'000);
  EXPECT_TRUE(set.specs[0].random_offset);
  // Utilisation of one copy: 5000 ns / 1 ms = 0.005; twelve of them 0.06.
  EXPECT_NEAR(total_utilisation(p, set), 0.06, 1e-12);
}

TEST(TasksetGenerator, RandomSetHitsTheTotalUtilisation) {
  const Profile p = hand_profile();
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const TaskSet set = generate_task_set(mix_generator(), p, 1.7, seed);
    ASSERT_EQ(set.specs.size(), 6u);
    // Periods are rounded to whole ns, so the total is exact to about C / T^2 per task.
    EXPECT_NEAR(total_utilisation(p, set), 1.7, 1e-3);
    for (const TaskSpec& t : set.specs) EXPECT_EQ(t.deadline_ns, t.period_ns);  // implicit by default
  }
}

TEST(TasksetGenerator, SameSeedSameSetOtherSeedOtherSet) {
  const Profile p = hand_profile();
  EXPECT_EQ(generate_task_set(mix_generator(), p, 1.0, 5).to_json(), generate_task_set(mix_generator(), p, 1.0, 5).to_json());
  EXPECT_NE(generate_task_set(mix_generator(), p, 1.0, 5).to_json(), generate_task_set(mix_generator(), p, 1.0, 6).to_json());
}

TEST(TasksetGenerator, PeriodRangeIsRespected) {
  // Only wide (C = 600 ns) in [5, 20] us: u in [0.03, 0.12]; four tasks summing to 0.3.
  const Profile p = hand_profile();
  RandomGenerator gen = mix_generator();
  gen.tasks = 4;
  gen.mix = {{"wide", 1}};
  gen.method = UtilisationMethod::kUUniFastDiscard;
  gen.period_min_ns = 5'000;
  gen.period_max_ns = 20'000;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    for (const TaskSpec& t : generate_task_set(gen, p, 0.3, seed).specs) {
      EXPECT_GE(t.period_ns, 5'000);
      EXPECT_LE(t.period_ns, 20'000);
    }
}

TEST(TasksetGenerator, ConstrainedDeadlinesStayInTheirRange) {
  const Profile p = hand_profile();
  RandomGenerator gen = mix_generator();
  gen.constrained_deadlines = true;
  gen.deadline_lo = 0.5;
  gen.deadline_hi = 0.8;
  for (const TaskSpec& t : generate_task_set(gen, p, 1.2, 9).specs) {
    EXPECT_GE(static_cast<double>(t.deadline_ns), 0.5 * static_cast<double>(t.period_ns) - 1);
    EXPECT_LE(static_cast<double>(t.deadline_ns), 0.8 * static_cast<double>(t.period_ns) + 1);
  }
}

RandomPeriodsGenerator periods_generator() {
  RandomPeriodsGenerator gen;
  gen.mix = {{"tiny", 1}, {"wide", 1}};
  gen.period_min_ns = 10'000;  // 10 us .. 1 ms: tiny's u in [0.005, 0.5], wide's in [0.0006, 0.06]
  gen.period_max_ns = 1'000'000;
  return gen;
}

TEST(TasksetGenerator, RandomPeriodsReachTheLoadWithLogUniformPeriods) {
  // Periods log-uniform in [10 us, 1 ms]: half of them below the geometric mean, 100 us.
  // The last task of each set is excluded: its period is chosen to hit the load.
  const Profile p = hand_profile();
  int below = 0, drawn = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const TaskSet set = generate_task_set(periods_generator(), p, 2.0, seed);
    EXPECT_NEAR(total_utilisation(p, set), 2.0, 1e-3);
    for (std::size_t i = 0; i < set.specs.size(); ++i) {
      EXPECT_GE(set.specs[i].period_ns, 10'000);
      EXPECT_LE(set.specs[i].period_ns, 1'000'000);
      if (i + 1 == set.specs.size()) continue;
      ++drawn;
      below += set.specs[i].period_ns < 100'000;
    }
  }
  ASSERT_GT(drawn, 1000);
  EXPECT_NEAR(static_cast<double>(below) / drawn, 0.5, 0.03);
  EXPECT_EQ(generate_task_set(periods_generator(), p, 2.0, 7).to_json(),
            generate_task_set(periods_generator(), p, 2.0, 7).to_json());
}

TEST(TasksetGenerator, UnreachableLoadsAreExplained) {
  const Profile p = hand_profile();
  EXPECT_NE(unreachable_reason(IdenticalGenerator{"tiny", 1000, 1000}, p, 0), "");
  EXPECT_NE(unreachable_reason(IdenticalGenerator{"tiny", 1000, 1000}, p, 2.5), "");
  EXPECT_EQ(unreachable_reason(IdenticalGenerator{"tiny", 1000, 1000}, p, 3), "");
  EXPECT_NE(unreachable_reason(mix_generator(), p, 3.7), "");   // above 6 x 0.6 = 3.6
  EXPECT_NE(unreachable_reason(mix_generator(), p, 0.1), "");   // below 6 x 0.02 = 0.12
  EXPECT_EQ(unreachable_reason(mix_generator(), p, 3.6), "");
  RandomGenerator gen = mix_generator();
  gen.period_min_ns = 1'000'000;  // tiny would need u <= 0.005 < u_min
  EXPECT_NE(unreachable_reason(gen, p, 1.0).find("tiny"), std::string::npos);
  RandomPeriodsGenerator periods = periods_generator();
  periods.max_tasks = 10;  // the heaviest task (tiny every 10 us) has u = 0.5: ten reach at most 5
  EXPECT_EQ(unreachable_reason(periods, p, 5.0), "");
  EXPECT_NE(unreachable_reason(periods, p, 5.5).find("max_tasks"), std::string::npos);
}

}  // namespace
}  // namespace sgprs::exp
