#include "simulator/live/thread_accounting.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace sgprs::live {

namespace {

std::int64_t difference(std::int64_t before, std::int64_t after) {
  return before < 0 || after < 0 ? -1 : after - before;
}

#if defined(__linux__)
Ns run_queue_wait_now() {
  std::ifstream in("/proc/thread-self/schedstat");
  long long on_cpu = 0;
  long long waiting = 0;
  return in >> on_cpu >> waiting ? static_cast<Ns>(waiting) : -1;
}

Ns host_steal_now() {
  std::ifstream in("/proc/stat");
  std::string line;
  if (!std::getline(in, line) || line.rfind("cpu ", 0) != 0) return -1;
  std::istringstream fields(line.substr(4));
  long long ticks[8] = {};  // user nice system idle iowait irq softirq steal
  for (long long& t : ticks)
    if (!(fields >> t)) return -1;
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  return ticks_per_second > 0 ? static_cast<Ns>(ticks[7]) * (kNsPerSecond / ticks_per_second) : -1;
}
#endif

}  // namespace

ThreadAccounting read_thread_accounting() {
  ThreadAccounting now;
#if defined(__linux__)
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) == 0) {
    now.involuntary_switches = usage.ru_nivcsw;
    now.voluntary_switches = usage.ru_nvcsw;
  }
  now.run_queue_wait_ns = run_queue_wait_now();
  now.host_steal_ns = host_steal_now();
#endif
  return now;
}

ThreadAccounting accounting_between(const ThreadAccounting& before, const ThreadAccounting& after) {
  return ThreadAccounting{difference(before.involuntary_switches, after.involuntary_switches),
                          difference(before.voluntary_switches, after.voluntary_switches),
                          difference(before.run_queue_wait_ns, after.run_queue_wait_ns),
                          difference(before.host_steal_ns, after.host_steal_ns)};
}

int usable_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return -1;
}

ScopedRealtimePriority::ScopedRealtimePriority(int priority) {
  if (priority <= 0) return;
  const auto refuse = [&](const std::string& why) {
    refused_ = "the system refused SCHED_FIFO at priority " + std::to_string(priority) + " (" + why +
               "): run as root or with CAP_SYS_NICE, or leave the flag out";
  };
#if defined(__linux__)
  sched_param old{};
  if (pthread_getschedparam(pthread_self(), &old_policy_, &old) != 0) {
    refuse("the thread's present policy could not be read");
    return;
  }
  old_priority_ = old.sched_priority;
  sched_param param{};
  param.sched_priority = priority;
  const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
  if (error != 0)
    refuse(std::strerror(error));
  else
    changed_ = true;
#else
  refuse("real-time scheduling is implemented for Linux only");
#endif
}

ScopedRealtimePriority::~ScopedRealtimePriority() {
#if defined(__linux__)
  if (!changed_) return;
  sched_param old{};
  old.sched_priority = old_priority_;
  pthread_setschedparam(pthread_self(), old_policy_, &old);
#endif
}

std::string thread_policy_name() {
#if defined(__linux__)
  int policy = 0;
  sched_param param{};
  if (pthread_getschedparam(pthread_self(), &policy, &param) != 0) return "unknown";
  switch (policy) {
    case SCHED_OTHER: return "SCHED_OTHER";
    case SCHED_FIFO: return "SCHED_FIFO " + std::to_string(param.sched_priority);
    case SCHED_RR: return "SCHED_RR " + std::to_string(param.sched_priority);
    default: return "policy " + std::to_string(policy);
  }
#else
  return "unknown";
#endif
}

}  // namespace sgprs::live
