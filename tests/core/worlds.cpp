// Every world the conformance suite runs in: the scripted platform (units that can
// and cannot be stopped) and the live platform's control loop on a virtual clock
// with a fake device (the same loop `sgprs live` runs on the GPU).
#include "conformance_worlds.hpp"
#include "simulator/core/run_description.hpp"
#include "simulator/live/fake_executor.hpp"
#include "simulator/live/live_platform.hpp"

namespace sgprs::sim::test {

std::vector<World> scripted_worlds();

namespace {

std::vector<std::string> run_live_fake(const ConformanceCase& c) {
  CaseSetup s = set_up_case(c);
  RecordingObserver recorder;
  recorder.on_run_start(make_run_info(*s.planned.plan, s.workload, s.options));
  live::VirtualClock clock;
  const auto duration = s.unit_duration;
  live::FakeStageExecutor executor([duration](const live::UnitLaunch& u) { return duration(u.task, u.unit, u.partition); },
                                   clock);
  live::LivePlatform platform(*s.planned.plan, executor, clock, live::LiveOptions{});
  RunCore core(*s.planned.plan, *s.planned.scheduler, platform, {&recorder}, s.options.duration_ns);
  platform.run(core);
  return recorder.lines;
}

}  // namespace

std::vector<World> conformance_worlds() {
  std::vector<World> worlds = scripted_worlds();
  worlds.push_back(World{"live_fake_device", false, run_live_fake});
  return worlds;
}

}  // namespace sgprs::sim::test
