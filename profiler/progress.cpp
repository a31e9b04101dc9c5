#include "profiler/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace sgprs::profiler {

namespace {
std::string format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 60)
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lds", s);
  return text;
}
}  // namespace

ProgressBar::ProgressBar(long total_units, bool enabled)
    : total_(std::max(1L, total_units)),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) == 1),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {}

void ProgressBar::advance(long units, const std::string& label) {
  done_ += units;
  draw(label, false);
}

void ProgressBar::finish() {
  done_ = total_;
  draw("done", true);
  if (terminal_ && enabled_) std::fputc('\n', stderr);
}

void ProgressBar::draw(const std::string& label, bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  if (!force && since_draw < (terminal_ ? 0.2 : 10.0)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  const std::string eta = done_ > 0 ? format_duration(elapsed / fraction - elapsed) : "?";
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "%s[%s] %3d%%  elapsed %s  left ~%s  %s%s", terminal_ ? "\r" : "", bar.c_str(),
               static_cast<int>(fraction * 100), format_duration(elapsed).c_str(), eta.c_str(), label.c_str(),
               terminal_ ? "\x1b[K" : "\n");
  std::fflush(stderr);
}

}  // namespace sgprs::profiler
