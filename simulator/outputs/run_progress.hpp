#pragma once
// Observer that tells a person waiting on a long run how far it is: after the run has taken
// kFirstReportS of wall time, one line on `out` every kEveryS, "simulate: 3.2 of 10 s simulated
// (32%), 1.8e+07 events, 21 s so far". Short runs print nothing. The clock is read once every
// kEventsPerCheck events, so the cost per event is one counter increment.
#include "simulator/observer.hpp"

#include <chrono>
#include <cstdio>

namespace sgprs::sim {

class RunProgress final : public Observer {
 public:
  static constexpr double kFirstReportS = 5;
  static constexpr double kEveryS = 10;
  static constexpr std::uint64_t kEventsPerCheck = 1u << 16;

  RunProgress(std::FILE* out, Ns duration_ns, bool enabled);
  void on_event(const SimEvent& event) override;
  /// A last line when any was printed.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  double elapsed_s() const;
  void report(Ns now_ns);

  std::FILE* out_;
  Ns duration_ns_;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  double next_report_s_ = kFirstReportS;
  std::uint64_t events_ = 0;
  Ns last_ns_ = 0;
  bool printed_ = false;
};

}  // namespace sgprs::sim
