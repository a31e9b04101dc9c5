#pragma once
// Finished units handed from the completion threads to the live control thread without a lock
// that the control thread must take while a completion thread may hold it. On the lent H200 (a
// virtual machine) a thread can lose its CPU for a millisecond at any instant (docs/live.md,
// fifteenth session: host steal); a completion thread that lost it inside a critical section
// shared with the control thread stalled the releases too. Here posting is one compare-and-swap
// onto a stack; the control thread takes the whole stack with one exchange. A mutex is touched
// only to put the control thread to sleep and to wake it, and a poster takes it only while the
// control thread sleeps, when a delay costs no work that was due.
//
//   struct Unit { Unit* next_posted = nullptr; ... };
//   CompletionMailbox<Unit> box;
//   box.post(&unit);                       // a completion thread
//   box.take(units);                       // control thread: everything posted so far, any order
//   box.sleep_until(deadline_steady_ns);   // control thread: until a post, wake() or the deadline
#include "common/time.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace sgprs::live {

template <class Item>  // Item has a member `Item* next_posted`, owned by the mailbox while posted
class CompletionMailbox {
 public:
  /// Any thread. Lock-free unless the taker sleeps.
  void post(Item* item) {
    Item* head = head_.load(std::memory_order_relaxed);
    do {
      item->next_posted = head;
    } while (!head_.compare_exchange_weak(head, item, std::memory_order_seq_cst, std::memory_order_relaxed));
    if (sleeping_.load(std::memory_order_seq_cst)) wake();
  }

  /// Wakes the sleeping taker without posting (a fault to report).
  void wake() {
    { const std::lock_guard lock(mutex_); woken_ = true; }
    posted_.notify_one();
  }

  /// The taking thread only: appends every item posted so far to `out` (newest first).
  void take(std::vector<Item*>& out) {
    for (Item* item = head_.exchange(nullptr, std::memory_order_acquire); item != nullptr; item = item->next_posted)
      out.push_back(item);
  }

  /// The taking thread only: returns when an item is posted, wake() is called, or the steady
  /// clock reaches `deadline_steady_ns`; at once if an item is waiting already.
  void sleep_until(Ns deadline_steady_ns) {
    std::unique_lock lock(mutex_);
    // seq_cst on both sides: either this thread sees the post, or the poster sees it sleeping.
    sleeping_.store(true, std::memory_order_seq_cst);
    const auto deadline = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_steady_ns));
    posted_.wait_until(lock, deadline,
                       [this] { return woken_ || head_.load(std::memory_order_seq_cst) != nullptr; });
    sleeping_.store(false, std::memory_order_relaxed);
    woken_ = false;
  }

  bool empty() const { return head_.load(std::memory_order_acquire) == nullptr; }

 private:
  std::atomic<Item*> head_{nullptr};
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable posted_;
  bool woken_ = false;  // under mutex_
};

}  // namespace sgprs::live
