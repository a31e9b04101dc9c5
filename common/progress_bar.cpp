#include "common/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

namespace sgprs {

namespace {

std::string duration_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string((s % 3600) / 60) + "m";
}

}  // namespace

ProgressBar::ProgressBar(std::size_t total, std::size_t already_done, std::FILE* stream, bool enabled,
                         std::string unit)
    : total_(total),
      done_(already_done),
      skipped_(already_done),
      stream_(stream),
      enabled_(enabled && stream != nullptr),
      terminal_(stream != nullptr && isatty(fileno(stream)) != 0),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (enabled_ && terminal_) draw(false);
  if (enabled_)
    heartbeat_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stop_.wait_for(lock, std::min<std::chrono::milliseconds>(std::chrono::seconds(1), heartbeat_every_ / 4),
                             [this] { return stopping_; }))
        if (std::chrono::steady_clock::now() - last_draw_ >= heartbeat_every_) draw(false);
    });
}

ProgressBar::~ProgressBar() { stop_heartbeat(); }

void ProgressBar::set_heartbeat(std::chrono::milliseconds heartbeat) {
  std::lock_guard lock(mutex_);
  heartbeat_every_ = std::max(heartbeat, std::chrono::milliseconds(4));
}

void ProgressBar::stop_heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void ProgressBar::advance(std::size_t units, std::string_view label) {
  std::lock_guard lock(mutex_);
  done_ += units;
  if (!label.empty()) label_ = label;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    if (now - last_draw_ >= std::chrono::milliseconds(100)) draw(false);
  } else if (total_ > 0) {
    const std::size_t tenth = std::min(done_, total_) * 10 / total_;
    if (tenth > last_reported_tenth_) {
      last_reported_tenth_ = tenth;
      draw(false);
    }
  }
}

void ProgressBar::finish() {
  stop_heartbeat();
  std::lock_guard lock(mutex_);
  if (enabled_) draw(true);
}

void ProgressBar::draw(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const std::size_t fresh = done_ - skipped_;
  const double rate = elapsed > 0 ? static_cast<double>(fresh) / elapsed : 0.0;
  constexpr int kWidth = 24;
  const int filled = total_ == 0 ? kWidth : static_cast<int>(kWidth * std::min(done_, total_) / total_);
  std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                    std::string(static_cast<std::size_t>(kWidth - filled), '.') + "]";
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.1f", rate);
  std::string line = bar + " " + std::to_string(done_) + "/" + std::to_string(total_) + " " + unit_ + "  " +
                     rate_text + " " + unit_ + "/s  ";
  line += final ? duration_text(elapsed) + " in all"
                : (rate > 0 ? "~" + duration_text(static_cast<double>(total_ - std::min(done_, total_)) / rate) + " left"
                            : "starting");
  if (!final && !label_.empty()) line += "  " + label_;
  if (terminal_) std::fprintf(stream_, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  else std::fprintf(stream_, "%s\n", line.c_str());
  std::fflush(stream_);
}

}  // namespace sgprs
