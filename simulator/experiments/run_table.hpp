#pragma once
// The rows of DIR/runs.csv: one per simulated run, every parameter that
// identifies it, its seed, and the summary metrics. Nothing that varies from
// one execution to the next (wall time, thread) is in a row, so the file is
// byte-identical whatever --jobs is. Doubles are written with at least 10 significant digits and as
// many more as reading them back exactly needs (a resumed sweep aggregates what a fresh one does).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sgprs::exp {

/// Which run: indices into the prepared experiment's lists.
struct RunKey {
  std::size_t index = 0;  // position in the canonical order: layout, scheduler, load, repetition
  std::size_t layout = 0;
  std::size_t scheduler = 0;
  std::size_t load = 0;
  int repetition = 0;
};

/// What one run reports (from the simulator's summary).
struct RunMetrics {
  std::int64_t jobs_released = 0;
  std::int64_t jobs_completed = 0;
  std::int64_t jobs_on_time = 0;
  std::int64_t jobs_skipped = 0;
  std::int64_t jobs_aborted = 0;
  double miss_ratio = 0;
  double throughput_jobs_per_s = 0;   // completed jobs per second of the release window
  double on_time_jobs_per_s = 0;      // jobs that met their deadline, per second of the release window
  std::int64_t events_processed = 0;
};

struct RunRow {
  std::string experiment;
  std::string layout;
  std::string scheduler;
  std::string load;  // load_text()
  int repetition = 0;
  std::uint64_t seed = 0;
  int tasks = 0;
  double utilisation = 0;          // sum of C / T (full-GPU time over period)
  double offered_jobs_per_s = 0;
  double bound_jobs_per_s = 0;     // min(offered, the throughput bound)
  RunMetrics metrics;
};

/// The header line (no newline).
const std::string& run_csv_header();
/// One line (no newline).
std::string format_run_row(const RunRow& row);
/// Parses a line; nullopt when it is not a complete row (a line cut by an interrupted sweep).
std::optional<RunRow> parse_run_row(const std::string& line);
/// The identity of a run across executions, for --resume.
std::string run_identity(const std::string& layout, const std::string& scheduler, const std::string& load, int repetition);
inline std::string run_identity(const RunRow& row) { return run_identity(row.layout, row.scheduler, row.load, row.repetition); }

/// A double as written in every output: %.10g (round-trips the text, not the bits).
std::string number_text(double value);
/// Quotes a CSV field when it holds a comma, quote or newline.
std::string csv_field(const std::string& text);
/// Splits one CSV line (RFC 4180 quoting).
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace sgprs::exp
