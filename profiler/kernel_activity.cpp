#include "profiler/kernel_activity.hpp"

#include "profiler/cupti_check.hpp"

#include <cupti.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>

namespace sgprs::profiler {

namespace {

// CUPTI delivers records through plain C callbacks, so the gathered records
// live in one process-wide sink guarded by a mutex; only one collector may own it.
constexpr std::size_t kBufferBytes = 8u << 20;
constexpr std::size_t kBufferAlign = 8;

struct Sink {
  std::mutex mutex;
  std::vector<KernelRecord> records;
  std::uint64_t dropped = 0;
};
Sink g_sink;
std::atomic<bool> g_collector_alive{false};

void CUPTIAPI on_buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(::operator new(kBufferBytes, std::align_val_t{kBufferAlign}, std::nothrow));
  *size = *buffer == nullptr ? 0 : kBufferBytes;
  *max_records = 0;  // as many as fit
}

void CUPTIAPI on_buffer_completed(CUcontext /*context*/, uint32_t stream_id, uint8_t* buffer, size_t /*size*/,
                                  size_t valid_size) {
  (void)stream_id;
  std::vector<KernelRecord> parsed;
  CUpti_Activity* record = nullptr;
  while (cuptiActivityGetNextRecord(buffer, valid_size, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL && record->kind != CUPTI_ACTIVITY_KIND_KERNEL)
      continue;
    const auto* kernel = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
    KernelRecord parsed_record{kernel->start, kernel->end, kernel->contextId, kernel->streamId,
                               kernel->correlationId, kernel->name};
    parsed_record.blocks = static_cast<std::uint32_t>(kernel->gridX) * static_cast<std::uint32_t>(kernel->gridY) *
                           static_cast<std::uint32_t>(kernel->gridZ);
    parsed_record.threads_per_block = static_cast<std::uint32_t>(kernel->blockX) *
                                      static_cast<std::uint32_t>(kernel->blockY) *
                                      static_cast<std::uint32_t>(kernel->blockZ);
    parsed_record.registers_per_thread = kernel->registersPerThread;
    parsed_record.shared_bytes = kernel->staticSharedMemory + kernel->dynamicSharedMemory;
    parsed.push_back(parsed_record);
  }
  size_t dropped = 0;
  cuptiActivityGetNumDroppedRecords(nullptr, stream_id, &dropped);
  {
    std::lock_guard lock(g_sink.mutex);
    g_sink.records.insert(g_sink.records.end(), parsed.begin(), parsed.end());
    g_sink.dropped += dropped;
  }
  ::operator delete(buffer, std::align_val_t{kBufferAlign});
}

Ns host_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// The CUPTI clock minus the host clock, from the tightest of a few bracketed reads.
Ns measure_clock_offset() {
  Ns best_offset = 0;
  Ns best_width = std::numeric_limits<Ns>::max();
  for (int i = 0; i < 16; ++i) {
    const Ns before = host_now_ns();
    std::uint64_t cupti_now = 0;
    SGPRS_CUDA_CALL(cuptiGetTimestamp(&cupti_now));
    const Ns after = host_now_ns();
    if (after - before < best_width) {
      best_width = after - before;
      best_offset = static_cast<Ns>(cupti_now) - (before + (after - before) / 2);
    }
  }
  return best_offset;
}

}  // namespace

std::uint32_t cupti_stream_id(CUcontext context, cudaStream_t stream) {
  uint32_t id = 0;
  SGPRS_CUDA_CALL(cuptiGetStreamIdEx(context, reinterpret_cast<CUstream>(stream), 0, &id));
  return id;
}

std::uint32_t cupti_context_id(CUcontext context) {
  uint32_t id = 0;
  SGPRS_CUDA_CALL(cuptiGetContextId(context, &id));
  return id;
}

KernelActivityCollector::KernelActivityCollector() {
  if (g_collector_alive.exchange(true)) throw std::logic_error("only one KernelActivityCollector may exist at a time");
  try {
    SGPRS_CUDA_CALL(cuptiActivityRegisterCallbacks(on_buffer_requested, on_buffer_completed));
    SGPRS_CUDA_CALL(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
    cupti_minus_host_ns_ = measure_clock_offset();
  } catch (...) {
    g_collector_alive = false;
    throw;
  }
  std::lock_guard lock(g_sink.mutex);
  g_sink.records.clear();
  g_sink.dropped = 0;
}

KernelActivityCollector::~KernelActivityCollector() {
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  {
    std::lock_guard lock(g_sink.mutex);
    g_sink.records.clear();
  }
  g_collector_alive = false;
}

std::vector<KernelRecord> KernelActivityCollector::drain() {
  SGPRS_CUDA_CALL(cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED));
  std::lock_guard lock(g_sink.mutex);
  std::vector<KernelRecord> out;
  out.swap(g_sink.records);
  return out;
}

std::uint64_t KernelActivityCollector::dropped() const {
  std::lock_guard lock(g_sink.mutex);
  return g_sink.dropped;
}

}  // namespace sgprs::profiler
