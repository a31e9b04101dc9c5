#include "profiler/cuda_owners.hpp"

#include <cstdio>

namespace sgprs::profiler::detail {

void report_destroy_failure(const char* what, int status) {
  std::fprintf(stderr, "sgprs: warning: %s failed with status %d while releasing a CUDA resource\n", what, status);
}

}  // namespace sgprs::profiler::detail
