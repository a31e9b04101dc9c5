#pragma once
// The measurement loop of one profile point (one stage or op on one partition).
// Run `warmup_runs` untimed, then batches of `batch_runs` timed runs; after each batch the
// stopping rule (StoppingRule) says whether the point is done, and why:
//
//   spread      at least `min_samples` samples and their relative spread is under
//               `rel_spread_threshold`: the point is as steady as asked.
//   plateau     the spread stays above the threshold but has stopped improving and the median
//               has settled: at least `plateau_min_samples` samples; over the last half of them
//               (at least kPlateauReadings readings, one per batch) the spread readings lie
//               within `plateau_tolerance` of the current one (root-mean-square distance /
//               current); and the medians of the first and the second half of the samples
//               differ by less than `rel_spread_threshold`. More samples would not make the
//               point steadier: its spread is the point's own noise (a 10 us op next to a busy
//               partition), recorded as such. This is nvbench's noise-plateau idea (its stdrel
//               criterion) on a window that scales with the sample count; the median check
//               keeps a drifting point (a clock ramping, a transient dying out), whose spread
//               can level off too, from passing as noise.
//   timeout     `timeout_s` passed first (with at least `min_samples` samples; short of them
//               the point waits up to three time-outs, then may hold fewer).
//   sample_cap  `max_samples` were taken first.
// The first two end a point honestly ("converged"); the last two are kept but flagged, and
// the profile's summary counts each reason.
//
// Relative spread = standard deviation / mean of the samples once ceil(5%) of them (at
// least one, from 10 samples on) are dropped at each end (a trimmed "stdrel": one
// preempted run must not keep a point from converging, yet a bimodal point still does
// not pass).
//
// Only the loop is a template (on the batch launcher); the bookkeeping compiles once.
#include "common/time.hpp"

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace sgprs::profiler {

struct MeasureSettings {
  int warmup_runs = 5;
  int min_samples = 10;
  int max_samples = 2000;
  int batch_runs = 10;                 // runs launched back to back before the records are read
  double rel_spread_threshold = 0.01;  // trimmed stdev / mean
  double timeout_s = 1.0;              // per point
  int plateau_min_samples = 64;        // fewest samples before a plateau may end a point; 0: never
  double plateau_tolerance = 0.05;     // RMS distance of recent spreads from the current one / current
};

/// Spread readings (one per batch) the plateau rule needs in the last half of the samples.
inline constexpr int kPlateauReadings = 4;

enum class StopReason { kSpread, kPlateau, kTimeout, kSampleCap };

/// "spread", "plateau", "timeout", "sample_cap" (the profile's per-point "stop" values).
std::string_view stop_reason_name(StopReason reason);
/// Spread and plateau end a point honestly; a time-out or the sample cap cut it short.
inline bool is_converged(StopReason reason) { return reason == StopReason::kSpread || reason == StopReason::kPlateau; }

struct PointStats {
  Ns median_ns = 0;
  Ns p5_ns = 0;
  Ns p95_ns = 0;
  int samples = 0;
  double rel_spread = 0;
  StopReason stop = StopReason::kTimeout;
  bool converged = false;  // is_converged(stop)
};

/// Trimmed relative spread (see above); 0 for fewer than 2 samples.
double relative_spread(const std::vector<Ns>& samples);
/// Nearest-rank median, p5 and p95 of the samples.
PointStats summarize(const std::vector<Ns>& samples, StopReason stop);

/// The stopping rule of one point (unit-tested without a GPU on synthetic sample streams).
/// Feed it each batch; it keeps the samples and one spread reading per batch.
class StoppingRule {
 public:
  explicit StoppingRule(const MeasureSettings& settings) : settings_(settings) {}
  /// Adds one batch's samples, taken `elapsed_s` after the first batch began; returns why the
  /// point stops now, or nothing to go on.
  std::optional<StopReason> add_batch(const std::vector<Ns>& batch, double elapsed_s);
  const std::vector<Ns>& samples() const { return samples_; }

 private:
  bool on_plateau(double spread) const;

  struct Reading {
    int samples;
    double spread;
  };
  MeasureSettings settings_;
  std::vector<Ns> samples_;
  std::vector<Reading> readings_;
};

/// `run_batch(n)` launches n timed runs, waits for them and returns one sample
/// (ns) per run; it may return fewer when a run's records were lost.
template <class RunBatch>
PointStats measure_point(const MeasureSettings& settings, RunBatch&& run_batch) {
  if (settings.warmup_runs > 0) run_batch(settings.warmup_runs);
  StoppingRule rule(settings);
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    const std::vector<Ns> batch = run_batch(settings.batch_runs);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (const std::optional<StopReason> stop = rule.add_batch(batch, elapsed)) return summarize(rule.samples(), *stop);
  }
}

}  // namespace sgprs::profiler
