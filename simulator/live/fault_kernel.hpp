#pragma once
// A real GPU fault or stall on demand, for testing the live mode's fault paths on hardware.
// `sgprs live --gpu-fault-after N`: a kernel that executes a trap instruction. The launch itself
// succeeds; the fault surfaces later, as CUDA reports it to whichever call looks next (an event
// query or synchronise), and it poisons the context as a real kernel fault does.
// `--gpu-stall-after N`: a kernel that spins, bounded, so that only the stall watchdog notices.
#include <cuda_runtime_api.h>

namespace sgprs::live {

/// Enqueues the trapping kernel on `stream`; returns the launch's own status.
cudaError_t launch_faulting_kernel(cudaStream_t stream);

/// Enqueues a one-thread kernel that spins for `spin_ns` of GPU time (the GPU's global timer) and
/// then ends, a stage that is stuck as far as the run can tell (`sgprs live --gpu-stall-after N`):
/// bounded, so that a test can never leave the GPU busy for good. Returns the launch's own status.
cudaError_t launch_stalling_kernel(cudaStream_t stream, long long spin_ns);

}  // namespace sgprs::live
