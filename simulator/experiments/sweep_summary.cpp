#include "simulator/experiments/sweep_summary.hpp"

#include <map>

namespace sgprs::exp {

std::vector<SummaryRow> summarise(const std::vector<RunRow>& rows) {
  std::vector<std::vector<const RunRow*>> groups;
  std::map<std::string, std::size_t> group_of;
  for (const RunRow& row : rows) {
    const std::string key = run_identity(row.layout, row.scheduler, row.load, 0);
    auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(&row);
  }
  std::vector<SummaryRow> out;
  for (const auto& group : groups) {
    SummaryRow s;
    s.experiment = group.front()->experiment;
    s.layout = group.front()->layout;
    s.scheduler = group.front()->scheduler;
    s.load = group.front()->load;
    s.runs = group.size();
    std::vector<double> throughput, on_time, miss;
    std::size_t miss_free = 0;
    for (const RunRow* r : group) {
      s.utilisation += r->utilisation;
      s.offered_jobs_per_s += r->offered_jobs_per_s;
      s.bound_jobs_per_s += r->bound_jobs_per_s;
      throughput.push_back(r->metrics.throughput_jobs_per_s);
      on_time.push_back(r->metrics.on_time_jobs_per_s);
      miss.push_back(r->metrics.miss_ratio);
      if (r->metrics.miss_ratio == 0 && r->metrics.jobs_skipped == 0) ++miss_free;
    }
    const auto n = static_cast<double>(group.size());
    s.utilisation /= n;
    s.offered_jobs_per_s /= n;
    s.bound_jobs_per_s /= n;
    s.throughput = mean_ci95(throughput);
    s.on_time = mean_ci95(on_time);
    s.miss_ratio = mean_ci95(miss);
    s.schedulability_ratio = static_cast<double>(miss_free) / n;
    s.share_of_bound = s.bound_jobs_per_s > 0 ? s.throughput.mean / s.bound_jobs_per_s : 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::string summary_csv(const std::vector<SummaryRow>& rows) {
  std::string text =
      "experiment,layout,scheduler,load,runs,utilisation,offered_jobs_per_s,bound_jobs_per_s,throughput_mean,"
      "throughput_ci95,on_time_mean,on_time_ci95,miss_ratio_mean,miss_ratio_ci95,schedulability_ratio,share_of_bound\n";
  for (const SummaryRow& s : rows) {
    text += csv_field(s.experiment) + "," + csv_field(s.layout) + "," + csv_field(s.scheduler) + "," + csv_field(s.load) +
            "," + std::to_string(s.runs) + "," + number_text(s.utilisation) + "," + number_text(s.offered_jobs_per_s) + "," +
            number_text(s.bound_jobs_per_s) + "," + number_text(s.throughput.mean) + "," + number_text(s.throughput.half_width) + "," +
            number_text(s.on_time.mean) + "," + number_text(s.on_time.half_width) + "," +
            number_text(s.miss_ratio.mean) + "," + number_text(s.miss_ratio.half_width) + "," + number_text(s.schedulability_ratio) +
            "," + number_text(s.share_of_bound) + "\n";
  }
  return text;
}

}  // namespace sgprs::exp
