// BackgroundObservers: the wrapped observers see every event, in order, on another thread;
// a wrapped observer's failure reaches the run's thread; drain() waits for delivery; the worker
// picks events up on its own, unwoken.
#include "simulator/core/background_observers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include <stdexcept>
#include <thread>

namespace sgprs::sim {
namespace {

class Recorder : public Observer {
 public:
  void on_run_start(const RunInfo& info) override { started_on = std::this_thread::get_id(), name = info.scheduler; }
  void on_event(const RunEvent& event) override {
    if (slow) std::this_thread::sleep_for(std::chrono::microseconds(20));
    if (fail_at >= 0 && static_cast<std::int64_t>(jobs.size()) == fail_at) throw std::runtime_error("disk full");
    jobs.push_back(event.job);
    event_thread = std::this_thread::get_id();
  }
  void on_run_end(Ns end_ns) override { ended_at = end_ns, seen_at_end = jobs.size(); }
  bool wants_decisions() const override { return decisions; }
  bool wants_stage_deadlines() const override { return false; }

  std::vector<std::int64_t> jobs;
  std::thread::id started_on, event_thread;
  std::string name;
  Ns ended_at = -1;
  std::size_t seen_at_end = 0;
  std::int64_t fail_at = -1;
  bool slow = false;
  bool decisions = false;
};

RunEvent event_of_job(std::int64_t job) {
  RunEvent e;
  e.job = job;
  e.time_ns = job * 10;
  return e;
}

TEST(BackgroundObservers, EveryObserverSeesEveryEventInOrderOffTheRunsThread) {
  Recorder a, b;
  b.decisions = true;
  a.slow = true;  // the run's thread gets ahead of the worker
  {
    BackgroundObservers background({&a, &b});
    EXPECT_TRUE(background.wants_decisions());  // any wrapped observer's wish
    EXPECT_FALSE(background.wants_stage_deadlines());
    RunInfo info;
    info.scheduler = "sgprs";
    background.on_run_start(info);
    for (std::int64_t j = 0; j < 2000; ++j) background.on_event(event_of_job(j));
    background.on_run_end(12345);
    // on_run_end comes after every event was delivered.
    EXPECT_EQ(a.seen_at_end, 2000u);
    EXPECT_EQ(b.seen_at_end, 2000u);
    EXPECT_EQ(a.ended_at, 12345);
  }
  ASSERT_EQ(a.jobs.size(), 2000u);
  for (std::int64_t j = 0; j < 2000; ++j) EXPECT_EQ(a.jobs[static_cast<std::size_t>(j)], j);
  EXPECT_EQ(a.jobs, b.jobs);
  EXPECT_EQ(a.name, "sgprs");
  EXPECT_EQ(a.started_on, std::this_thread::get_id());
  EXPECT_NE(a.event_thread, std::this_thread::get_id());
}

TEST(BackgroundObservers, AWrappedObserversErrorReachesTheRunsThreadAndStopsDelivery) {
  Recorder r;
  r.fail_at = 5;
  BackgroundObservers background({&r});
  background.on_run_start(RunInfo{});
  bool thrown = false;
  for (std::int64_t j = 0; j < 100000 && !thrown; ++j) {
    try {
      background.on_event(event_of_job(j));
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "disk full");
      thrown = true;
    }
    if (j == 50) {  // by now the worker has certainly met the failing event
      try {
        background.drain();
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "disk full");
        thrown = true;
      }
    }
  }
  EXPECT_TRUE(thrown);
  EXPECT_EQ(r.jobs.size(), 5u);  // nothing after the failure
  EXPECT_THROW(background.on_run_end(1), std::runtime_error);
  EXPECT_EQ(r.ended_at, -1);
}

TEST(BackgroundObservers, DrainWaitsUntilEverythingHandedOverIsDelivered) {
  Recorder r;
  r.slow = true;
  BackgroundObservers background({&r});
  for (std::int64_t j = 0; j < 300; ++j) background.on_event(event_of_job(j));
  background.drain();
  EXPECT_EQ(r.jobs.size(), 300u);
}

// Counts events as they arrive, readable from the run's thread while the worker delivers.
class Counter : public Observer {
 public:
  void on_run_start(const RunInfo&) override {}
  void on_event(const RunEvent&) override { seen.fetch_add(1, std::memory_order_release); }
  void on_run_end(Ns) override {}
  std::atomic<int> seen{0};
};

TEST(BackgroundObservers, AnEventIsDeliveredWithinItsPickUpPeriodWithoutAnyoneWakingTheWorker) {
  // on_event wakes nobody (a system call on the live decision path): the worker must find the
  // event on its own, every kPickUpEvery, long before the run ends or drains.
  Counter counter;
  BackgroundObservers background({&counter});
  background.on_event(event_of_job(1));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (counter.seen.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  EXPECT_EQ(counter.seen.load(), 1);
  background.on_event(event_of_job(2));
  background.drain();
  EXPECT_EQ(counter.seen.load(), 2);
}

// Keeps a pointer to the RunInfo, as TimelineWriter does, and reads names through it per event.
class NameReader : public Observer {
 public:
  void on_run_start(const RunInfo& info) override { info_ = &info; }
  void on_event(const RunEvent& event) override {
    names.push_back(info_->task_names[static_cast<std::size_t>(event.task)]);
  }
  const RunInfo* info_ = nullptr;
  std::vector<std::string> names;
};

TEST(BackgroundObservers, EventsDeliveredAfterTheCallersRunInfoIsGoneStillSeeItsNames) {
  // A GPU fault unwinds live_run, destroying its RunInfo, while queued events are still being
  // written (the CI failure of LiveCli.AnInjectedDeviceError...: a crash reading freed names).
  NameReader reader;
  BackgroundObservers background({&reader});
  {
    auto info = std::make_unique<RunInfo>();
    info->task_names = {"camera", "lidar"};
    background.on_run_start(*info);
    info->task_names = {"overwritten", "overwritten"};  // the caller's copy changes, then goes
  }
  for (int t : {0, 1, 0}) {
    RunEvent e = event_of_job(t);
    e.task = t;
    background.on_event(e);
  }
  background.drain();
  EXPECT_EQ(reader.names, (std::vector<std::string>{"camera", "lidar", "camera"}));
}

}  // namespace
}  // namespace sgprs::sim
