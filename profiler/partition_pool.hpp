#pragma once
// A pool of GPU partitions on CUDA green contexts, built from ONE split of the
// whole GPU (independent splits overlap unpredictably).
// The split cuts the device's SMs into `pieces` pieces of `piece_sms` SMs plus a
// remainder (H100: 15 x 8 + 12 = 132). A partition is any set of pieces, with or
// without the remainder, so partitions of any multiple of 8 SMs, nested or
// overlapping, and the whole GPU all come from the same split. Each partition
// owns its green context and one or more non-blocking streams (the live mode runs
// several stages at once in one partition, one per stream); its real SM count is
// read back from the driver, not assumed.
//
//   init_cuda_for_partitions(32);                 // before anything touches CUDA
//   PartitionPool pool(0);                        // device 0, pieces of >= 8 SMs
//   const Partition& p = pool.add_first_pieces(4);          // pieces 0..3: 32 SMs
//   const Partition& rest = pool.add({4, 5, ..., 14}, true); // the other 100 SMs
//   kernel<<<grid, block, 0, p.stream()>>>(...);
//
// Thread-safety: build the pool from one thread, then seal() it; after that,
// partitions are read-only and may be used from several threads (one stream each).
#include "profiler/cuda_owners.hpp"

#include <cuda.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace sgprs::profiler {

/// Sets CUDA_DEVICE_MAX_CONNECTIONS to 32, the driver's most, unless the user set
/// it (a warning when it is below `streams`), then initialises the driver. Must
/// run before any other CUDA call in the process: the variable is read once, at
/// initialisation, and with as few hardware queues as busy streams the streams'
/// graphs wait milliseconds to start.
/// Throws NoGpuError when there is no usable GPU.
void init_cuda_for_partitions(int streams);

/// True when the runtime sees at least one GPU (for tests that must skip).
bool gpu_present();

/// How the one split cut the device.
struct GpuSplit {
  int device = 0;
  int sm_count = 0;       // SMs of the whole device
  int piece_sms = 0;      // SMs per piece (8 on Hopper with default flags)
  int pieces = 0;         // number of equal pieces
  int remainder_sms = 0;  // SMs left over, usable only together with pieces
};

class Partition {
 public:
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;
  ~Partition();

  int id() const { return id_; }
  const std::vector<int>& pieces() const { return pieces_; }
  bool has_remainder() const { return with_remainder_; }
  /// SMs the pieces add up to.
  int requested_sms() const { return requested_sms_; }
  /// SMs the driver reports for the green context (cuGreenCtxGetDevResource).
  int sm_count() const { return actual_sms_; }
  /// The partition's first stream.
  cudaStream_t stream() const { return stream(0); }
  /// Stream `index` of stream_count(), all in this partition's green context.
  cudaStream_t stream(std::size_t index) const { return reinterpret_cast<cudaStream_t>(streams_.at(index).get()); }
  std::size_t stream_count() const { return streams_.size(); }
  CUcontext context() const { return context_; }
  /// Makes this partition's context current on the calling thread (needed by
  /// libraries that query the current context, such as CUPTI and cuDNN).
  void make_current() const;

 private:
  friend class PartitionPool;
  Partition() = default;
  int id_ = 0;
  std::vector<int> pieces_;
  bool with_remainder_ = false;
  int requested_sms_ = 0;
  int actual_sms_ = 0;
  GreenContext green_;
  CUcontext context_ = nullptr;
  std::vector<DriverStream> streams_;  // after green_: destroyed before the context
};

class PartitionPool {
 public:
  /// Splits device `device` into pieces of at least `min_piece_sms` SMs. With
  /// `ignore_coscheduling` the driver may cut finer (2-SM pieces on Hopper) at
  /// the cost of large thread clusters (CU_DEV_SM_RESOURCE_SPLIT_IGNORE_SM_COSCHEDULING).
  explicit PartitionPool(int device = 0, unsigned min_piece_sms = 8, bool ignore_coscheduling = false);
  PartitionPool(const PartitionPool&) = delete;
  PartitionPool& operator=(const PartitionPool&) = delete;
  ~PartitionPool();

  const GpuSplit& split() const { return split_; }
  /// A partition of the given pieces (indices into the split), plus the remainder if asked,
  /// with `streams` streams. Throws InputError for an empty, out-of-range or repeated piece
  /// list, fewer than one stream, or after seal().
  /// `stream_priority`: CUDA's stream priority of every stream made for it (lower is more
  /// urgent; 0 is the default, cudaDeviceGetStreamPriorityRange gives the range).
  const Partition& add(std::vector<int> pieces, bool with_remainder, int streams = 1, int stream_priority = 0);
  /// Pieces 0..count-1; count == pieces() with the remainder gives the whole GPU.
  const Partition& add_first_pieces(int count, bool with_remainder = false);
  /// The partition for an SM count: count/piece_sms first pieces, or the whole
  /// GPU for sm_count(). InputError for a count the split cannot build.
  const Partition& add_sms(int sm_count);
  /// The disjoint rest of the GPU next to add_sms(sm_count): the other pieces and
  /// the remainder. InputError when nothing is left (sm_count is the whole GPU).
  const Partition& add_complement_of(int sm_count);
  /// SM counts add_sms accepts, ascending: piece_sms, 2*piece_sms, ..., pieces*piece_sms, sm_count.
  std::vector<int> buildable_sm_counts() const;

  std::size_t size() const { return partitions_.size(); }
  const Partition& operator[](std::size_t i) const { return *partitions_[i]; }
  /// No more partitions after this (the live mode seals before the first release).
  void seal() { sealed_ = true; }
  /// The device's primary context, current after construction.
  CUcontext primary_context() const { return primary_; }
  void make_primary_current() const;

 private:
  GpuSplit split_;
  CUdevice device_ = 0;
  CUcontext primary_ = nullptr;
  std::vector<CUdevResource> piece_resources_;
  CUdevResource remainder_{};
  bool sealed_ = false;
  std::vector<std::unique_ptr<Partition>> partitions_;
};

}  // namespace sgprs::profiler
