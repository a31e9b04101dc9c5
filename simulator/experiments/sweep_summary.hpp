#pragma once
// DIR/summary.csv: runs.csv aggregated per layout x scheduler x load, over the
// repetitions (one task set each): mean and 95% confidence half-width (Student
// t) of throughput and miss ratio, the schedulability ratio (share of task sets
// with no missed or skipped job), and the mean throughput as a share of the
// throughput bound at that load. Throughput counts every job released in the
// window that completed, also after the window (the run drains its backlog),
// so under overload it can exceed the bound by the backlog / duration.
#include "simulator/experiments/run_table.hpp"
#include "common/stats.hpp"

#include <string>
#include <vector>

namespace sgprs::exp {

struct SummaryRow {
  std::string experiment;
  std::string layout;
  std::string scheduler;
  std::string load;
  std::size_t runs = 0;
  double utilisation = 0;          // mean over the task sets
  double offered_jobs_per_s = 0;   // mean
  double bound_jobs_per_s = 0;     // mean of min(offered, bound)
  MeanCi throughput;               // completed jobs/s
  MeanCi on_time;                  // jobs/s that met their deadline
  MeanCi miss_ratio;
  double schedulability_ratio = 0;
  double share_of_bound = 0;       // throughput.mean / bound_jobs_per_s
};

/// Groups in first-appearance order (rows come in the canonical run order).
std::vector<SummaryRow> summarise(const std::vector<RunRow>& rows);
std::string summary_csv(const std::vector<SummaryRow>& rows);

}  // namespace sgprs::exp
