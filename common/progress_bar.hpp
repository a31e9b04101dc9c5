#pragma once
// A one-line progress bar on a terminal stream, shared by `sgprs sweep` (runs) and
// `sgprs profile` (points):
//   [##########..........]  180/360 runs  41.3 runs/s  ~4s left
//   [####....................]  96/1494 points  12.0 points/s  ~1m56s left  resnet18/layer3 @ 64 SMs
// Redrawn in place at most 10 times a second on a terminal; on a pipe or a
// file it writes a plain line every 10% instead. Units done before the bar
// started (a sweep's --resume) count as done but not in the rate. Thread-safe:
// workers call advance().
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace sgprs {

class ProgressBar {
 public:
  /// `unit` names what is counted, in the plural ("runs", "points").
  ProgressBar(std::size_t total, std::size_t already_done, std::FILE* stream, bool enabled = true,
              std::string unit = "runs");
  /// `units` more are done; a non-empty `label` (what runs now) ends the line.
  void advance(std::size_t units = 1, std::string_view label = {});
  /// Final redraw and newline.
  void finish();
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// With nothing drawn for `heartbeat` (one long run), the bar is redrawn anyway: a long step
  /// is never a silent stall.
  static constexpr std::chrono::milliseconds kHeartbeat{10'000};
  void set_heartbeat(std::chrono::milliseconds heartbeat);

 private:
  void draw(bool final);
  void stop_heartbeat();

  std::size_t total_;
  std::size_t done_;
  std::size_t skipped_;
  std::FILE* stream_;
  bool enabled_;
  bool terminal_;
  std::string unit_;
  std::string label_;
  std::size_t last_reported_tenth_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::chrono::milliseconds heartbeat_every_ = kHeartbeat;
  std::thread heartbeat_;  // started when enabled; redraws after heartbeat_every_ of silence
};

}  // namespace sgprs
