#include "sim_test_support.hpp"

#include "common/taskset.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace sgprs::sim::test {

const Profile& test_profile() {
  static const Profile profile = Profile::load(std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/profile.json");
  return profile;
}

std::string test_models_dir() { return std::string(SGPRS_SOURCE_DIR) + "/tests/data/sim/models"; }

Layout sizes_layout(const std::vector<int>& sizes, int max_parallel) {
  return layout_from_sizes("test", sizes, test_profile().gpu(), max_parallel);
}

Layout whole_gpu_streams(int count) {
  Layout layout;
  layout.name = "streams:" + std::to_string(count);
  layout.max_parallel = 1;
  for (int i = 0; i < count; ++i) layout.partitions.push_back(Partition{"s" + std::to_string(i), 16, {0, 1, 2, 3}});
  return layout;
}

RunOptions isolated_options(const std::string& scheduler, Ns duration_ns) {
  RunOptions o;
  o.scheduler = scheduler;
  o.duration_ns = duration_ns;
  o.predicted_times = ProfileTimes::kIsolated;
  return o;
}

Trace run_case(const std::string& taskset_json, const Layout& layout, const RunOptions& options) {
  const TaskSet set = TaskSet::from_json(Json::parse(taskset_json), "inline-taskset");
  const Workload work = make_workload(set, test_profile(), test_models_dir(), options.seed);
  RecordingObserver recorder;
  Trace trace;
  trace.summary = simulate(test_profile(), work, layout, options, {&recorder});
  trace.lines = std::move(recorder.lines);
  return trace;
}

std::vector<std::string> only(const std::vector<std::string>& lines, const std::string& kind) {
  std::vector<std::string> out;
  for (const std::string& l : lines)
    if (l.find(" " + kind + " ") != std::string::npos) out.push_back(l);
  return out;
}

void RecordingObserver::on_event(const RunEvent& e) {
  const std::string t = std::to_string(e.time_ns) + " ";
  const std::string& task = info_.task_names[static_cast<std::size_t>(e.task)];
  const std::string stage =
      e.stage >= 0 ? info_.unit_names[info_.task_model[static_cast<std::size_t>(e.task)]][static_cast<std::size_t>(e.stage)] : "";
  const std::string part = e.partition >= 0 ? info_.partition_names[static_cast<std::size_t>(e.partition)] : "";
  switch (e.kind) {
    case EventKind::kRelease: lines.push_back(t + "release " + task + " " + std::to_string(e.job)); break;
    case EventKind::kSkip: lines.push_back(t + "skip " + task + " " + std::to_string(e.job)); break;
    case EventKind::kDecision:
      lines.push_back(e.partition >= 0 ? t + "assign " + task + " " + stage + " " + part
                                       : t + "defer " + task + " " + stage + " " + std::to_string(e.until_ns));
      break;
    case EventKind::kStart: lines.push_back(t + "start " + task + " " + stage + " " + part); break;
    case EventKind::kFinish: lines.push_back(t + "finish " + task + " " + stage + " " + part); break;
    case EventKind::kCancel: lines.push_back(t + "cancel " + task + " " + stage + " " + part); break;
    case EventKind::kJobEnd:
      lines.push_back(t + "end " + task + " " + std::to_string(e.job) + " " + to_string(e.outcome));
      break;
  }
}

}  // namespace sgprs::sim::test
