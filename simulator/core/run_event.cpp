#include "simulator/core/run_event.hpp"

namespace sgprs::sim {

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kRelease: return "release";
    case EventKind::kSkip: return "skip";
    case EventKind::kDecision: return "decision";
    case EventKind::kStart: return "start";
    case EventKind::kFinish: return "finish";
    case EventKind::kCancel: return "cancel";
    case EventKind::kJobEnd: return "job_end";
  }
  return "?";
}

const char* to_string(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kNone: return "none";
    case JobOutcome::kOnTime: return "on_time";
    case JobOutcome::kLate: return "late";
    case JobOutcome::kAborted: return "aborted";
  }
  return "?";
}

}  // namespace sgprs::sim
