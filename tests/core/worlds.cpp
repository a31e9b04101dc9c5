// Every world the conformance suite runs in: the scripted platform (units that can
// and cannot be stopped) and the live platform's control loop on a virtual clock
// with a fake device (the same loop `sgprs live` runs on the GPU).
#include "conformance_worlds.hpp"
#include "simulator/core/run_description.hpp"
#include "simulator/live/live_platform.hpp"

namespace sgprs::sim::test {

std::vector<World> scripted_worlds();

LiveFakeRun run_on_fake_device(const ConformanceCase& c, const ExecutorWrapper& wrap,
                               const std::vector<Observer*>& extra) {
  CaseSetup s = set_up_case(c);
  RecordingObserver recorder;
  std::vector<Observer*> observers{&recorder};
  observers.insert(observers.end(), extra.begin(), extra.end());
  for (Observer* o : observers) o->on_run_start(make_run_info(*s.planned.plan, s.workload, s.options));
  live::VirtualClock clock;
  const auto duration = s.unit_duration;
  live::FakeStageExecutor fake([duration](const live::UnitLaunch& u) { return duration(u.task, u.unit, u.partition); },
                               clock);
  if (s.planned.plan->pool().max_parallel == 1) fake.one_stream_per_partition();  // as `sgprs live --fake-device`
  std::unique_ptr<live::StageExecutor> wrapper = wrap ? wrap(fake) : nullptr;
  live::LivePlatform platform(*s.planned.plan, wrapper ? *wrapper : static_cast<live::StageExecutor&>(fake), clock,
                              live::LiveOptions{});
  RunCore core(*s.planned.plan, *s.planned.scheduler, platform, observers, s.options.duration_ns);
  platform.run(core);
  return LiveFakeRun{recorder.lines, platform.stats()};
}

std::vector<World> conformance_worlds() {
  std::vector<World> worlds = scripted_worlds();
  worlds.push_back(
      World{"live_fake_device", false, [](const ConformanceCase& c) { return run_on_fake_device(c).lines; }});
  return worlds;
}

}  // namespace sgprs::sim::test
