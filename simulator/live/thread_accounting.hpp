#pragma once
// What the operating system says about the live control thread over a run, to tell apart the
// causes of late releases (docs/live.md, fourteenth and fifteenth sessions: at ResNet-18 N = 220
// the control thread was away for 0.5-3.4 ms at a time): descheduled by other runnable threads
// (involuntary switches, time spent runnable on a run queue) or by the hypervisor (the host's
// steal time), rather than waking up late from its own wait. Linux only; elsewhere, and where a
// kernel does not count a figure, it reads -1 (unknown).
//
//   const ThreadAccounting before = read_thread_accounting();
//   ...                                                   // the run, on this thread
//   const ThreadAccounting run = accounting_between(before, read_thread_accounting());
#include "common/time.hpp"

#include <cstdint>
#include <string>

namespace sgprs::live {

struct ThreadAccounting {
  std::int64_t involuntary_switches = -1;  // getrusage(RUSAGE_THREAD)
  std::int64_t voluntary_switches = -1;
  Ns run_queue_wait_ns = -1;  // runnable but not running: /proc/thread-self/schedstat, second field
  Ns host_steal_ns = -1;      // the whole machine's steal time, all CPUs summed: /proc/stat
};

ThreadAccounting read_thread_accounting();
/// after - before, field by field; -1 where either is unknown.
ThreadAccounting accounting_between(const ThreadAccounting& before, const ThreadAccounting& after);

/// CPUs this process may run on (its affinity mask); -1 where unknown.
int usable_cpus();

/// While it lives, the calling thread runs under SCHED_FIFO at `priority` (1-99; 0: no change);
/// its policy before is restored at destruction, on the same thread. refused() is "" if the system
/// agreed, else one sentence for the user saying why not (no root or CAP_SYS_NICE, a container
/// without real-time quota) and what to do.
class ScopedRealtimePriority {
 public:
  explicit ScopedRealtimePriority(int priority);
  ~ScopedRealtimePriority();
  ScopedRealtimePriority(const ScopedRealtimePriority&) = delete;
  ScopedRealtimePriority& operator=(const ScopedRealtimePriority&) = delete;
  const std::string& refused() const { return refused_; }

 private:
  bool changed_ = false;
  int old_policy_ = 0;
  int old_priority_ = 0;
  std::string refused_;
};
/// The calling thread's policy: "SCHED_OTHER", "SCHED_FIFO 50", ...
std::string thread_policy_name();

}  // namespace sgprs::live
