#include "profiler/cuda_owners.hpp"

#include <atomic>
#include <cstdio>

namespace sgprs::profiler {

namespace {
std::atomic<bool> g_silenced{false};
}  // namespace

void silence_destroy_failures() { g_silenced.store(true); }
bool destroy_failures_silenced() { return g_silenced.load(); }

namespace detail {

void report_destroy_failure(const char* what, int status) {
  if (destroy_failures_silenced()) return;
  std::fprintf(stderr, "sgprs: warning: %s failed with status %d while releasing a CUDA resource\n", what, status);
}

}  // namespace detail

}  // namespace sgprs::profiler
