#include "simulator/outputs/run_progress.hpp"

namespace sgprs::sim {

RunProgress::RunProgress(std::FILE* out, Ns duration_ns, bool enabled)
    : out_(out), duration_ns_(duration_ns), enabled_(enabled && out != nullptr) {}

double RunProgress::elapsed_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

void RunProgress::on_event(const SimEvent& event) {
  last_ns_ = event.time_ns;
  if (++events_ % kEventsPerCheck != 0 || !enabled_) return;
  if (elapsed_s() >= next_report_s_) report(event.time_ns);
}

void RunProgress::report(Ns now_ns) {
  const double elapsed = elapsed_s();
  const double done = duration_ns_ > 0 ? 100.0 * static_cast<double>(now_ns) / static_cast<double>(duration_ns_) : 0;
  std::fprintf(out_, "simulate: %.4g of %.4g s simulated (%.0f%%), %.3g events, %.0f s so far\n", ns_to_seconds(now_ns),
               ns_to_seconds(duration_ns_), done > 100 ? 100 : done, static_cast<double>(events_), elapsed);
  std::fflush(out_);
  printed_ = true;
  next_report_s_ = elapsed + kEveryS;
}

void RunProgress::finish() {
  if (printed_) report(last_ns_);
}

}  // namespace sgprs::sim
