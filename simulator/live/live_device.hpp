#pragma once
// The bridge from a live run's plan to the CUDA device: which precision a profile
// was measured in (the live run executes the same), and a factory that builds the
// CUDA executor for a plan. In a build without CUDA the factory throws NoGpuError.
#include "common/json_io.hpp"
#include "common/profile.hpp"
#include "simulator/live/device_identity.hpp"
#include "simulator/live/launch_lanes.hpp"
#include "simulator/live/live_run.hpp"

#include <string>

namespace sgprs::live {

/// "fp32", "tf32" or "fp16": what the profile measured (Profile::precision()).
std::string profile_precision(const Profile& profile);

/// Where each unit's start and end events are recorded (ExecutorSetup::stamps_in_graphs). Auto:
/// inside the graphs where every unit is a whole model (`streams`, `naive`), on the streams where
/// units are stages. Measured on the H200 (docs/live.md, sixth session): event nodes inside whole-model
/// graphs took streams-32's misses at N = 210 from 15% to 10%; inside stage graphs they took sgprs-best's
/// on the mixed families at 0.8 of the bound from 1-7% to 22-40%.
enum class StampPlace { kAuto, kStream, kGraph };


struct DeviceRequest {
  std::string precision = "fp32";     // what the profile measured
  std::string completion = "polling"; // polling | callback | blocking | flags
  int device = 0;
  Ns setup_step_limit_ns = 0;         // --stall-timeout: the longest one set-up step may take
  std::int64_t fault_after_launches = 0;  // --gpu-fault-after: the Nth launch traps (0: none)
  std::int64_t stall_after_launches = 0;  // --gpu-stall-after: the Nth launch spins for 30 s (0: none)
  StampPlace stamps = StampPlace::kAuto;  // --stamps (ExecutorSetup::stamps_in_graphs)
  int launch_threads = kAutoLaunchThreads;  // --launch-threads (ExecutorSetup::launch_threads, auto_launch_threads)
  int polling_threads = kDefaultPollingThreads;  // --polling-threads (ExecutorSetup::polling_threads)
  std::string kernel_trace;  // --kernel-trace (ExecutorSetup::kernel_trace_path)
};

/// Reads GPU `device`'s identity in a child process: this process must initialise CUDA only at
/// set-up, after CUDA_DEVICE_MAX_CONNECTIONS is set (profiler/partition_pool.hpp). NoGpuError without a GPU or a CUDA build, and when this build
/// has no kernels that run on the GPU (one line naming the rebuild); GpuError when a driver call fails.
DeviceIdentity probe_device(int device);

/// Whether a profile measured on the GPU named `profiled` describes the GPU named `device`: one
/// name contains the other (the driver says "NVIDIA H200"; a hand-written profile may say "H200").
bool same_gpu_model(const std::string& profiled, const std::string& device);

/// Whether CMake's CUDA architecture list of this build ("90", "80-real;90", "90a"; entries
/// separated by ';' or ',') has code that
/// runs on compute capability major.minor: real code of the same major and no greater minor (an
/// "a" variant only on its own capability), or virtual (PTX) code of no greater capability, which
/// the driver compiles. "native", "all" and "all-major" are taken to fit.
bool architectures_run_on(const std::string& architectures, int major, int minor);

/// The shipped default profile made to stand in for a GPU it was not measured on, so that `sgprs
/// live` with no flags runs anywhere: the same curves (SM counts above the GPU's dropped, beyond
/// the last measured one flat), the device block replaced by the GPU's name and split, so that
/// layouts are sized from its SMs, and `device.stand_in` naming the GPU that was measured.
/// InputError naming `source` when no measured SM count fits the GPU.
Json stand_in_profile(const Json& measured, const DeviceIdentity& device, const std::string& source);

/// What a live run records of a stand-in profile (null for a measured one): the GPU the curves
/// were measured on ("measured_on", "measured_sm_count") and the GPU they stood in for ("gpu":
/// name, sm_count, piece_sms, pieces, remainder_sms), from which `sgprs validate` makes it again.
Json stand_in_record(const Profile& profile);

/// The GPU of a stand_in_record(); InputError naming the record's file and field when malformed.
DeviceIdentity stand_in_gpu(const JsonView& record);

/// Builds the CUDA executor for a plan: the plan's pool from one green-context split, one
/// graph per (task, unit, partition) the scheduler may use. Refuses (InputError) a device whose
/// split differs from the profile's; the GPU's name is the caller's to check, before it plans
/// (`sgprs live` does on probe_device's identity). NoGpuError without a GPU or a CUDA build.
ExecutorFactory cuda_executor_factory(const Profile& profile, const DeviceRequest& request);

}  // namespace sgprs::live
