#include "simulator/live/launch_lanes.hpp"

#include <chrono>

namespace sgprs::live {

int auto_launch_threads(bool whole_models) { return whole_models ? 1 : 2; }

namespace {
constexpr auto kIdleNap = std::chrono::microseconds(20);
Ns steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

LaunchLanes::LaunchLanes(int threads, Work work, void* context) : work_(work), context_(context) {
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& w : workers_) w->thread = std::thread([this, worker = w.get()] { run(*worker); });
}

LaunchLanes::~LaunchLanes() {
  flush();
  stopping_.store(true, std::memory_order_release);
  for (auto& w : workers_) w->thread.join();
}

void LaunchLanes::post(int lane, void* item) {
  Worker& w = *workers_[static_cast<std::size_t>(lane) % workers_.size()];
  posted_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(w.mutex);
    w.items.push_back(item);
  }
  w.pending.fetch_add(1, std::memory_order_release);
}

void LaunchLanes::flush() const {
  const std::uint64_t target = posted_.load(std::memory_order_relaxed);
  while (done_.load(std::memory_order_acquire) < target) std::this_thread::yield();
}

void LaunchLanes::run(Worker& w) {
  Ns last_busy = steady_ns();
  for (;;) {
    void* item = nullptr;
    if (w.pending.load(std::memory_order_acquire) > 0) {
      std::lock_guard lock(w.mutex);
      item = w.items.front();
      w.items.pop_front();
      w.pending.fetch_sub(1, std::memory_order_relaxed);
    }
    if (item != nullptr) {
      work_(context_, item);
      done_.fetch_add(1, std::memory_order_release);
      last_busy = steady_ns();
      continue;
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    if (steady_ns() - last_busy < kLingerNs)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(kIdleNap);
  }
}

}  // namespace sgprs::live
