#pragma once
// The live platform's one clock: monotonic host nanoseconds since the run's epoch.
// Releases, decisions and completion notices all read it; GPU timestamps are
// converted onto it by the executor. Tests replace it with a virtual clock that a
// fake executor moves (fake_executor.hpp), which makes a live run deterministic.
#include "common/time.hpp"

#include <chrono>

namespace sgprs::live {

class HostClock {
 public:
  virtual ~HostClock() = default;
  virtual Ns now() const = 0;
};

/// std::chrono::steady_clock, zero at construction (or at `epoch_steady_ns`).
class SteadyHostClock final : public HostClock {
 public:
  SteadyHostClock() : epoch_(steady_now()) {}
  explicit SteadyHostClock(Ns epoch_steady_ns) : epoch_(epoch_steady_ns) {}
  Ns now() const override { return steady_now() - epoch_; }
  Ns epoch_steady_ns() const { return epoch_; }
  static Ns steady_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  Ns epoch_;
};

/// A clock that moves only when told to (the fake executor's virtual time).
class VirtualClock final : public HostClock {
 public:
  Ns now() const override { return now_; }
  void advance_to(Ns t) {
    if (t > now_) now_ = t;
  }

 private:
  Ns now_ = 0;
};

}  // namespace sgprs::live
