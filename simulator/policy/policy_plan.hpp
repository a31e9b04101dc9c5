#pragma once
// What a scheduler knows of a run, computed once before the first release so the
// hot loop only indexes arrays: per model the units it dispatches (its stages, or
// the whole model as one unit for schedulers that run whole jobs) and their DAG,
// the predicted time of each unit on each partition, and per task the stage
// virtual deadlines and slices. It knows nothing of how a world runs a unit: the
// simulated GPU's own tables are sim/unit_times.hpp, the live GPU's graphs live/.
//
// Virtual deadlines (paper §2.4, generalised from chains to DAGs):
//   C_j  = predicted time of unit j on the reference partition (at its full SM count)
//   P_j  = C_j + max over predecessors k of P_k      (heaviest path ending at j)
//   L    = max_j P_j                                  (critical path; sum of C for a chain)
//   Q    = round(deadline_fraction x D)
//   S_j  = floor(P_j x Q / L)                         stage deadline offset: d_j = release + S_j
//   r_j  = S_j - max over predecessors k of S_k       stage slice (C_j / sum C x Q for a chain)
// Deferral earliest start (paper §4.3): e_j = d_j - round(defer_window x r_j).
#include "common/layout.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"
#include "simulator/policy/scheduler_options.hpp"
#include "simulator/policy/workload.hpp"

#include <string>
#include <vector>

namespace sgprs::sim {

struct Unit {
  std::string name;
  std::vector<int> predecessors;
  std::vector<int> successors;
  const SpeedupCurve* predicted_curve = nullptr;  // what the scheduler believes (profile or ModelPlan::whole_curve)
  int depth_to_sink = 1;                          // units on the longest path to a sink, itself included
};

struct ModelPlan {
  std::string name;
  std::vector<Unit> units;        // topological order
  std::vector<int> source_units;  // units without predecessors
  std::vector<SpeedupCurve> whole_curve;  // the predicted curve of a whole-model unit (owned), else empty
};

struct TaskPlan {
  int model = 0;
  Ns period_ns = 0, deadline_ns = 0, offset_ns = 0;
  Priority priority = Priority::kLow;
  std::vector<Ns> stage_deadline_offset_ns;  // S_j per unit
  std::vector<Ns> stage_slice_ns;            // r_j per unit
};

class PolicyPlan {
 public:
  /// `pool` is the partition pool the scheduler runs on; `whole_jobs` folds each
  /// model into one unit whose time is the sum of its stages' times; `predicted`
  /// says which of the profile's times the predictions read (paper §4.2: occupied).
  PolicyPlan(const Profile& profile, const Workload& workload, const Layout& pool, bool whole_jobs,
             const SchedulerOptions& options, ProfileTimes predicted);
  PolicyPlan(const PolicyPlan&) = delete;
  PolicyPlan& operator=(const PolicyPlan&) = delete;
  PolicyPlan(PolicyPlan&&) = default;

  const Layout& pool() const { return pool_; }
  int partition_count() const { return partition_count_; }
  const std::vector<ModelPlan>& models() const { return models_; }
  const std::vector<TaskPlan>& tasks() const { return tasks_; }
  const ModelPlan& model_of(int task) const { return models_[static_cast<std::size_t>(tasks_[static_cast<std::size_t>(task)].model)]; }
  /// Predicted time of `unit` of `model` alone on `partition` at its full SM count.
  Ns predicted_ns(int model, int unit, int partition) const {
    return predicted_[static_cast<std::size_t>((unit_base_[static_cast<std::size_t>(model)] + unit) * partition_count() + partition)];
  }
  /// predicted_ns(model, unit, p) for every partition p, at index p: one look-up of the row for a
  /// scheduler that scans the partitions.
  const Ns* predicted_row(int model, int unit) const {
    return predicted_.data() +
           static_cast<std::size_t>((unit_base_[static_cast<std::size_t>(model)] + unit) * partition_count());
  }
  int reference_partition() const { return reference_partition_; }

 private:
  Layout pool_;
  // pool_.partitions.size(), kept: the size is a subtraction and a division by the Partition's
  // size, and the schedulers ask for it several times per stage (predicted_ns and their scans).
  int partition_count_ = 0;
  std::vector<ModelPlan> models_;
  std::vector<TaskPlan> tasks_;
  std::vector<int> unit_base_;
  std::vector<Ns> predicted_;
  int reference_partition_ = 0;
};

}  // namespace sgprs::sim
