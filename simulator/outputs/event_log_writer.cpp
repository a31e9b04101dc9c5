#include "simulator/outputs/event_log_writer.hpp"

#include "common/json_io.hpp"

#include <nlohmann/json.hpp>


namespace sgprs::sim {

namespace {

std::string quoted(const std::string& name) { return Json(name).dump(); }

void append_field(std::string& line, const char* key, std::int64_t value) {
  line += ",\"";
  line += key;
  line += "\":";
  line += std::to_string(value);
}

void append_field(std::string& line, const char* key, const std::string& json_value) {
  line += ",\"";
  line += key;
  line += "\":";
  line += json_value;
}

}  // namespace

EventLogWriter::EventLogWriter(std::string path) : file_(std::move(path)) {}

EventLogWriter::~EventLogWriter() = default;

void EventLogWriter::on_run_start(const RunInfo& info) {
  Json header{{"schema", schema_tag("sgprs.events", 1)},
              {"scheduler", info.scheduler},
              {"seed", info.seed},
              {"duration_ns", info.duration_ns},
              {"max_parallel", info.max_parallel},
              {"tasks", Json::array()},
              {"partitions", Json::array()}};
  for (std::size_t t = 0; t < info.task_names.size(); ++t)
    header["tasks"].push_back({{"name", info.task_names[t]}, {"stages", info.unit_names[info.task_model[t]]}});
  for (std::size_t p = 0; p < info.partition_names.size(); ++p)
    header["partitions"].push_back({{"name", info.partition_names[p]}, {"sms", info.partition_sms[p]}});
  file_.write(header.dump() + "\n");

  task_json_.clear();
  for (const std::string& name : info.task_names) task_json_.push_back(quoted(name));
  unit_json_.clear();
  for (const auto& names : info.unit_names) {
    unit_json_.emplace_back();
    for (const std::string& name : names) unit_json_.back().push_back(quoted(name));
  }
  task_model_ = info.task_model;
  partition_json_.clear();
  for (const std::string& name : info.partition_names) partition_json_.push_back(quoted(name));
}

void EventLogWriter::on_event(const RunEvent& e) {
  line_ = "{\"t_ns\":" + std::to_string(e.time_ns);
  append_field(line_, "ev", quoted(to_string(e.kind)));
  append_field(line_, "task", task_json_[static_cast<std::size_t>(e.task)]);
  append_field(line_, "job", e.job);
  append_field(line_, "release_ns", e.release_ns);
  append_field(line_, "deadline_ns", e.deadline_ns);
  if (e.stage >= 0) {
    append_field(line_, "stage", unit_json_[task_model_[static_cast<std::size_t>(e.task)]][static_cast<std::size_t>(e.stage)]);
    if (e.stage_deadline_ns >= 0) append_field(line_, "stage_deadline_ns", e.stage_deadline_ns);
  }
  if (e.partition >= 0) append_field(line_, "partition", partition_json_[static_cast<std::size_t>(e.partition)]);
  if (e.queued) line_ += ",\"queued\":true";
  if (e.kind == EventKind::kDecision && e.partition < 0) append_field(line_, "until_ns", e.until_ns);
  if (e.gpu_end_ns >= 0) {  // live runs: the host launch, the GPU's own interval (the event's t_ns is the notice)
    append_field(line_, "launch_ns", e.launch_ns);
    append_field(line_, "gpu_start_ns", e.gpu_start_ns);
    append_field(line_, "gpu_end_ns", e.gpu_end_ns);
  }
  if (e.kind == EventKind::kJobEnd) {
    append_field(line_, "outcome", quoted(to_string(e.outcome)));
    if (e.outcome != JobOutcome::kAborted) append_field(line_, "response_ns", e.time_ns - e.release_ns);
  }
  line_ += "}\n";
  file_.write(line_);
}

}  // namespace sgprs::sim
