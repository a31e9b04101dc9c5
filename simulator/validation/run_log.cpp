#include "simulator/validation/run_log.hpp"

#include "common/errors.hpp"
#include "common/json_io.hpp"
#include "common/limits.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace sgprs::validation {

namespace {

// A release is under 2 x kMaxTimeNs and its deadline at most kMaxTimeNs later (common/limits.hpp);
// twice that leaves room for a job that ends late.
constexpr Ns kMaxLogTimeNs = 6 * limits::kMaxTimeNs;

struct Reader {
  std::string path;
  std::int64_t line = 0;

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw InputError(path, "line " + std::to_string(line) + (field.empty() ? "" : "." + field), message);
  }
  const Json& member(const Json& doc, const char* key) const {
    const auto it = doc.find(key);
    if (it == doc.end()) fail(key, "is missing");
    return *it;
  }
  /// An integer member in [lo, hi]. Every time of a log is bounded so that the reader's and the
  /// comparison's sums and differences of two times stay far inside int64 (2^63 would otherwise be
  /// read as -2^63, and a response t - release overflow).
  Ns integer(const Json& doc, const char* key, Ns lo = -kMaxLogTimeNs, Ns hi = kMaxLogTimeNs) const {
    const Json& v = member(doc, key);
    if (!v.is_number_integer()) fail(key, "must be an integer");
    const bool in_range = v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi)
                                                 : v.get<Ns>() >= lo && v.get<Ns>() <= hi;
    if (!in_range) fail(key, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v.get<Ns>();
  }
  std::string text(const Json& doc, const char* key) const {
    const Json& v = member(doc, key);
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
  }
  bool boolean(const Json& doc, const char* key) const {
    const Json& v = member(doc, key);
    if (!v.is_boolean()) fail(key, "must be true or false");
    return v.get<bool>();
  }
};

int index_of(const std::unordered_map<std::string, int>& names, const std::string& name, const Reader& r,
             const char* field) {
  const auto it = names.find(name);
  if (it == names.end()) r.fail(field, "'" + name + "' is not in the log's header");
  return it->second;
}

}  // namespace

std::int64_t RunLog::find_job(int task, std::int64_t job) const {
  const auto it = job_index.find({task, job});
  return it == job_index.end() ? -1 : static_cast<std::int64_t>(it->second);
}

const char* to_string(JobEnd end) {
  switch (end) {
    case JobEnd::kOnTime: return "on_time";
    case JobEnd::kLate: return "late";
    case JobEnd::kAborted: return "aborted";
    case JobEnd::kSkipped: return "skipped";
    case JobEnd::kUnfinished: return "unfinished";
  }
  return "?";
}

namespace {

/// A unit queued on its stream (launched before the core started it: `streams` with its stream
/// queue) waits there for the unit ahead of it, and the stream is its partition in the log: the
/// unit ahead is the one on the same partition whose GPU start came last before this one's.
void mark_stream_ready(RunLog& log) {
  std::vector<std::size_t> stamped;
  for (std::size_t i = 0; i < log.stage_runs.size(); ++i)
    if (log.stage_runs[i].gpu_start_ns >= 0) stamped.push_back(i);
  std::stable_sort(stamped.begin(), stamped.end(), [&](std::size_t a, std::size_t b) {
    const StageRun& x = log.stage_runs[a];
    const StageRun& y = log.stage_runs[b];
    return x.partition != y.partition ? x.partition < y.partition : x.gpu_start_ns < y.gpu_start_ns;
  });
  for (std::size_t k = 1; k < stamped.size(); ++k) {
    StageRun& s = log.stage_runs[stamped[k]];
    const StageRun& ahead = log.stage_runs[stamped[k - 1]];
    if (ahead.partition != s.partition || s.launch_ns < 0 || s.launch_ns >= s.start_ns) continue;
    s.stream_ready_ns = std::max(s.launch_ns, ahead.gpu_end_ns);
  }
}

}  // namespace

RunLog read_run_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot be read (is this a run's folder with its event log?)");
  return read_run_log(in, path);
}

RunLog read_run_log(std::istream& in, const std::string& path) {
  Reader r{path};
  bool have_header = false;
  RunLog log;
  log.source = path;
  std::unordered_map<std::string, int> task_ids, partition_ids;
  std::vector<std::unordered_map<std::string, int>> stage_ids;
  // Running stages of each task, by (job, stage): index into stage_runs.
  std::map<std::tuple<int, std::int64_t, int>, std::size_t> running;
  std::vector<std::int64_t> next_job;  // per task: the index its next new job must have
  std::string text;
  while (std::getline(in, text)) {
    ++r.line;
    if (text.empty()) continue;
    Json e;
    try {
      e = parse_json_text(text, path);  // the depth and size limits of every input
    } catch (const InputError& error) {
      r.fail("", std::string("is not JSON (a log cut short?): ") + error.what());
    }
    if (!e.is_object()) r.fail("", "is not a JSON object");
    if (!have_header) {  // the first line
      have_header = true;
      check_schema(e, path, "sgprs.events", 1);
      log.scheduler = r.text(e, "scheduler");
      log.duration_ns = r.integer(e, "duration_ns", 0, limits::kMaxTimeNs);
      if (!r.member(e, "seed").is_number_unsigned()) r.fail("seed", "must be a whole number >= 0");
      log.seed = r.member(e, "seed").get<std::uint64_t>();
      log.max_parallel = static_cast<int>(r.integer(e, "max_parallel", 0, limits::kMaxParallel));
      if (!r.member(e, "tasks").is_array()) r.fail("tasks", "must be an array");
      if (!r.member(e, "partitions").is_array()) r.fail("partitions", "must be an array");
      for (const Json& t : r.member(e, "tasks")) {
        task_ids[r.text(t, "name")] = static_cast<int>(log.tasks.size());
        log.tasks.push_back(r.text(t, "name"));
        std::vector<std::string> stages;
        std::unordered_map<std::string, int> ids;
        if (!r.member(t, "stages").is_array()) r.fail("tasks.stages", "must be an array");
        for (const Json& s : r.member(t, "stages")) {
          if (!s.is_string()) r.fail("tasks.stages", "must hold stage names");
          ids[s.get<std::string>()] = static_cast<int>(stages.size());
          stages.push_back(s.get<std::string>());
        }
        log.stages.push_back(std::move(stages));
        stage_ids.push_back(std::move(ids));
      }
      next_job.assign(log.tasks.size(), 0);
      for (const Json& p : r.member(e, "partitions")) {
        partition_ids[r.text(p, "name")] = static_cast<int>(log.partitions.size());
        log.partitions.push_back(r.text(p, "name"));
        log.partition_sms.push_back(static_cast<int>(r.integer(p, "sms", 0, limits::kMaxSmCount)));
      }
      continue;
    }
    const std::string kind = r.text(e, "ev");
    const Ns t = r.integer(e, "t_ns");
    const int task = index_of(task_ids, r.text(e, "task"), r, "task");
    const std::int64_t job = r.integer(e, "job");
    std::int64_t j = log.find_job(task, job);
    if (j < 0) {
      // The run core releases or skips a task's jobs in index order, so a complete log names them
      // 0, 1, 2, ... in order (which also bounds every per-job table by the log's length).
      if (job != next_job[static_cast<std::size_t>(task)])
        r.fail("job", "job " + std::to_string(job) + " of task '" + log.tasks[static_cast<std::size_t>(task)] +
                          "' comes where job " + std::to_string(next_job[static_cast<std::size_t>(task)]) +
                          " was due: the log is out of order or incomplete");
      ++next_job[static_cast<std::size_t>(task)];
      j = static_cast<std::int64_t>(log.jobs.size());
      log.job_index[{task, job}] = log.jobs.size();
      JobRun run;
      run.task = task;
      run.job = job;
      run.release_ns = r.integer(e, "release_ns");
      run.deadline_ns = r.integer(e, "deadline_ns");
      log.jobs.push_back(run);
    }
    JobRun& jr = log.jobs[static_cast<std::size_t>(j)];
    if (kind == "release") {
      jr.released_at_ns = t;
      ++log.releases;
    } else if (kind == "skip") {
      jr.end = JobEnd::kSkipped;
      jr.ended_at_ns = t;
      ++log.skips;
    } else if (kind == "job_end") {
      const std::string outcome = r.text(e, "outcome");
      jr.ended_at_ns = t;
      if (outcome == "on_time") jr.end = JobEnd::kOnTime;
      else if (outcome == "late") jr.end = JobEnd::kLate;
      else if (outcome == "aborted") jr.end = JobEnd::kAborted;
      else r.fail("outcome", "'" + outcome + "' is not on_time, late or aborted");
      if (jr.end != JobEnd::kAborted) jr.response_ns = t - jr.release_ns;
    } else if (kind == "start" || kind == "finish" || kind == "cancel") {
      const int stage = index_of(stage_ids[static_cast<std::size_t>(task)], r.text(e, "stage"), r, "stage");
      const auto key = std::make_tuple(task, job, stage);
      if (kind == "start") {
        StageRun s;
        s.task = task;
        s.job = job;
        s.stage = stage;
        s.partition = index_of(partition_ids, r.text(e, "partition"), r, "partition");
        s.start_ns = t;
        s.queued = e.contains("queued") && r.boolean(e, "queued");
        running[key] = log.stage_runs.size();
        log.stage_runs.push_back(s);
        continue;
      }
      const auto it = running.find(key);
      if (it == running.end()) r.fail("stage", "ends a stage that never started");
      StageRun& s = log.stage_runs[it->second];
      running.erase(it);
      if (kind == "cancel") continue;
      s.finish_ns = t;
      if (e.contains("gpu_start_ns")) {
        if (e.contains("launch_ns")) s.launch_ns = r.integer(e, "launch_ns");
        s.gpu_start_ns = r.integer(e, "gpu_start_ns");
        s.gpu_end_ns = r.integer(e, "gpu_end_ns");
      }
    } else if (kind != "decision") {
      r.fail("ev", "'" + kind + "' is not an event of sgprs.events/1");
    }
  }
  if (!have_header) throw InputError(path, "", "is empty");
  mark_stream_ready(log);
  return log;
}

}  // namespace sgprs::validation
