#pragma once
// The measurement loop of one profile point (one stage or op on one partition).
// Rule (nvbench's stdrel criterion is the model): run `warmup_runs` untimed, then
// batches of `batch_runs` timed runs until at least `min_samples` samples exist
// and their relative spread is under `rel_spread_threshold`, or until
// `timeout_s` has passed (the point is then kept but marked not converged, and
// the caller warns), or `max_samples` were taken.
//
// A point stops at the time-out only once it has `min_samples` samples; short of them it
// stops at three time-outs (then it may hold fewer; its `samples` says how many).
//
// Relative spread = standard deviation / mean of the samples once ceil(5%) of them (at
// least one, from 10 samples on) are dropped at each end (a trimmed "stdrel": one
// preempted run must not keep a point from converging, yet a bimodal point still does
// not pass).
//
// Only the loop is a template (on the batch launcher); the bookkeeping compiles once.
#include "common/time.hpp"

#include <chrono>
#include <vector>

namespace sgprs::profiler {

struct MeasureSettings {
  int warmup_runs = 5;
  int min_samples = 10;
  int max_samples = 2000;
  int batch_runs = 10;                 // runs launched back to back before the records are read
  double rel_spread_threshold = 0.01;  // trimmed stdev / mean
  double timeout_s = 1.0;              // per point
};

struct PointStats {
  Ns median_ns = 0;
  Ns p5_ns = 0;
  Ns p95_ns = 0;
  int samples = 0;
  double rel_spread = 0;
  bool converged = false;  // false: stopped by the time-out or the sample cap
};

/// Trimmed relative spread (see above); 0 for fewer than 2 samples.
double relative_spread(const std::vector<Ns>& samples);
/// Nearest-rank median, p5 and p95 of the samples.
PointStats summarize(const std::vector<Ns>& samples, bool converged);

enum class Verdict { kContinue, kConverged, kTimedOut, kSampleCap };

/// The stopping rule alone (unit-tested without a GPU).
Verdict judge(const MeasureSettings& settings, const std::vector<Ns>& samples, double elapsed_s);

/// `run_batch(n)` launches n timed runs, waits for them and returns one sample
/// (ns) per run; it may return fewer when a run's records were lost.
template <class RunBatch>
PointStats measure_point(const MeasureSettings& settings, RunBatch&& run_batch) {
  if (settings.warmup_runs > 0) run_batch(settings.warmup_runs);
  std::vector<Ns> samples;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    const std::vector<Ns> batch = run_batch(settings.batch_runs);
    samples.insert(samples.end(), batch.begin(), batch.end());
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const Verdict verdict = judge(settings, samples, elapsed);
    if (verdict != Verdict::kContinue) return summarize(samples, verdict == Verdict::kConverged);
  }
}

}  // namespace sgprs::profiler
