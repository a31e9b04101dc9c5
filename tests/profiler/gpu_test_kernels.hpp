#pragma once
// Small known-answer kernels for the profiler's GPU tests.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <set>

namespace sgprs::profiler::testing {

/// Launches enough busy blocks on `stream` that every SM the stream may use
/// runs at least one, each marking flags[%smid] = 1. `flags` holds 1024 ints.
void launch_mark_sms(cudaStream_t stream, int* flags, int blocks);
/// The SM ids marked in `flags` (synchronous copy).
std::set<int> marked_sms(const int* flags);
/// One block that spins for `ns` nanoseconds of GPU time (%globaltimer).
void launch_spin(cudaStream_t stream, std::int64_t ns);

/// Every block sums a grid-strided share of `data` (`count` floats) into out[blockIdx.x]: a kernel
/// whose time is the memory traffic of reading `data` (from L2 when it is resident there).
void launch_read_all(cudaStream_t stream, const float* data, std::size_t count, float* out, int blocks);

inline constexpr int kSmidSlots = 1024;

}  // namespace sgprs::profiler::testing
