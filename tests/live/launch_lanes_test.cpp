// LaunchLanes (simulator/live/launch_lanes.hpp): every posted item runs once, off the posting
// thread, a lane's items in the order they were posted, and flush() returns only after all ran.
#include "simulator/live/launch_lanes.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sgprs::live {
namespace {

struct Item {
  int lane = 0;
  int index = 0;
};

struct Record {
  std::vector<std::vector<int>> per_lane = std::vector<std::vector<int>>(8);  // lane l is written by one thread only
  std::vector<std::thread::id> ran_on = std::vector<std::thread::id>(8);
};

void record(void* context, void* item) {
  auto& r = *static_cast<Record*>(context);
  const auto& it = *static_cast<const Item*>(item);
  r.per_lane[static_cast<std::size_t>(it.lane)].push_back(it.index);
  r.ran_on[static_cast<std::size_t>(it.lane)] = std::this_thread::get_id();
}

TEST(LaunchLanes, AutoGivesStageUnitsTwoLauncherThreadsAndWholeModelsOne) {
  // The measured defaults of --launch-threads (docs/live.md, twelfth session).
  EXPECT_EQ(auto_launch_threads(false), 2);
  EXPECT_EQ(auto_launch_threads(true), 1);
  EXPECT_LT(kAutoLaunchThreads, 0);  // never a thread count a user can ask for (0..64)
}

TEST(LaunchLanes, EachLaneRunsItsItemsInPostOrderOffThePostingThread) {
  Record r;
  std::vector<Item> items;
  for (int i = 0; i < 20000; ++i) items.push_back(Item{(i * 7) % 8, i});
  {
    LaunchLanes lanes(3, record, &r);
    EXPECT_EQ(lanes.threads(), 3);
    for (Item& it : items) lanes.post(it.lane, &it);
    lanes.flush();
    std::size_t ran = 0;
    for (const auto& lane : r.per_lane) ran += lane.size();
    EXPECT_EQ(ran, items.size());  // all of them, before flush() returned
  }
  for (int lane = 0; lane < 8; ++lane) {
    const std::vector<int>& seen = r.per_lane[static_cast<std::size_t>(lane)];
    ASSERT_EQ(seen.size(), 2500u);
    for (std::size_t k = 1; k < seen.size(); ++k) ASSERT_LT(seen[k - 1], seen[k]) << "lane " << lane;
    EXPECT_NE(r.ran_on[static_cast<std::size_t>(lane)], std::this_thread::get_id());
  }
  EXPECT_EQ(r.ran_on[0], r.ran_on[3]);  // lanes 0 and 3 share thread 0 of 3
}

TEST(LaunchLanes, DestructionRunsWhatWasPostedFirst) {
  Record r;
  std::vector<Item> items;
  for (int i = 0; i < 1000; ++i) items.push_back(Item{i % 2, i});
  {
    LaunchLanes lanes(1, record, &r);
    for (Item& it : items) lanes.post(it.lane, &it);
  }
  EXPECT_EQ(r.per_lane[0].size() + r.per_lane[1].size(), 1000u);
}

}  // namespace
}  // namespace sgprs::live
