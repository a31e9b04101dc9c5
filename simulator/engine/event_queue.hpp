#pragma once
// The engine's timed events, ordered by (time, kind, sequence number) so a run
// is deterministic by construction (STYLE.md #4). Stage finishes are not queued
// here: the GPU model answers "when does the next stage finish" and the engine
// handles a finish before any queued event of the same nanosecond.
//
// Order within one nanosecond, and why:
//   0 stage finish  (from the GPU model) a slot freed at t is free for everything else at t,
//                   and a job finishing exactly at its deadline is on time
//   1 deadline      (abort policy) the job is dropped only if no finish at t completed it
//   2 defer end     a stage that waited is looked at before jobs released at the same instant
//   3 release       new jobs last: they see every slot freed at t
// Ties of one kind keep insertion order (the sequence number).
#include "common/time.hpp"

#include <cstdint>
#include <queue>
#include <vector>

namespace sgprs::sim {

enum class QueuedKind : std::uint8_t { kDeadline = 1, kDeferEnd = 2, kRelease = 3 };

struct QueuedEvent {
  Ns time_ns;
  QueuedKind kind;
  std::uint64_t seq;
  int task;
  int unit;
  std::int64_t job;
};

class EventQueue {
 public:
  void reserve(std::size_t n) {
    std::vector<QueuedEvent> storage;
    storage.reserve(n);
    heap_ = Heap(Later{}, std::move(storage));
  }
  void push(Ns time_ns, QueuedKind kind, int task, int unit, std::int64_t job) {
    heap_.push(QueuedEvent{time_ns, kind, next_seq_++, task, unit, job});
  }
  bool empty() const { return heap_.empty(); }
  Ns next_time() const { return heap_.empty() ? kNever : heap_.top().time_ns; }
  QueuedEvent pop() {
    QueuedEvent e = heap_.top();
    heap_.pop();
    return e;
  }

 private:
  struct Later {
    bool operator()(const QueuedEvent& a, const QueuedEvent& b) const {
      if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
      if (a.kind != b.kind) return a.kind > b.kind;
      return a.seq > b.seq;
    }
  };
  using Heap = std::priority_queue<QueuedEvent, std::vector<QueuedEvent>, Later>;
  Heap heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sgprs::sim
