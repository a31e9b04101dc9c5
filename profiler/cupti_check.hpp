#pragma once
// CUPTI's overload of the one checking macro (profiler/cuda_check.hpp), kept apart so that the
// operation library, which never calls CUPTI, does not link it.
#include "profiler/cuda_check.hpp"

#include <cupti.h>

namespace sgprs::profiler::detail {
void check_call(CUptiResult status, const char* call, const char* file, int line);
}  // namespace sgprs::profiler::detail
