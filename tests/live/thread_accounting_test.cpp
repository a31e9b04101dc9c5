// ThreadAccounting and ScopedRealtimePriority (simulator/live/thread_accounting.hpp): the figures
// the live summary reports about its control thread, read from the operating system.
#include "simulator/live/thread_accounting.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace sgprs::live {
namespace {

TEST(ThreadAccounting, SleepingCountsVoluntarySwitchesAndNothingRunsBackwards) {
  const ThreadAccounting before = read_thread_accounting();
#if !defined(__linux__)
  GTEST_SKIP() << "the figures are read on Linux only";
#endif
  for (int i = 0; i < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const ThreadAccounting run = accounting_between(before, read_thread_accounting());
  EXPECT_GE(run.voluntary_switches, 5);  // each sleep gives the CPU up at least once
  EXPECT_GE(run.involuntary_switches, 0);
  EXPECT_GE(run.run_queue_wait_ns, 0);
  EXPECT_GE(run.host_steal_ns, 0);
  EXPECT_GE(usable_cpus(), 1);
}

TEST(ThreadAccounting, AFigureUnknownOnEitherSideStaysUnknown) {
  const ThreadAccounting known{10, 20, 300, 4000};
  const ThreadAccounting later{11, 25, 350, 4000};
  const ThreadAccounting diff = accounting_between(known, later);
  EXPECT_EQ(diff.involuntary_switches, 1);
  EXPECT_EQ(diff.voluntary_switches, 5);
  EXPECT_EQ(diff.run_queue_wait_ns, 50);
  EXPECT_EQ(diff.host_steal_ns, 0);
  const ThreadAccounting unknown{};
  const ThreadAccounting none = accounting_between(unknown, later);
  EXPECT_EQ(none.involuntary_switches, -1);
  EXPECT_EQ(none.run_queue_wait_ns, -1);
  EXPECT_EQ(accounting_between(known, unknown).host_steal_ns, -1);
}

TEST(ScopedRealtimePriority, ZeroChangesNothing) {
  const std::string policy = thread_policy_name();
  {
    const ScopedRealtimePriority none(0);
    EXPECT_EQ(none.refused(), "");
    EXPECT_EQ(thread_policy_name(), policy);
  }
  EXPECT_EQ(thread_policy_name(), policy);
}

TEST(ScopedRealtimePriority, FifoWhileItLivesThenThePolicyBeforeOrARefusalThatChangesNothing) {
  const std::string policy = thread_policy_name();
  {
    const ScopedRealtimePriority realtime(7);
    if (realtime.refused().empty())
      EXPECT_EQ(thread_policy_name(), "SCHED_FIFO 7");
    else
      EXPECT_EQ(thread_policy_name(), policy) << realtime.refused();
  }
  EXPECT_EQ(thread_policy_name(), policy);
}

}  // namespace
}  // namespace sgprs::live
