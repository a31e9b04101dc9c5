#pragma once
// A progress bar with the estimated time left, on stderr. On a terminal it
// redraws one line; otherwise (logs, CI) it prints a line at most every 10 s.
#include <chrono>
#include <string>

namespace sgprs::profiler {

class ProgressBar {
 public:
  /// `enabled` false: draws nothing (--quiet).
  explicit ProgressBar(long total_units, bool enabled = true);
  /// `units` of work are done; `label` names what runs now.
  void advance(long units, const std::string& label);
  /// Adds `units` to the expected total (work discovered late).
  void grow(long units) { total_ += units; }
  void finish();

 private:
  void draw(const std::string& label, bool force);
  long total_;
  long done_ = 0;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace sgprs::profiler
