#include "profiler/partition_pool.hpp"

#include "common/errors.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/driver_api.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace sgprs::profiler {

namespace {
constexpr int kMaxHardwareQueues = 32;  // the driver's upper limit for CUDA_DEVICE_MAX_CONNECTIONS
}

void init_cuda_for_partitions(int streams) {
  // Always the most the driver allows, not the stream count (until 2026-12-06 max(streams, 8)): with
  // 6 to 16 busy streams on as many queues, live graphs waited milliseconds between their launch
  // call and their start, on 32 they started within 30 us; at 32 streams they wait either way
  // (traces/live/h100-tf32-2026-12-06-aligned-trace/README.md). The first set-up of a process
  // decides for all of it, a test suite's later set-ups included.
  if (const char* set = std::getenv("CUDA_DEVICE_MAX_CONNECTIONS"); set != nullptr) {
    if (const int needed = std::clamp(streams, 1, kMaxHardwareQueues); std::atoi(set) < needed)
      std::fprintf(stderr,
                   "sgprs: warning: CUDA_DEVICE_MAX_CONNECTIONS=%s is below %d streams; busy partitions may "
                   "share hardware queues and slow each other\n",
                   set, needed);
  } else {
    setenv("CUDA_DEVICE_MAX_CONNECTIONS", std::to_string(kMaxHardwareQueues).c_str(), 0);
  }
  int runtime_count = 0;
  const cudaError_t found = cudaGetDeviceCount(&runtime_count);
  if (found != cudaSuccess)
    throw NoGpuError(std::string("no usable NVIDIA GPU: ") + cudaGetErrorName(found) + ": " + cudaGetErrorString(found));
  if (runtime_count == 0) throw NoGpuError("no NVIDIA GPU found (cudaGetDeviceCount returned 0)");
  SGPRS_CUDA_CALL(driver().cuInit(0));
  int count = 0;
  SGPRS_CUDA_CALL(driver().cuDeviceGetCount(&count));
  if (count == 0) throw NoGpuError("no NVIDIA GPU found (cuDeviceGetCount returned 0)");
}

bool gpu_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

Partition::~Partition() = default;

void Partition::make_current() const { SGPRS_CUDA_CALL(driver().cuCtxSetCurrent(context_)); }

PartitionPool::PartitionPool(int device, unsigned min_piece_sms, bool ignore_coscheduling) {
  const unsigned flags = ignore_coscheduling ? CU_DEV_SM_RESOURCE_SPLIT_IGNORE_SM_COSCHEDULING : 0;
  SGPRS_CUDA_CALL(driver().cuDeviceGet(&device_, device));
  SGPRS_CUDA_CALL(driver().cuDevicePrimaryCtxRetain(&primary_, device_));
  SGPRS_CUDA_CALL(driver().cuCtxSetCurrent(primary_));
  SGPRS_CUDA_CALL(cudaSetDevice(device));

  CUdevResource whole{};
  SGPRS_CUDA_CALL(driver().cuDeviceGetDevResource(device_, &whole, CU_DEV_RESOURCE_TYPE_SM));
  unsigned groups = 0;
  SGPRS_CUDA_CALL(driver().cuDevSmResourceSplitByCount(nullptr, &groups, &whole, nullptr, flags, min_piece_sms));
  if (groups == 0)
    throw InputError("--sms", "", "the GPU has fewer than " + std::to_string(min_piece_sms) + " SMs to split");
  piece_resources_.resize(groups);
  SGPRS_CUDA_CALL(
      driver().cuDevSmResourceSplitByCount(piece_resources_.data(), &groups, &whole, &remainder_, flags, min_piece_sms));
  piece_resources_.resize(groups);

  split_.device = device;
  split_.sm_count = static_cast<int>(whole.sm.smCount);
  split_.pieces = static_cast<int>(groups);
  split_.piece_sms = static_cast<int>(piece_resources_.front().sm.smCount);
  split_.remainder_sms = static_cast<int>(remainder_.sm.smCount);
  for (const CUdevResource& piece : piece_resources_)
    if (static_cast<int>(piece.sm.smCount) != split_.piece_sms)
      throw InputError("--sms", "", "the GPU split into unequal pieces; partitions by SM count are ambiguous");
}

PartitionPool::~PartitionPool() {
  partitions_.clear();  // streams and green contexts first, then the primary context
  if (primary_ != nullptr) {
    const CUresult status = driver().cuDevicePrimaryCtxRelease(device_);
    if (status != CUDA_SUCCESS) detail::report_destroy_failure("cuDevicePrimaryCtxRelease", status);
  }
}

void PartitionPool::make_primary_current() const { SGPRS_CUDA_CALL(driver().cuCtxSetCurrent(primary_)); }

const Partition& PartitionPool::add(std::vector<int> pieces, bool with_remainder, int streams, int stream_priority) {
  if (sealed_) throw InputError("partition pool", "", "is sealed: partitions must all exist before the first job");
  if (streams < 1) throw InputError("partition pool", "", "a partition needs at least one stream");
  std::sort(pieces.begin(), pieces.end());
  if (pieces.empty() && !with_remainder)
    throw InputError("partition pool", "", "a partition needs at least one piece");
  if (std::adjacent_find(pieces.begin(), pieces.end()) != pieces.end())
    throw InputError("partition pool", "", "a partition names the same piece twice");
  std::vector<CUdevResource> resources;
  for (int piece : pieces) {
    if (piece < 0 || piece >= split_.pieces)
      throw InputError("partition pool", "",
                       "piece " + std::to_string(piece) + " does not exist (the split has " +
                           std::to_string(split_.pieces) + ")");
    resources.push_back(piece_resources_[static_cast<std::size_t>(piece)]);
  }
  if (with_remainder) {
    if (split_.remainder_sms == 0) throw InputError("partition pool", "", "the split left no remainder SMs");
    resources.push_back(remainder_);
  }

  auto partition = std::unique_ptr<Partition>(new Partition());
  partition->id_ = static_cast<int>(partitions_.size());
  partition->pieces_ = pieces;
  partition->with_remainder_ = with_remainder;
  partition->requested_sms_ =
      static_cast<int>(pieces.size()) * split_.piece_sms + (with_remainder ? split_.remainder_sms : 0);

  CUdevResourceDesc desc = nullptr;
  SGPRS_CUDA_CALL(driver().cuDevResourceGenerateDesc(&desc, resources.data(), static_cast<unsigned>(resources.size())));
  CUgreenCtx green = nullptr;
  SGPRS_CUDA_CALL(driver().cuGreenCtxCreate(&green, desc, device_, CU_GREEN_CTX_DEFAULT_STREAM));
  partition->green_ = GreenContext(green);
  SGPRS_CUDA_CALL(driver().cuCtxFromGreenCtx(&partition->context_, green));
  CUdevResource granted{};
  SGPRS_CUDA_CALL(driver().cuGreenCtxGetDevResource(green, &granted, CU_DEV_RESOURCE_TYPE_SM));
  partition->actual_sms_ = static_cast<int>(granted.sm.smCount);
  for (int i = 0; i < streams; ++i) {
    CUstream stream = nullptr;
    SGPRS_CUDA_CALL(driver().cuGreenCtxStreamCreate(&stream, green, CU_STREAM_NON_BLOCKING, stream_priority));
    partition->streams_.emplace_back(stream);
  }

  if (partition->actual_sms_ != partition->requested_sms_)
    std::fprintf(stderr, "sgprs: warning: partition %d asked for %d SMs but the driver granted %d\n",
                 partition->id_, partition->requested_sms_, partition->actual_sms_);
  partitions_.push_back(std::move(partition));
  return *partitions_.back();
}

const Partition& PartitionPool::add_first_pieces(int count, bool with_remainder) {
  std::vector<int> pieces;
  for (int i = 0; i < count; ++i) pieces.push_back(i);
  return add(std::move(pieces), with_remainder);
}

std::vector<int> PartitionPool::buildable_sm_counts() const {
  std::vector<int> counts;
  for (int k = 1; k <= split_.pieces; ++k) counts.push_back(k * split_.piece_sms);
  if (split_.remainder_sms > 0) counts.push_back(split_.sm_count);
  return counts;
}

namespace {
[[noreturn]] void impossible_sm_count(int sm_count, const std::vector<int>& buildable) {
  std::string list;
  for (int s : buildable) list += (list.empty() ? "" : ", ") + std::to_string(s);
  throw InputError("--sms", "",
                   "no partition of " + std::to_string(sm_count) + " SMs can be built from this GPU's split (" +
                       "possible: " + list + ")");
}
}  // namespace

const Partition& PartitionPool::add_sms(int sm_count) {
  if (sm_count == split_.sm_count) return add_first_pieces(split_.pieces, split_.remainder_sms > 0);
  if (sm_count <= 0 || sm_count % split_.piece_sms != 0 || sm_count / split_.piece_sms > split_.pieces)
    impossible_sm_count(sm_count, buildable_sm_counts());
  return add_first_pieces(sm_count / split_.piece_sms);
}

const Partition& PartitionPool::add_complement_of(int sm_count) {
  if (sm_count == split_.sm_count || sm_count <= 0 || sm_count % split_.piece_sms != 0 ||
      sm_count / split_.piece_sms > split_.pieces)
    impossible_sm_count(sm_count, buildable_sm_counts());
  std::vector<int> rest;
  for (int i = sm_count / split_.piece_sms; i < split_.pieces; ++i) rest.push_back(i);
  return add(std::move(rest), split_.remainder_sms > 0);
}

}  // namespace sgprs::profiler
