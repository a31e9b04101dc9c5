#pragma once
// The worlds the run core's conformance suite (conformance_test.cpp) runs in, and
// the case description they share.
#include "sim_test_support.hpp"
#include "simulator/live/fake_executor.hpp"
#include "simulator/live/live_platform.hpp"
#include "simulator/policy/planned_run.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sgprs::sim::test {

struct ConformanceCase {
  std::string taskset_json;
  std::vector<int> partition_sms;   // on the 16-SM test GPU
  int max_parallel = 1;
  Ns duration_ns = 0;
  std::map<std::string, Ns> unit_ns;  // every unit's duration, by stage name, on any partition
  bool miss_policy_abort = false;
  int no_defer_last = 2;
  std::string scheduler = "sgprs";
  std::vector<std::pair<std::string, std::string>> options = {};  // scheduler options, as --option k=v
};

/// What a world needs to run a case: the planned run (scheduler reset on its plan), the
/// names observers print, and each unit's duration.
struct CaseSetup {
  Workload workload;
  PlannedRun planned;
  RunOptions options;
  std::function<Ns(int task, int unit, int partition)> unit_duration;
};
CaseSetup set_up_case(const ConformanceCase& c);

struct World {
  std::string name;
  bool can_stop = true;  // whether running units can be stopped (abort semantics differ)
  std::function<std::vector<std::string>(const ConformanceCase&)> run;
};

/// Every world of this build (the live one joins in tests/live).
std::vector<World> conformance_worlds();

/// The live world: the live platform's control loop on a virtual clock and a fake device (one
/// stream per partition when max_parallel is 1). `wrap` may put an executor in front of the fake
/// one; `extra` observers see the run beside the recorder of lines.
using ExecutorWrapper = std::function<std::unique_ptr<live::StageExecutor>(live::FakeStageExecutor& fake)>;
struct LiveFakeRun {
  std::vector<std::string> lines;
  live::LiveStats stats;
};
LiveFakeRun run_on_fake_device(const ConformanceCase& c, const ExecutorWrapper& wrap = {},
                               const std::vector<Observer*>& extra = {});

}  // namespace sgprs::sim::test
