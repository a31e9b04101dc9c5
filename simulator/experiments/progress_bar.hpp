#pragma once
// A one-line progress bar on a terminal stream:
//   [##########..........]  180/360 runs  41.3 runs/s  ~4s left
// Redrawn in place at most 10 times a second on a terminal; on a pipe or a
// file it writes a plain line every 10% instead. Runs skipped by --resume
// count as done but not in the rate. Thread-safe: workers call advance().
#include <chrono>
#include <cstdio>
#include <mutex>

namespace sgprs::exp {

class ProgressBar {
 public:
  ProgressBar(std::size_t total, std::size_t already_done, std::FILE* stream, bool enabled = true);
  void advance();
  /// Final redraw and newline.
  void finish();

 private:
  void draw(bool final);

  std::size_t total_;
  std::size_t done_;
  std::size_t skipped_;
  std::FILE* stream_;
  bool enabled_;
  bool terminal_;
  std::size_t last_reported_tenth_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
};

}  // namespace sgprs::exp
