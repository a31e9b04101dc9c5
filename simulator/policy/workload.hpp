#pragma once
// A task set resolved against its models and a profile, once, before any run: the
// description every run of it (simulated or live, any scheduler, any layout) reads.
//
//   const Workload work = make_workload(TaskSet::load("ts.json"), profile, "traces/models", /*seed=*/1);
//
// Thread safety: read-only after make_workload; share it across threads.
#include "common/model.hpp"
#include "common/profile.hpp"
#include "common/taskset.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::sim {

struct Workload {
  std::vector<sgprs::Task> tasks;        // expanded (copies, random offsets drawn)
  std::vector<sgprs::Model> models;      // each distinct model once
  std::vector<std::size_t> task_model;   // tasks[i] runs models[task_model[i]]
  std::string taskset_name;
  std::string taskset_source;
  std::uint64_t seed = 0;                // the seed the offsets were drawn with
};

/// Loads each task's model from <models_dir>/<model>.json, checks that every
/// model and stage is in the profile (InputError naming the file and field
/// otherwise) and expands the task set with `seed`. Deadlines are not checked
/// here: call set.check_deadlines() first when D > T must be refused.
/// InputError naming `profile`'s field when `model_profile` (one of `profile`'s models) lacks a
/// stage of `model`; `needed_by` says who asked (the model's file).
void check_stages_profiled(const sgprs::Profile& profile, const sgprs::ModelProfile& model_profile,
                           const sgprs::Model& model, const std::string& needed_by);

Workload make_workload(const sgprs::TaskSet& set, const sgprs::Profile& profile, const std::string& models_dir,
                       std::uint64_t seed);

/// InputError naming `executed`'s file and field unless it measures the same GPU as `profile`
/// (device, SM count, precision) and every model and stage of `workload`: the check of a profile
/// whose times the simulated GPU runs (RunOptions::gpu_times_profile); `flag` names where it came
/// from in the message (--gpu-times-profile, an experiment's gpu_model.gpu_times_profile).
void check_gpu_times_profile(const sgprs::Profile& executed, const sgprs::Profile& profile, const Workload& workload,
                             const std::string& flag);

}  // namespace sgprs::sim
