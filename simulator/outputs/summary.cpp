#include "simulator/outputs/summary.hpp"

#include <nlohmann/json.hpp>

namespace sgprs::sim {

Json Summary::to_json() const {
  Json doc{{"schema", schema_tag("sgprs.summary", 1)},
           {"jobs_released", jobs_released},
           {"jobs_completed", jobs_completed},
           {"jobs_on_time", jobs_on_time},
           {"jobs_skipped", jobs_skipped},
           {"jobs_aborted", jobs_aborted},
           {"miss_ratio", miss_ratio},
           {"throughput_jobs_per_s", throughput_jobs_per_s},
           {"events_processed", events_processed},
           {"stage_events", stage_events},
           {"end_ns", end_ns},
           {"wall_time_s", wall_time_s},
           {"tasks", Json::array()},
           {"partitions", Json::array()},
           {"provenance", *provenance}};
  for (const TaskSummary& t : tasks)
    doc["tasks"].push_back({{"name", t.name},
                            {"jobs_released", t.jobs_released},
                            {"jobs_completed", t.jobs_completed},
                            {"jobs_on_time", t.jobs_on_time},
                            {"jobs_skipped", t.jobs_skipped},
                            {"jobs_aborted", t.jobs_aborted},
                            {"miss_ratio", t.miss_ratio},
                            {"response_p50_ns", t.response_p50_ns},
                            {"response_p99_ns", t.response_p99_ns},
                            {"response_max_ns", t.response_max_ns}});
  for (const PartitionSummary& p : partitions)
    doc["partitions"].push_back({{"name", p.name}, {"sms", p.sms}, {"busy_fraction", p.busy_fraction}});
  return doc;
}

}  // namespace sgprs::sim
