#include "profiler/cupti_check.hpp"

namespace sgprs::profiler::detail {

void check_call(CUptiResult status, const char* call, const char* file, int line) {
  if (status == CUPTI_SUCCESS) return;
  const char* text = nullptr;
  if (cuptiGetResultString(status, &text) != CUPTI_SUCCESS || text == nullptr) text = "unknown CUptiResult";
  throw GpuError(describe_failed_call("CUPTI", text, call, file, line));
}

}  // namespace sgprs::profiler::detail
