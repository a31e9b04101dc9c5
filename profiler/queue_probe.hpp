#pragma once
// The queue probe: which launched work waits for which in the GPU's hardware queues. Periodic
// `streams` runs wait milliseconds to start with fewer graphs running than the queues allow, and a
// waiting graph starts right after one particular other graph ends (docs/validation.md, "Hardware
// queues"); in the H100's event logs that graph is most often the one launched about Q/2 + 1 or Q
// launches earlier, whatever its stream. This measures the rule directly.
//
// One trial: a blocker B (one block spinning `blocker_ns`) on its own stream; once the host sees
// B's block start (a flag in host-mapped memory) it launches `probes` probes one at a time, probe j
// a one-block kernel of `probe_ns` on a stream of its own that nothing else uses in the trial, each
// launched `spacing_us` after the one before, so that every probe would start and end before the
// next is launched. No SM is ever short. A probe that starts only after B ends waited for B: it went
// to B's hardware queue (or behind a probe that did). Which probes those are, against their launch
// index after B and against their stream, tells whether the queue is chosen per stream or per
// launch, and how many there are.
//
// Every stream is made before the first trial; each trial draws the streams its probes use at
// random (seeded). With green contexts every stream is the one stream of its own whole-GPU green
// context, as `streams` runs live; with graphs every launch is a captured graph of one kernel
// between two external event records, as a live unit is (simulator/live/unit_graphs.cpp).
// With `queued_behind` = N, the host first launches N more one-block kernels (graphs) of `probe_ns`
// on B's own stream, right after B starts, so that they wait in stream order behind B, as a job
// launched onto its busy stream does under `streams`' stream_queue=on; then the probes.
// With `chain` = K, each probe is K kernels of probe_ns / K one after another (one graph with
// graphs), as a live unit is a chain of a model's kernels.
// CUDA_DEVICE_MAX_CONNECTIONS is the caller's (32 when unset, as `sgprs live`).
// tools/queue_probe_report.py reads the trials and prints the table.
#include <cstdint>
#include <string>

namespace sgprs::profiler {

struct QueueProbeConfig {
  int streams = 128;                      // probe streams made (at least `probes`)
  int probes = 72;                        // probes launched after B in a trial
  int repeats = 20;                       // trials
  std::int64_t blocker_ns = 5'000'000;    // B's one block
  std::int64_t probe_ns = 2'000;          // each probe's one block
  int spacing_us = 40;                    // host time between two probes' launches
  int chain = 1;                          // kernels a probe (one graph with graphs), probe_ns in all
  int queued_behind = 0;                  // launches queued on B's stream behind B before the probes
  bool green_contexts = false;
  bool graphs = false;
  std::uint64_t seed = 1;
};

/// Runs every trial on GPU 0 and writes `sgprs.queue-probe/1` JSON to `out_path` (atomically).
/// Throws NoGpuError without a GPU, GpuError when a CUDA call fails or B never starts,
/// InputError for a configuration that cannot run (fewer streams than probes, probes that
/// outlast B).
void run_queue_probe(const QueueProbeConfig& config, const std::string& out_path);

}  // namespace sgprs::profiler
