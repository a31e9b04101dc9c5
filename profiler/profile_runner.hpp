#pragma once
// Runs a whole profile on the GPU and returns it as an "sgprs.profile/1"
// document (written by the caller, atomically). For each requested SM count it
// builds one partition from the pool's single split, and, for the occupied
// times, the disjoint rest of the GPU; then, per model stage, it captures the
// stage as one graph on the partition and measures it alone and next to a
// background load (the same model's whole inference replayed on the rest of
// the GPU); per standalone op it measures the sum of the op's kernel times.
//
//   ProfileRequest request;  request.models = {"resnet18"};  request.precision = Precision::kTf32;
//   Json profile = run_profile(request);
#include "common/json_io.hpp"
#include "profiler/measure.hpp"
#include "profiler/ops/model_instance.hpp"
#include "profiler/pivot.hpp"

#include <string>
#include <vector>

namespace sgprs::profiler {

struct ProfileRequest {
  std::vector<std::string> models;  // names (looked up in model_dir) or paths to .json files
  std::string model_dir = "traces/models";
  std::vector<std::string> ops;     // op case names (see op_case_names())
  Precision precision = Precision::kFp32;
  int batch = 1;
  std::vector<int> sm_counts;       // empty: every count the split can build
  bool occupied = true;             // also measure stages next to a background load
  /// Off: a stage's replays run back to back, so its weights stay in L2 (warm). On: L2 is evicted
  /// before every timed replay of a stage (cold), as a live stage finds it after other models ran.
  bool flush_l2 = false;
  int piece_sms = 8;                // smallest partition step; 2 uses the finer split (see PartitionPool)
  MeasureSettings settings;
  double pivot_gain = kDefaultPivotGain;
  std::string command;              // the exact command line, for provenance
  bool progress = true;
  /// Off (default): the first GPU failure aborts the profile (exit 2, no file).
  /// On: a model or op whose measurement fails is left out, and the failure is
  /// recorded under "summary.failures" and printed as a warning.
  bool keep_going = false;
  /// When set, filled with each stage's and op's kernels (name, ns) at the
  /// smallest and largest SM count: which kernel dominates, and whether it scales.
  Json* kernel_report = nullptr;
};

/// Model file for a --models entry: a path ending in .json, else model_dir/<name>.json.
std::string resolve_model_path(const std::string& entry, const std::string& model_dir);

/// Throws InputError (unknown model/op, impossible SM count, a precision the GPU lacks),
/// NoGpuError, GpuError.
Json run_profile(const ProfileRequest& request);

/// Why this GPU (compute capability major.minor) cannot run `precision`, or "" when it can:
/// tf32 needs 8.0 (Ampere), fp16 tensor cores 7.0 (Volta).
std::string precision_support_problem(Precision precision, int cc_major, int cc_minor);

/// "<gpu>-<precision>.json", <gpu> being the GPU's model in lower case ("NVIDIA H200" -> "h200",
/// "NVIDIA H100 80GB HBM3" -> "h100"; a name without such a model: its words joined by '-').
std::string default_profile_file(const std::string& device_name, Precision precision);

}  // namespace sgprs::profiler
