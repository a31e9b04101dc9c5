#include "simulator/experiments/sweep_record.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace sgprs::exp {

namespace {

/// FNV-1a of the profile as parsed: a re-measured profile is another experiment.
std::string profile_fingerprint(const Profile& profile) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : profile.raw().dump()) hash = (hash ^ c) * 0x100000001b3ull;
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace

Json experiment_identity(const PreparedExperiment& prep) {
  Json loads = Json::array();
  for (double l : prep.loads) loads.push_back(load_text(l));
  return Json{{"config", *prep.experiment.raw}, {"loads", loads}, {"profile_fnv1a", profile_fingerprint(prep.profile)}};
}

Json sweep_record(const PreparedExperiment& prep) {
  Json record{{"schema", schema_tag("sgprs.sweep", 1)},
              {"experiment", experiment_identity(prep)},
              {"profile", prep.experiment.profile_path},
              {"device", prep.profile.device_name()},
              {"bound_max_tasks", prep.bound_max_tasks},
              {"layouts", Json::array()},
              {"runs", prep.runs()}};
  if (prep.bound_max_scale > 0) record["bound_max_scale"] = prep.bound_max_scale;
  for (const Layout& layout : prep.layouts) record["layouts"].push_back(layout.to_json());
  return record;
}

void add_execution(Json& record, const SweepResult& result, const std::string& command) {
  record["command"] = command;
  record["threads"] = result.threads;
  record["runs_resumed"] = result.runs_resumed;
  record["runs_executed"] = result.runs_executed;
  record["runs_simulated"] = result.runs_simulated;
  record["wall_time_s"] = result.wall_time_s;
}

Json run_grid_json(const PreparedExperiment& prep) {
  Json grid{{"layouts", Json::array()}, {"schedulers", Json::array()}, {"loads", Json::array()},
            {"repetitions", prep.experiment.repetitions}};
  for (const Layout& layout : prep.layouts) grid["layouts"].push_back(layout.name);
  for (const SchedulerEntry& entry : prep.experiment.schedulers) grid["schedulers"].push_back(entry.label);
  for (double l : prep.loads) grid["loads"].push_back(load_text(l));
  return grid;
}

RunGrid run_grid(const PreparedExperiment& prep) {
  return RunGrid{prep.layouts.size(), prep.experiment.schedulers.size(), prep.loads.size(), prep.experiment.repetitions};
}

Json shard_record(const PreparedExperiment& prep, const ShardSpec& shard, std::size_t runs) {
  return Json{{"schema", schema_tag(kShardSchema, 1)},
              {"shard", {{"index", shard.index}, {"count", shard.count}}},
              {"runs", runs},
              {"grid", run_grid_json(prep)},
              {"sweep", sweep_record(prep)}};
}

}  // namespace sgprs::exp
