#include "simulator/outputs/summary_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sgprs::sim {

std::string format_summary_table(const Summary& s) {
  std::size_t width = 9;
  for (const TaskSummary& t : s.tasks) width = std::max(width, t.name.size());
  for (const PartitionSummary& p : s.partitions) width = std::max(width, p.name.size());
  std::string out;
  out += fmt::format("{:<{}} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>9}\n", "task", width, "released",
                     "completed", "on_time", "skipped", "aborted", "miss%", "p50_ms", "p99_ms", "max_ms");
  for (const TaskSummary& t : s.tasks)
    out += fmt::format("{:<{}} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7.2f} {:>9.3f} {:>9.3f} {:>9.3f}\n", t.name, width,
                       t.jobs_released, t.jobs_completed, t.jobs_on_time, t.jobs_skipped, t.jobs_aborted,
                       100.0 * t.miss_ratio, ns_to_ms(t.response_p50_ns), ns_to_ms(t.response_p99_ns),
                       ns_to_ms(t.response_max_ns));
  out += "\n";
  out += fmt::format("{:<{}} {:>5} {:>7}\n", "partition", width, "SMs", "busy%");
  for (const PartitionSummary& p : s.partitions)
    out += fmt::format("{:<{}} {:>5} {:>7.2f}\n", p.name, width, p.sms, 100.0 * p.busy_fraction);
  out += "\n";
  out += fmt::format(
      "total: {} released, {} completed, {} on time, {} skipped, {} aborted; miss ratio {:.4f}; "
      "throughput {:.1f} jobs/s\n",
      s.jobs_released, s.jobs_completed, s.jobs_on_time, s.jobs_skipped, s.jobs_aborted, s.miss_ratio,
      s.throughput_jobs_per_s);
  out += fmt::format("engine: {} events ({} stage starts+finishes) in {:.3f} s wall with every observer, {:.2f} M stage events/s\n",
                     s.events_processed, s.stage_events, s.wall_time_s,
                     s.wall_time_s > 0 ? static_cast<double>(s.stage_events) / s.wall_time_s / 1e6 : 0.0);
  return out;
}

}  // namespace sgprs::sim
