#include "simulator/experiments/tune.hpp"

#include "common/layout.hpp"
#include "common/limits.hpp"
#include "common/rng.hpp"
#include "simulator/experiments/simulation.hpp"
#include "simulator/experiments/taskset_generator.hpp"
#include "simulator/experiments/throughput_bound.hpp"
#include "simulator/policy/registry.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace sgprs::exp {

TuneSpace default_tune_space() {
  TuneSpace space;
  space.layouts = {"full", "equal:2:1.0x", "equal:3:1.0x", "equal:4:1.0x", "stepwise:2:1.0x", "stepwise:3:1.0x"};
  for (const char* slot : {"profile", "16", "32"})
    for (const char* order : {"job-edf", "edf"})
      for (const char* reserve : {"0", "2"})
        space.option_sets.push_back({{"slot_sms", slot}, {"waiting_order", order}, {"reserve_slots", reserve}});
  // Moldable blocks (no slots to reserve), with hopeless jobs judged on the fastest partition or on
  // the widest block free now, stages chained within the least slack or not, a block's width sized by
  // the profile or at each model's measured pace (docs/policy.md).
  for (const char* order : {"job-edf", "edf"})
    for (const char* hopeless : {"on", "slot"})
      for (const char* chain : {"off", "slack"})
        for (const char* need : {"profile", "paced-model"})
          space.option_sets.push_back({{"slot_sms", "moldable"},
                                       {"waiting_order", order},
                                       {"drop_hopeless", hopeless},
                                       {"chain", chain},
                                       {"block_need", need}});
  return space;
}

namespace {

struct Candidate {
  Layout layout;
  sim::RunOptions run;
};

class Search {
 public:
  Search(const Profile& profile, const TaskSet& base, const std::string& models_dir, const TuneSettings& settings)
      : profile_(profile), base_(base), models_dir_(models_dir), settings_(settings) {}

  /// Every repetition of the set at `scale` meets every deadline.
  bool miss_free(const Candidate& c, double scale, std::size_t& simulations) const {
    const TaskSet set = scaled_task_set(base_, scale);
    if (set.specs.empty()) return true;
    for (int rep = 0; rep < settings_.repetitions; ++rep) {
      const std::uint64_t seed = Rng::derive_seed(settings_.seed, static_cast<std::uint64_t>(rep));
      const sim::Workload work = sim::make_workload(set, profile_, models_dir_, seed);
      sim::RunOptions run = c.run;
      run.seed = seed;
      const sim::Summary s = sim::simulate(profile_, work, c.layout, run);
      ++simulations;
      if (s.jobs_on_time != s.jobs_released) return false;
    }
    return true;
  }

  double edge(const Candidate& c, double bound, std::size_t& simulations, const std::function<void()>& on_step) const {
    double lo = 0, hi = bound;
    for (int step = 0; step < settings_.steps; ++step) {
      // The first step tries the bound itself: a set miss-free there needs no search.
      const double scale = step == 0 ? hi : (lo + hi) / 2;
      const bool ok = miss_free(c, scale, simulations);
      if (on_step) on_step();
      if (step == 0 && ok) {
        for (int rest = 1; rest < settings_.steps; ++rest)
          if (on_step) on_step();
        return hi;
      }
      (ok ? lo : hi) = scale;
    }
    return lo;
  }

 private:
  const Profile& profile_;
  const TaskSet& base_;
  const std::string& models_dir_;
  const TuneSettings& settings_;
};

}  // namespace

TuneReport tune(const Profile& profile, const TaskSet& base, const std::string& models_dir, const TuneSpace& space,
                const TuneSettings& settings, const std::function<void()>& on_step) {
  TuneReport report;
  const sim::Workload unit = sim::make_workload(base, profile, models_dir, settings.seed);
  report.bound_scale = throughput_bound(profile, unit.tasks).max_scale;
  // Never search past a scale whose set would exceed the task limit of one run.
  const double most_scale = static_cast<double>(limits::kMaxTasks) / static_cast<double>(unit.tasks.size());
  const double search_to = std::min(report.bound_scale, most_scale);

  std::vector<Candidate> candidates;
  for (const std::string& spec : space.layouts) {
    const Layout layout = parse_layout(spec, profile.gpu(), 0, "--layouts");
    for (const OptionSet& options : space.option_sets) {
      Candidate c{layout, {}};
      c.run.scheduler = settings.scheduler;
      c.run.scheduler_options = sim::scheduler_default_options(settings.scheduler);
      for (const auto& [name, value] : options) sim::set_scheduler_option(c.run.scheduler_options, name, value, "--option");
      c.run.duration_ns = settings.duration_ns;
      c.run.predicted_times = settings.predicted_times;
      c.run.gpu_times = settings.gpu_times;
      c.run.sharing = settings.gpu_rules.sharing;
      c.run.sharing_contention = settings.gpu_rules.sharing_contention;
      c.run.sharing_spread = settings.gpu_rules.sharing_spread;
      c.run.sharing_share_weights = settings.gpu_rules.sharing_share_weights;
      c.run.running_limit = settings.gpu_rules.running_limit;
      c.run.hardware_queues = settings.gpu_rules.hardware_queues;
      c.run.sharing_calibration = settings.gpu_rules.sharing_calibration;
      c.run.interference = settings.gpu_rules.interference;
      c.run.stage_overhead_ns = settings.gpu_rules.stage_overhead_ns;
      c.run.priority_rule = settings.gpu_rules.priority_rule;
      c.run.gpu_times_profile = settings.gpu_rules.gpu_times_profile;
      sim::check_run(profile, unit, c.layout, c.run);
      candidates.push_back(std::move(c));
      report.results.push_back(TuneResult{spec, options, 0});
    }
  }

  const Search search(profile, base, models_dir, settings);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> simulations{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < candidates.size(); i = next++) {
      try {
        std::size_t runs = 0;
        report.results[i].miss_free_scale = search.edge(candidates[i], search_to, runs, on_step);
        simulations += runs;
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = candidates.size();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < std::max(settings.threads, 1); ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  if (failure) std::rethrow_exception(failure);

  report.simulations = simulations;
  for (std::size_t i = 1; i < report.results.size(); ++i)
    if (report.results[i].miss_free_scale > report.results[report.best].miss_free_scale) report.best = i;
  return report;
}

}  // namespace sgprs::exp
