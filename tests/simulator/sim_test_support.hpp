#pragma once
// Helpers for the simulator suites: the synthetic test GPU of tests/data/sim
// (16 SMs in 4 pieces of 4; NOT measured data), layouts by partition sizes, and
// a run that records the event stream as short readable lines:
//   "<t_ns> release <task> <job>"            "<t_ns> skip <task> <job>"
//   "<t_ns> assign <task> <stage> <part>"    "<t_ns> defer <task> <stage> <until_ns>"
//   "<t_ns> start <task> <stage> <part>"     "<t_ns> finish <task> <stage> <part>"
//   "<t_ns> cancel <task> <stage> <part>"    "<t_ns> end <task> <job> <outcome>"
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "simulator/experiments/simulation.hpp"

#include <string>
#include <vector>

namespace sgprs::sim::test {

const Profile& test_profile();
std::string test_models_dir();
/// Partitions of the given SM counts (multiples of 4, or 16 for the whole GPU) on the test GPU.
Layout sizes_layout(const std::vector<int>& sizes, int max_parallel);
/// `count` streams: partitions that each hold the whole test GPU, one unit at a time each.
Layout whole_gpu_streams(int count);

struct Trace {
  Summary summary;
  std::vector<std::string> lines;
};

/// Runs `taskset_json` (an sgprs.taskset/1 document) on the test GPU.
Trace run_case(const std::string& taskset_json, const Layout& layout, const RunOptions& options);
/// Options for hand-worked cases: isolated times for predictions too, so one
/// table of numbers (tests/data/sim/profile.json "median_ns") explains everything.
RunOptions isolated_options(const std::string& scheduler, Ns duration_ns);

/// The recorded lines of one kind ("start", "end", "defer", ...), in order.
std::vector<std::string> only(const std::vector<std::string>& lines, const std::string& kind);

class RecordingObserver final : public Observer {
 public:
  void on_run_start(const RunInfo& info) override { info_ = info; }
  void on_event(const RunEvent& e) override;
  std::vector<std::string> lines;

 private:
  RunInfo info_;
};

}  // namespace sgprs::sim::test
