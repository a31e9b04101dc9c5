// CompletionMailbox (simulator/live/completion_mailbox.hpp): every posted item is taken exactly
// once whatever the interleaving of posters and the taker, a post ends the taker's sleep, and a
// sleep with nothing posted lasts until its deadline.
#include "simulator/live/completion_mailbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace sgprs::live {
namespace {

struct Unit {
  int id = 0;
  Unit* next_posted = nullptr;
};

Ns steady_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(CompletionMailbox, EveryItemOfFourPostersIsTakenExactlyOnce) {
  constexpr int kPosters = 4;
  constexpr int kEach = 50'000;
  std::vector<Unit> units(kPosters * kEach);
  for (int i = 0; i < static_cast<int>(units.size()); ++i) units[static_cast<std::size_t>(i)].id = i;
  CompletionMailbox<Unit> box;
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p)
    posters.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) box.post(&units[static_cast<std::size_t>(p * kEach + i)]);
    });
  std::vector<Unit*> taken;
  const Ns give_up = steady_now() + 30 * kNsPerSecond;
  while (taken.size() < units.size() && steady_now() < give_up) {
    box.sleep_until(steady_now() + kNsPerMs);  // some sleeps end by a post, some by the deadline
    box.take(taken);
  }
  for (std::thread& t : posters) t.join();
  box.take(taken);
  ASSERT_EQ(taken.size(), units.size());
  std::vector<int> ids;
  for (const Unit* u : taken) ids.push_back(u->id);
  std::sort(ids.begin(), ids.end());
  for (int i = 0; i < static_cast<int>(ids.size()); ++i) ASSERT_EQ(ids[static_cast<std::size_t>(i)], i);
  EXPECT_TRUE(box.empty());
}

TEST(CompletionMailbox, APostEndsTheSleepLongBeforeItsDeadline) {
  CompletionMailbox<Unit> box;
  Unit unit;
  std::thread poster([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    box.post(&unit);
  });
  const Ns start = steady_now();
  box.sleep_until(start + 60 * kNsPerSecond);
  const Ns slept = steady_now() - start;
  poster.join();
  EXPECT_LT(slept, 10 * kNsPerSecond);
  std::vector<Unit*> taken;
  box.take(taken);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0], &unit);
}

TEST(CompletionMailbox, WakeEndsTheSleepWithNothingPosted) {
  CompletionMailbox<Unit> box;
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    box.wake();
  });
  const Ns start = steady_now();
  box.sleep_until(start + 60 * kNsPerSecond);
  waker.join();
  EXPECT_LT(steady_now() - start, 10 * kNsPerSecond);
  EXPECT_TRUE(box.empty());
}

TEST(CompletionMailbox, WithNothingPostedTheSleepLastsUntilItsDeadline) {
  CompletionMailbox<Unit> box;
  const Ns start = steady_now();
  box.sleep_until(start + 30 * kNsPerMs);
  EXPECT_GE(steady_now() - start, 30 * kNsPerMs);
  Unit unit;
  box.post(&unit);
  const Ns again = steady_now();
  box.sleep_until(again + 60 * kNsPerSecond);  // an item waits: at once
  EXPECT_LT(steady_now() - again, 10 * kNsPerSecond);
}

}  // namespace
}  // namespace sgprs::live
