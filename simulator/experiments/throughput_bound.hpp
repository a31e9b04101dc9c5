#pragma once
// The throughput bound: the most completed jobs per second that ANY scheduler
// could sustain for a task set on the profiled GPU, whatever its partitions.
//
// A stage run on s SMs for t(s) seconds occupies s x t(s) SM-seconds. Its
// cheapest run is at the most SM-efficient measured size:
//     w_stage = min over measured s of  s x t_stage(s)                 [SM s]
// (between measured sizes the curve is a staircase, so s x t(s) only grows
// until the next measured size; below the first point time grows as 1/s, so
// the product is the first point's). One job of model m costs at least
//     W_m = sum over its stages of w_stage                              [SM s]
// and the GPU supplies sm_count SM-seconds per second. If task i releases
// r_i = 1/T_i jobs per second, the offered work is L = sum_i r_i W_{m_i} SMs
// on average, so the rates can be scaled by at most
//     alpha* = sm_count / L
// and the most jobs per second the mix can complete is alpha* x sum_i r_i.
// For N copies of one model: sm_count / W_m jobs/s, i.e. N <= sm_count / (W_m r).
// At a given load no scheduler completes more than it is offered either, so
// the bound drawn on plots is min(offered, alpha* x offered).
//
// The bound assumes perfect packing (no idle SM, no deadline) and uses the
// isolated (uncontended) times by default: contention only makes runs dearer,
// so this is an upper limit, not a prediction.
#include "common/profile.hpp"
#include "common/taskset.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {
struct Workload;
}

namespace sgprs::exp {

struct EfficientPoint {
  int sms = 0;             // the measured partition size with the least SM-seconds per run
  Ns time_ns = 0;          // the stage's time there
  double sm_seconds = 0;   // sms x time
};

/// The cheapest run of one curve (see the header comment). Curve must not be empty.
EfficientPoint most_efficient_point(const SpeedupCurve& curve);

/// W_m: least SM-seconds one job of `model` costs. `times` picks the
/// loaded times where the profile has them.
double min_sm_seconds_per_job(const ModelProfile& model, ProfileTimes times = ProfileTimes::kIsolated);

struct ThroughputBound {
  double offered_jobs_per_s = 0;   // sum_i 1/T_i
  double offered_sms = 0;          // L: SMs the offered load keeps busy at best
  double max_scale = 0;            // alpha* = sm_count / L
  double max_jobs_per_s = 0;       // alpha* x offered: the most the mix can complete
  double sustainable_jobs_per_s = 0;  // min(offered, max_jobs_per_s): the bound at this load
  Json to_json() const;
};

/// Bound for expanded tasks; every task's model must be in the profile
/// (InputError naming the profile otherwise). Empty task list: all zeros.
ThroughputBound throughput_bound(const Profile& profile, const std::vector<Task>& tasks, ProfileTimes times = ProfileTimes::kIsolated);

/// The most completed jobs per second the workload's task mix could sustain
/// with its rates scaled up (alpha* x offered; ThroughputBound::max_jobs_per_s).
/// For `sgprs simulate`: min(this, offered) is the bound at the offered load.
double throughput_bound_jobs_per_s(const Profile& profile, const sim::Workload& workload, ProfileTimes times = ProfileTimes::kIsolated);

/// Largest N such that N copies of `model` released every `period_ns` stay within the bound.
int max_identical_tasks(const Profile& profile, const std::string& model, Ns period_ns, ProfileTimes times = ProfileTimes::kIsolated);

}  // namespace sgprs::exp
