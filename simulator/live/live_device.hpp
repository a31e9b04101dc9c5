#pragma once
// The bridge from a live run's plan to the CUDA device: which precision a profile
// was measured in (the live run executes the same), and a factory that builds the
// CUDA executor for a plan. In a build without CUDA the factory throws NoGpuError.
#include "common/profile.hpp"
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
};

/// Builds the CUDA executor for a plan: the plan's pool from one green-context split, one
/// graph per (task, unit, partition) the scheduler may use. Refuses (InputError) a device
/// whose name or SM count differs from the profile's. NoGpuError without a GPU or a CUDA build.
ExecutorFactory cuda_executor_factory(const Profile& profile, const DeviceRequest& request);

}  // namespace sgprs::live
