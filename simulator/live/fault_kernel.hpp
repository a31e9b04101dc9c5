#pragma once
// A real GPU fault on demand, for testing the live mode's fault path on hardware
// (`sgprs live --gpu-fault-after N`): a kernel that executes a trap instruction. The launch itself
// succeeds; the fault surfaces later, as CUDA reports it to whichever call looks next (an event
// query or synchronise), and it poisons the context as a real kernel fault does.
#include <cuda_runtime_api.h>

namespace sgprs::live {

/// Enqueues the trapping kernel on `stream`; returns the launch's own status.
cudaError_t launch_faulting_kernel(cudaStream_t stream);

}  // namespace sgprs::live
