#include "simulator/validation/dual_timeline.hpp"

#include "common/json_io.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

namespace sgprs::validation {

namespace {

/// Appends one process's slices: each stage run on the first free lane of its partition, so
/// slices on a track never overlap (concurrent stages of one partition get lanes of their own).
void append_run(std::string& out, const RunLog& log, int pid, const char* name, bool& first) {
  const auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  sep();
  out += fmt::format(R"({{"ph":"M","pid":{},"name":"process_name","args":{{"name":"{}"}}}})", pid, name);
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < log.stage_runs.size(); ++i)
    if (log.stage_runs[i].finish_ns >= 0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return log.stage_runs[a].busy_start() < log.stage_runs[b].busy_start();
  });
  std::vector<std::vector<Ns>> lane_free(log.partitions.size());  // per partition, per lane: free from
  for (std::size_t i : order) {
    const StageRun& s = log.stage_runs[i];
    std::vector<Ns>& lanes = lane_free[static_cast<std::size_t>(s.partition)];
    std::size_t lane = 0;
    while (lane < lanes.size() && lanes[lane] > s.busy_start()) ++lane;
    if (lane == lanes.size()) {
      lanes.push_back(0);
      const int tid = s.partition * 1000 + static_cast<int>(lane);
      sep();
      const std::string track = log.partitions[static_cast<std::size_t>(s.partition)] + " lane " + std::to_string(lane);
      out += fmt::format(R"({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":{}}}}})", pid, tid,
                         Json(track).dump());
    }
    lanes[lane] = s.busy_end();
    sep();
    const std::string slice = log.tasks[static_cast<std::size_t>(s.task)] + "/" +
                              log.stages[static_cast<std::size_t>(s.task)][static_cast<std::size_t>(s.stage)];
    out += fmt::format(R"({{"ph":"X","pid":{},"tid":{},"ts":{:.3f},"dur":{:.3f},"name":{},"args":{{"job":{}}}}})", pid,
                       s.partition * 1000 + static_cast<int>(lane), static_cast<double>(s.busy_start()) / 1e3,
                       static_cast<double>(s.busy_end() - s.busy_start()) / 1e3, Json(slice).dump(), s.job);
  }
}

}  // namespace

void write_dual_timeline(const RunLog& live, const RunLog& sim, const std::string& path) {
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  append_run(out, live, 1, "live", first);
  append_run(out, sim, 2, "simulated", first);
  out += "\n]}\n";
  write_file_atomic(path, out);
}

}  // namespace sgprs::validation
