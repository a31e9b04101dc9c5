#include "simulator/validation/run_comparison.hpp"

#include "common/stats.hpp"
#include "simulator/policy/block_name.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace sgprs::validation {

namespace {

double rel_error(double sim, double live) { return live != 0 ? (sim - live) / live : 0.0; }

double median_of(std::vector<double> v) { return quantile(std::move(v), 0.5); }

ErrorSpread spread_of(const std::vector<double>& errors) {
  ErrorSpread s;
  s.count = static_cast<std::int64_t>(errors.size());
  if (errors.empty()) return s;
  std::vector<double> abs;
  abs.reserve(errors.size());
  for (double e : errors) abs.push_back(std::fabs(e));
  s.median_abs = quantile(abs, 0.5);
  s.p90_abs = quantile(abs, 0.9);
  s.median_signed = quantile(errors, 0.5);
  return s;
}

std::vector<std::vector<Ns>> responses_by_task(const RunLog& log) {
  std::vector<std::vector<Ns>> out(log.tasks.size());
  for (const JobRun& j : log.jobs)
    if (j.response_ns >= 0) out[static_cast<std::size_t>(j.task)].push_back(j.response_ns);
  return out;
}

/// Which stage runs of `log` had their partition to themselves for their whole run.
std::vector<bool> alone_on_partition(const RunLog& log) {
  std::vector<bool> alone(log.stage_runs.size(), false);
  std::vector<std::vector<std::size_t>> by_partition(log.partitions.size());
  for (std::size_t i = 0; i < log.stage_runs.size(); ++i)
    if (log.stage_runs[i].finish_ns >= 0)
      by_partition[static_cast<std::size_t>(log.stage_runs[i].partition)].push_back(i);
  for (std::vector<std::size_t>& runs : by_partition) {
    std::sort(runs.begin(), runs.end(), [&](std::size_t a, std::size_t b) {
      return log.stage_runs[a].busy_start() < log.stage_runs[b].busy_start();
    });
    Ns latest_end = -1;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const StageRun& s = log.stage_runs[runs[k]];
      const bool next_overlaps = k + 1 < runs.size() && log.stage_runs[runs[k + 1]].busy_start() < s.busy_end();
      alone[runs[k]] = latest_end <= s.busy_start() && !next_overlaps;
      latest_end = std::max(latest_end, s.busy_end());
    }
  }
  return alone;
}

}  // namespace

Json ErrorSpread::to_json() const {
  return Json{{"count", count}, {"median", median_abs}, {"p90", p90_abs}, {"median_signed", median_signed}};
}

Validation compare_runs(const RunLog& live, const RunLog& sim, const RunTotals& live_totals,
                        const RunTotals& sim_totals, const std::vector<std::string>& task_models,
                        const StageTimeLookup& profile_time) {
  Validation v;
  v.live = live_totals;
  v.sim = sim_totals;
  v.throughput_rel_error = rel_error(sim_totals.throughput_jobs_per_s, live_totals.throughput_jobs_per_s);

  // Responses per task.
  const auto live_resp = responses_by_task(live);
  const auto sim_resp = responses_by_task(sim);
  std::vector<double> p50_errors, p99_errors;
  for (std::size_t t = 0; t < live.tasks.size(); ++t) {
    TaskComparison c;
    c.task = live.tasks[t];
    c.completed_live = static_cast<std::int64_t>(live_resp[t].size());
    c.completed_sim = t < sim_resp.size() ? static_cast<std::int64_t>(sim_resp[t].size()) : 0;
    if (c.completed_live > 0 && c.completed_sim > 0) {
      c.p50_live = quantile_nearest_rank(live_resp[t], 0.5);
      c.p99_live = quantile_nearest_rank(live_resp[t], 0.99);
      c.p50_sim = quantile_nearest_rank(sim_resp[t], 0.5);
      c.p99_sim = quantile_nearest_rank(sim_resp[t], 0.99);
      c.p50_rel_error = rel_error(static_cast<double>(c.p50_sim), static_cast<double>(c.p50_live));
      c.p99_rel_error = rel_error(static_cast<double>(c.p99_sim), static_cast<double>(c.p99_live));
      p50_errors.push_back(std::fabs(c.p50_rel_error));
      p99_errors.push_back(std::fabs(c.p99_rel_error));
    }
    v.tasks.push_back(c);
  }
  v.response_p50_rel_error = median_of(p50_errors);
  v.response_p99_rel_error = median_of(p99_errors);
  for (double e : p50_errors) v.response_p50_rel_error_max = std::max(v.response_p50_rel_error_max, e);
  for (double e : p99_errors) v.response_p99_rel_error_max = std::max(v.response_p99_rel_error_max, e);

  // Decisions and GPU times of the stages both runs started.
  std::map<std::tuple<int, std::int64_t, int>, std::size_t> sim_stage;
  for (std::size_t i = 0; i < sim.stage_runs.size(); ++i) {
    const StageRun& s = sim.stage_runs[i];
    sim_stage[{s.task, s.job, s.stage}] = i;
  }
  v.stages_live = static_cast<std::int64_t>(live.stage_runs.size());
  v.stages_sim = static_cast<std::int64_t>(sim.stage_runs.size());
  for (const StageRun& s : live.stage_runs) v.stages_queued_live += s.was_queued();
  for (const StageRun& s : sim.stage_runs) v.stages_queued_sim += s.was_queued();
  // Each partition's moldable-block width, read from its name once (0: not a block).
  const auto block_widths = [](const RunLog& log) {
    std::vector<int> widths;
    for (const std::string& name : log.partitions) widths.push_back(sim::moldable_block_width(name));
    return widths;
  };
  const std::vector<int> live_blocks = block_widths(live), sim_blocks = block_widths(sim);
  std::vector<double> stage_errors;
  for (const StageRun& l : live.stage_runs) {
    const auto it = sim_stage.find({l.task, l.job, l.stage});
    if (it == sim_stage.end()) continue;
    const StageRun& s = sim.stage_runs[it->second];
    ++v.stages_both;
    if (live.partitions[static_cast<std::size_t>(l.partition)] == sim.partitions[static_cast<std::size_t>(s.partition)])
      ++v.stages_same_partition;
    const int live_sms = live.partition_sms[static_cast<std::size_t>(l.partition)];
    const int sim_sms = sim.partition_sms[static_cast<std::size_t>(s.partition)];
    if (live_sms == sim_sms) ++v.stages_same_width;
    const int live_block = live_blocks[static_cast<std::size_t>(l.partition)];
    const int sim_block = sim_blocks[static_cast<std::size_t>(s.partition)];
    if (live_block > 0 && sim_block > 0 ? live_block == sim_block : live_sms == sim_sms) ++v.stages_same_block;
    if (l.finish_ns >= 0 && s.finish_ns >= 0 && l.busy_end() > l.busy_start())
      stage_errors.push_back(rel_error(static_cast<double>(s.busy_end() - s.busy_start()),
                                       static_cast<double>(l.busy_end() - l.busy_start())));
  }
  const std::int64_t either = v.stages_live + v.stages_sim - v.stages_both;
  v.decision_agreement = either > 0 ? static_cast<double>(v.stages_same_partition) / static_cast<double>(either) : 1.0;
  v.decision_agreement_matched =
      v.stages_both > 0 ? static_cast<double>(v.stages_same_partition) / static_cast<double>(v.stages_both) : 1.0;
  v.decision_agreement_width = either > 0 ? static_cast<double>(v.stages_same_width) / static_cast<double>(either) : 1.0;
  v.decision_agreement_block = either > 0 ? static_cast<double>(v.stages_same_block) / static_cast<double>(either) : 1.0;
  v.stage_time = spread_of(stage_errors);

  // The profile against the stages that ran alone on their partition, live.
  const std::vector<bool> alone = alone_on_partition(live);
  std::vector<double> iso_errors, occ_errors;
  std::map<std::tuple<std::string, int>, std::vector<Ns>> groups;  // (model stage key, sms) -> live times
  std::map<std::tuple<std::string, int>, std::pair<Ns, Ns>> group_profile;
  for (std::size_t i = 0; i < live.stage_runs.size(); ++i) {
    if (!alone[i]) continue;
    const StageRun& l = live.stage_runs[i];
    const int sms = live.partition_sms[static_cast<std::size_t>(l.partition)];
    const Ns measured = l.busy_end() - l.busy_start();
    const Ns isolated = profile_time(l.task, l.stage, sms, false);
    const Ns occupied = profile_time(l.task, l.stage, sms, true);
    if (isolated <= 0 || measured <= 0) continue;
    iso_errors.push_back(rel_error(static_cast<double>(isolated), static_cast<double>(measured)));
    occ_errors.push_back(rel_error(static_cast<double>(occupied), static_cast<double>(measured)));
    const std::string key = task_models[static_cast<std::size_t>(l.task)] + "/" +
                            live.stages[static_cast<std::size_t>(l.task)][static_cast<std::size_t>(l.stage)];
    groups[{key, sms}].push_back(measured);
    group_profile[{key, sms}] = {isolated, occupied};
  }
  v.profile_isolated = spread_of(iso_errors);
  v.profile_occupied = spread_of(occ_errors);
  for (auto& [key, times] : groups) {
    StageGroup g;
    g.stage = std::get<0>(key);
    g.sms = std::get<1>(key);
    g.alone_runs = static_cast<std::int64_t>(times.size());
    g.live_alone_median = quantile_nearest_rank(times, 0.5);
    g.isolated = group_profile[key].first;
    g.occupied = group_profile[key].second;
    v.stage_groups.push_back(g);
  }

  // Releases: the replay should reproduce the live instants wherever the runs agree.
  std::vector<Ns> diffs;
  for (const JobRun& l : live.jobs) {
    if (l.released_at_ns < 0) continue;
    const std::int64_t j = sim.find_job(l.task, l.job);
    if (j < 0 || sim.jobs[static_cast<std::size_t>(j)].released_at_ns < 0) continue;
    const Ns d = std::llabs(sim.jobs[static_cast<std::size_t>(j)].released_at_ns - l.released_at_ns);
    ++v.releases_compared;
    if (d == 0) ++v.releases_equal;
    diffs.push_back(d);
  }
  v.release_diff_p99_ns = quantile_nearest_rank(diffs, 0.99);
  return v;
}

Json Validation::to_json() const {
  Json per_task = Json::array();
  for (const TaskComparison& c : tasks)
    per_task.push_back({{"task", c.task},
                        {"completed_live", c.completed_live},
                        {"completed_sim", c.completed_sim},
                        {"response_p50_ns", {{"live", c.p50_live}, {"sim", c.p50_sim}}},
                        {"response_p99_ns", {{"live", c.p99_live}, {"sim", c.p99_sim}}},
                        {"p50_rel_error", c.p50_rel_error},
                        {"p99_rel_error", c.p99_rel_error}});
  Json per_group = Json::array();
  for (const StageGroup& g : stage_groups)
    per_group.push_back({{"stage", g.stage},
                         {"sms", g.sms},
                         {"alone_runs", g.alone_runs},
                         {"live_median_ns", g.live_alone_median},
                         {"isolated_ns", g.isolated},
                         {"occupied_ns", g.occupied}});
  return Json{{"schema", schema_tag("sgprs.validation", 1)},
              {"response_p50_rel_error", response_p50_rel_error},
              {"response_p99_rel_error", response_p99_rel_error},
              {"response_p50_rel_error_max", response_p50_rel_error_max},
              {"response_p99_rel_error_max", response_p99_rel_error_max},
              {"miss_ratio_live", live.miss_ratio},
              {"miss_ratio_sim", sim.miss_ratio},
              {"throughput_live", live.throughput_jobs_per_s},
              {"throughput_sim", sim.throughput_jobs_per_s},
              {"throughput_rel_error", throughput_rel_error},
              {"decision_agreement", decision_agreement},
              {"decision_agreement_matched", decision_agreement_matched},
              {"decision_agreement_width", decision_agreement_width},
              {"decision_agreement_block", decision_agreement_block},
              {"stages", {{"live", stages_live}, {"sim", stages_sim}, {"both", stages_both},
                          {"same_partition", stages_same_partition}, {"same_width", stages_same_width},
                          {"same_block", stages_same_block},
                          {"queued_live", stages_queued_live}, {"queued_sim", stages_queued_sim}}},
              {"stage_time_rel_error", stage_time.to_json()},
              {"profile_time_rel_error", {{"isolated", profile_isolated.to_json()},
                                          {"occupied", profile_occupied.to_json()}}},
              {"releases", {{"compared", releases_compared}, {"equal", releases_equal},
                            {"diff_p99_ns", release_diff_p99_ns}}},
              {"tasks", per_task},
              {"stage_groups", per_group}};
}

std::string validation_report(const Validation& v, const std::string& title) {
  std::string out = fmt::format("# Validation: {}\n\n", title);
  out += "| figure | live | simulated | error |\n|---|---|---|---|\n";
  out += fmt::format("| throughput (jobs/s) | {:.1f} | {:.1f} | {:+.1f}% |\n", v.live.throughput_jobs_per_s,
                     v.sim.throughput_jobs_per_s, 100 * v.throughput_rel_error);
  out += fmt::format("| miss ratio | {:.4f} | {:.4f} | {:+.2f} points |\n", v.live.miss_ratio, v.sim.miss_ratio,
                     100 * (v.sim.miss_ratio - v.live.miss_ratio));
  out += fmt::format("| response p50, median over tasks of the error | | | {:.1f}% (max {:.1f}%) |\n",
                     100 * v.response_p50_rel_error, 100 * v.response_p50_rel_error_max);
  out += fmt::format("| response p99, median over tasks of the error | | | {:.1f}% (max {:.1f}%) |\n",
                     100 * v.response_p99_rel_error, 100 * v.response_p99_rel_error_max);
  out += fmt::format("| decision agreement (of stages in either run / in both; by SM count; by block width in pieces) | | | "
                     "{:.1f}% / {:.1f}%; {:.1f}%; {:.1f}% |\n",
                     100 * v.decision_agreement, 100 * v.decision_agreement_matched, 100 * v.decision_agreement_width,
                     100 * v.decision_agreement_block);
  out += fmt::format("| stage GPU time, simulated vs measured: median, p90 of abs error, bias | | | {:.1f}%, {:.1f}%, "
                     "{:+.1f}% ({} stages) |\n",
                     100 * v.stage_time.median_abs, 100 * v.stage_time.p90_abs, 100 * v.stage_time.median_signed,
                     v.stage_time.count);
  if (v.stages_queued_live + v.stages_queued_sim > 0)
    out += fmt::format("| stages that waited on their stream before their start (queued jobs, chained stages) | {} | {} | |\n",
                       v.stages_queued_live, v.stages_queued_sim);
  out += fmt::format("| profile vs a stage alone on its partition: isolated / occupied (median abs, bias) | | | "
                     "{:.1f}% {:+.1f}% / {:.1f}% {:+.1f}% ({} stages) |\n",
                     100 * v.profile_isolated.median_abs, 100 * v.profile_isolated.median_signed,
                     100 * v.profile_occupied.median_abs, 100 * v.profile_occupied.median_signed,
                     v.profile_isolated.count);
  out += fmt::format("| releases at the same instant | | | {} of {} (p99 difference {:.1f} us) |\n\n",
                     v.releases_equal, v.releases_compared, static_cast<double>(v.release_diff_p99_ns) / 1e3);
  out += "| task | jobs live | jobs sim | p50 live ms | p50 sim ms | p50 err | p99 live ms | p99 sim ms | p99 err |\n";
  out += "|---|---|---|---|---|---|---|---|---|\n";
  for (const TaskComparison& c : v.tasks)
    out += fmt::format("| {} | {} | {} | {:.3f} | {:.3f} | {:+.1f}% | {:.3f} | {:.3f} | {:+.1f}% |\n", c.task,
                       c.completed_live, c.completed_sim, static_cast<double>(c.p50_live) / 1e6,
                       static_cast<double>(c.p50_sim) / 1e6, 100 * c.p50_rel_error, static_cast<double>(c.p99_live) / 1e6,
                       static_cast<double>(c.p99_sim) / 1e6, 100 * c.p99_rel_error);
  if (!v.stage_groups.empty()) {
    out += "\n| stage (alone on its partition, live) | SMs | runs | live median us | isolated us | occupied us |\n";
    out += "|---|---|---|---|---|---|\n";
    for (const StageGroup& g : v.stage_groups)
      out += fmt::format("| {} | {} | {} | {:.1f} | {:.1f} | {:.1f} |\n", g.stage, g.sms, g.alone_runs,
                         static_cast<double>(g.live_alone_median) / 1e3, static_cast<double>(g.isolated) / 1e3,
                         static_cast<double>(g.occupied) / 1e3);
  }
  return out;
}

}  // namespace sgprs::validation
