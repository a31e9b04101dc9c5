#pragma once
// A platform's armed timers, ordered by (time, kind, sequence number) so a run is
// deterministic by construction: the same-nanosecond order of core/platform.hpp
// (kinds compare as deadline < defer end < release), ties of one kind in the order
// they were armed. Unit finishes are not queued here: each platform learns of them
// its own way (the simulated GPU model, the live device) and hands a finish to the
// core before any timer of the same nanosecond.
#include "simulator/core/platform.hpp"

#include <cstdint>
#include <queue>
#include <vector>

namespace sgprs::sim {

class TimerQueue {
 public:
  void reserve(std::size_t n) {
    std::vector<Entry> storage;
    storage.reserve(n);
    heap_ = Heap(Later{}, std::move(storage));
  }
  void push(const Timer& timer) { heap_.push(Entry{timer, next_seq_++}); }
  bool empty() const { return heap_.empty(); }
  Ns next_time() const { return heap_.empty() ? kNever : heap_.top().timer.time_ns; }
  Timer pop() {
    const Timer t = heap_.top().timer;
    heap_.pop();
    return t;
  }

 private:
  struct Entry {
    Timer timer;
    std::uint64_t seq;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.timer.time_ns != b.timer.time_ns) return a.timer.time_ns > b.timer.time_ns;
      if (a.timer.kind != b.timer.kind) return a.timer.kind > b.timer.kind;
      return a.seq > b.seq;
    }
  };
  using Heap = std::priority_queue<Entry, std::vector<Entry>, Later>;
  Heap heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace sgprs::sim
