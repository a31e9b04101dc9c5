#include "simulator/outputs/run_progress.hpp"

namespace sgprs::sim {

RunProgress::RunProgress(std::FILE* out, Ns duration_ns, std::size_t tasks, bool enabled)
    : out_(out), duration_ns_(duration_ns), tasks_(tasks) {
  if (enabled && out_ != nullptr) watcher_ = std::thread([this] { watch(); });
}

RunProgress::~RunProgress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void RunProgress::watch() {
  double next_report_s = kFirstReportS;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (elapsed < next_report_s) continue;
    report(elapsed);
    next_report_s = elapsed + kEveryS;
  }
}

void RunProgress::report(double elapsed_s) {
  const std::uint64_t events = events_.load(std::memory_order_relaxed);
  const Ns now_ns = now_ns_.load(std::memory_order_relaxed);
  if (events == 0) {
    std::fprintf(out_, "simulate: preparing a run of %zu tasks, %.0f s so far\n", tasks_, elapsed_s);
  } else {
    const double done = duration_ns_ > 0 ? 100.0 * static_cast<double>(now_ns) / static_cast<double>(duration_ns_) : 0;
    std::fprintf(out_, "simulate: %.4g of %.4g s simulated (%.0f%%), %.3g events, %.0f s so far\n",
                 ns_to_seconds(now_ns), ns_to_seconds(duration_ns_), done > 100 ? 100 : done,
                 static_cast<double>(events), elapsed_s);
  }
  std::fflush(out_);
  printed_ = true;
}

void RunProgress::finish() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (!watcher_.joinable()) return;
  watcher_.join();
  if (printed_) report(std::chrono::duration<double>(Clock::now() - start_).count());
}

}  // namespace sgprs::sim
