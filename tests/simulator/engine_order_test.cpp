// Event order inside one nanosecond (core/timer_queue.hpp, core/platform.hpp) and what it means
// for a release that falls on the instant another job completes.
#include "simulator/core/timer_queue.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

namespace sgprs::sim {
namespace {

TEST(TimerQueue, OrdersByTimeThenKindThenInsertion) {
  TimerQueue q;
  q.push(Timer{20, TimerKind::kDeadline, 0, -1, 0});
  q.push(Timer{10, TimerKind::kRelease, 1, -1, 0});
  q.push(Timer{10, TimerKind::kDeferEnd, 2, 0, 0});
  q.push(Timer{10, TimerKind::kRelease, 3, -1, 0});
  q.push(Timer{10, TimerKind::kDeadline, 4, -1, 0});
  std::vector<int> order;
  while (!q.empty()) order.push_back(q.pop().task);
  EXPECT_EQ(order, (std::vector<int>{4, 2, 1, 3, 0}));  // at 10: deadline, defer end, releases in push order
}

TEST(Engine, ReleaseOnTheNanosecondOfACompletionSeesTheFreedPartition) {
  // One 16-SM partition, one slot. T0's chain3 job runs a [0,1000], b [1000,3000],
  // c [3000,3500] (1000 + 2000 + 500 ns at 16 SMs). T1 is released at 3500, the
  // instant T0 finishes: finishes go first, so T1's stage a starts at once.
  const std::string ts = R"({"schema": "sgprs.taskset/1", "tasks": [
      {"name": "T0", "model": "chain3", "period_ns": 100000},
      {"name": "T1", "model": "chain3", "period_ns": 100000, "offset_ns": 3500}]})";
  const auto trace = test::run_case(ts, test::sizes_layout({16}, 1), test::isolated_options("sgprs", 50000));
  const std::vector<std::string> at_3500(trace.lines.begin() + 9, trace.lines.begin() + 14);
  EXPECT_EQ(at_3500, (std::vector<std::string>{"3500 finish T0 c p0", "3500 end T0 0 on_time", "3500 release T1 0",
                                               "3500 assign T1 a p0", "3500 start T1 a p0"}));
  EXPECT_EQ(trace.lines.back(), "7000 end T1 0 on_time");
}

}  // namespace
}  // namespace sgprs::sim
