#include "simulator/outputs/timeline_writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sgprs::sim {

namespace {

double to_us(Ns ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

TimelineWriter::TimelineWriter(std::string path) : file_(std::move(path)) {}

// The document is {"displayTimeUnit":..,"otherData":..,"traceEvents":[..]}, keys in the order
// nlohmann/json writes them, so the bytes equal a dump() of the whole document held in memory.
void TimelineWriter::on_run_start(const RunInfo& info) {
  if (started_) throw std::logic_error("TimelineWriter: one run per file");
  started_ = true;
  info_ = &info;
  open_.clear();
  slot_busy_.assign(info.partition_names.size(), {});
  const Json other{{"scheduler", info.scheduler}, {"seed", info.seed}, {"duration_ns", info.duration_ns}};
  file_.write("{\"displayTimeUnit\":\"ms\",\"otherData\":" + other.dump() + ",\"traceEvents\":[");
  for (std::size_t p = 0; p < info.partition_names.size(); ++p) {
    const int pid = static_cast<int>(p) + 1;
    emit({{"ph", "M"}, {"pid", pid}, {"name", "process_name"},
                      {"args", {{"name", info.partition_names[p] + " (" + std::to_string(info.partition_sms[p]) + " SMs)"}}}});
    emit({{"ph", "M"}, {"pid", pid}, {"name", "process_sort_index"}, {"args", {{"sort_index", pid}}}});
  }
  const int jobs_pid = static_cast<int>(info.partition_names.size()) + 1;
  emit({{"ph", "M"}, {"pid", jobs_pid}, {"name", "process_name"}, {"args", {{"name", "jobs"}}}});
  emit({{"ph", "M"}, {"pid", jobs_pid}, {"name", "process_sort_index"}, {"args", {{"sort_index", jobs_pid}}}});
  for (std::size_t t = 0; t < info.task_names.size(); ++t)
    emit({{"ph", "M"}, {"pid", jobs_pid}, {"tid", static_cast<int>(t) + 1}, {"name", "thread_name"},
                      {"args", {{"name", info.task_names[t]}}}});
  job_started_ns_.assign(info.task_names.size(), -1);
}

void TimelineWriter::on_event(const RunEvent& e) {
  if (e.kind == EventKind::kRelease) {
    job_started_ns_[static_cast<std::size_t>(e.task)] = e.time_ns;
    return;
  }
  if (e.kind == EventKind::kJobEnd) {
    const Ns start = job_started_ns_[static_cast<std::size_t>(e.task)];
    const std::string& task = info_->task_names[static_cast<std::size_t>(e.task)];
    Json args{{"task", task}, {"job", e.job}, {"release_ns", e.release_ns}, {"deadline_ns", e.deadline_ns},
              {"outcome", to_string(e.outcome)}};
    if (e.outcome != JobOutcome::kAborted) args["response_ns"] = e.time_ns - e.release_ns;
    emit({{"ph", "X"}, {"pid", static_cast<int>(info_->partition_names.size()) + 1},
                                     {"tid", e.task + 1}, {"name", task + " #" + std::to_string(e.job) + " " + to_string(e.outcome)},
                                     {"cat", "job"}, {"ts", to_us(start)}, {"dur", to_us(e.time_ns - start)},
                                     {"args", std::move(args)}});
    return;
  }
  if (e.kind == EventKind::kStart) {
    auto& slots = slot_busy_[static_cast<std::size_t>(e.partition)];
    auto free_slot = std::find(slots.begin(), slots.end(), false);
    int slot = static_cast<int>(free_slot - slots.begin());
    if (free_slot == slots.end()) {
      slots.push_back(true);
      emit({{"ph", "M"}, {"pid", e.partition + 1}, {"tid", slot + 1}, {"name", "thread_name"},
                                       {"args", {{"name", "slot " + std::to_string(slot)}}}});
    } else {
      *free_slot = true;
    }
    open_.push_back(Open{e.task, e.stage, e.partition, slot, e.job, e.time_ns});
    return;
  }
  if (e.kind != EventKind::kFinish && e.kind != EventKind::kCancel) return;
  const auto it = std::find_if(open_.begin(), open_.end(), [&](const Open& o) {
    return o.task == e.task && o.stage == e.stage && o.job == e.job;
  });
  if (it == open_.end()) return;
  const Open o = *it;
  open_.erase(it);
  slot_busy_[static_cast<std::size_t>(o.partition)][static_cast<std::size_t>(o.slot)] = false;
  const std::string& task = info_->task_names[static_cast<std::size_t>(o.task)];
  const std::string& stage = info_->unit_names[info_->task_model[static_cast<std::size_t>(o.task)]][static_cast<std::size_t>(o.stage)];
  Json args{{"task", task}, {"job", o.job}, {"stage", stage},
            {"partition", info_->partition_names[static_cast<std::size_t>(o.partition)]},
            {"start_ns", o.start_ns}, {"end_ns", e.time_ns}};
  if (e.stage_deadline_ns >= 0) args["stage_deadline_ns"] = e.stage_deadline_ns;
  if (e.kind == EventKind::kCancel) args["cancelled"] = true;
  else if (e.stage_deadline_ns >= 0) args["stage_deadline_met"] = e.time_ns <= e.stage_deadline_ns;
  emit({{"ph", "X"}, {"pid", o.partition + 1}, {"tid", o.slot + 1},
                                   {"name", task + "/" + stage}, {"cat", "stage"},
                                   {"ts", to_us(o.start_ns)}, {"dur", to_us(e.time_ns - o.start_ns)},
                                   {"args", std::move(args)}});
}

void TimelineWriter::emit(const Json& event) {
  text_.clear();
  if (!first_event_) text_ += ',';
  first_event_ = false;
  text_ += event.dump();
  file_.write(text_);
}

void TimelineWriter::close() {
  file_.write(started_ ? "]}\n" : "");
  file_.close();
}

void TimelineWriter::publish() { file_.publish(); }

}  // namespace sgprs::sim
