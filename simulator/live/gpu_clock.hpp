#pragma once
// GPU event timestamps on the host clock, for one partition.
//
// CUDA records an event only on a stream of the event's own context, and green contexts are
// contexts of their own, so each partition has its own clock. Its reference event's host time is
// measured at set-up by bracketing: host time before recording the event on an idle stream (the
// partition's first slot stream, before any unit runs) and
// after synchronising with it, repeated, the tightest bracket kept, its midpoint taken (the
// offset's uncertainty is half that bracket). cudaEventElapsedTime returns float milliseconds,
// whose resolution coarsens with the distance from the reference (about 1 us at 8 s, 8 us at 67 s),
// so about once a second a new reference is recorded on that stream and timed from the last one:
// the GPU clock carries the time forward, with no new bracket and no new offset error (so the
// reference may wait behind a running unit: only its GPU timestamp counts).
// Conversions use the reference before the newest (1 to 3 s old), so every event converted,
// recorded moments before, lies after it: elapsed times stay positive and under ~3 s (0.25 us).
// References move only when events are converted, so the first conversions after an idle gap
// of G seconds resolve to about G x 0.12 us (a live run never idles that long).
//
//   GpuClock clock(partition.stream(0), epoch, 50);     // partition's context current
//   Ns end_ns = clock.host_ns(end_event);                // after the event completed
//
// Thread-safe (one mutex): several completion threads may convert at once.
#include "common/time.hpp"
#include "profiler/cuda_owners.hpp"

#include <cuda_runtime_api.h>

#include <mutex>

namespace sgprs::live {

class GpuClock {
 public:
  /// `idle_stream`: a stream of the partition with nothing in flight now (set-up brackets need
  /// it idle; later references may queue behind units). The partition's context must be current
  /// (the events are created in it).
  GpuClock(cudaStream_t idle_stream, Ns epoch_steady_ns, int brackets);

  /// Host ns (epoch-relative) of a completed timing event of the same context.
  Ns host_ns(cudaEvent_t event);
  /// Half the tightest set-up bracket: how far the offset may be off.
  Ns uncertainty_ns() const { return uncertainty_ns_; }
  /// Brackets a fresh event now and returns how far this clock's estimate of it is from the
  /// bracket's midpoint (GPU clock drift since set-up plus both uncertainties). Synchronises:
  /// diagnostics only, never during a run.
  Ns drift_ns(int brackets);

 private:
  struct Bracket {
    Ns midpoint_ns = 0;
    Ns width_ns = 0;
  };
  /// Records `event` on the idle stream `brackets` times, keeping in `best` the recording
  /// with the tightest bracket (the events are swapped, so `best` holds that recording).
  Bracket measure(profiler::Event& best, profiler::Event& scratch, int brackets);
  void move_reference_forward(Ns now_ns);  // caller holds mutex_

  cudaStream_t stream_;
  Ns epoch_steady_ns_;
  std::mutex mutex_;
  profiler::Event base_;  // what conversions are timed from
  Ns base_ns_ = 0;
  profiler::Event newer_;  // the newest completed reference (base_ until a second one exists)
  Ns newer_ns_ = 0;
  bool has_newer_ = false;
  profiler::Event pending_;  // recorded, not yet completed
  bool pending_recorded_ = false;
  Ns newer_taken_ns_ = 0;  // host time the newest reference was taken (for the 1-s cadence)
  profiler::Event scratch_;
  Ns uncertainty_ns_ = 0;
};

}  // namespace sgprs::live
