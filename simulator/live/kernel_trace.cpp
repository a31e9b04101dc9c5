#include "simulator/live/kernel_trace.hpp"

#include "common/json_io.hpp"
#include "profiler/kernel_activity.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sgprs::live {

KernelTrace::KernelTrace(std::string path, std::vector<CUcontext> partition_contexts, Ns epoch_steady_ns)
    : path_(std::move(path)), epoch_steady_ns_(epoch_steady_ns) {
  for (CUcontext context : partition_contexts) context_ids_.push_back(profiler::cupti_context_id(context));
  collector_ = std::make_unique<profiler::KernelActivityCollector>();
}

KernelTrace::~KernelTrace() = default;

void KernelTrace::note_launch(Ns launch_ns) {
  Ns seen = first_launch_ns_.load(std::memory_order_relaxed);
  while (launch_ns < seen && !first_launch_ns_.compare_exchange_weak(seen, launch_ns, std::memory_order_relaxed)) {
  }
}

void KernelTrace::write() {
  std::vector<profiler::KernelRecord> records = collector_->drain();
  std::sort(records.begin(), records.end(),
            [](const profiler::KernelRecord& a, const profiler::KernelRecord& b) { return a.start_ns < b.start_ns; });
  std::string text = nlohmann::json{{"schema", "sgprs.kernel-trace/1"},
                                    {"kernels", records.size()},
                                    {"dropped", collector_->dropped()},
                                    {"partitions", context_ids_.size()},
                                    {"first_launch_ns", first_launch_ns_.load()}}
                         .dump() +
                     "\n";
  for (const profiler::KernelRecord& r : records) {
    const auto at = std::find(context_ids_.begin(), context_ids_.end(), r.context_id);
    const int partition = at == context_ids_.end() ? -1 : static_cast<int>(at - context_ids_.begin());
    text += nlohmann::json{{"partition", partition},
                           {"start_ns", collector_->to_host_ns(r.start_ns) - epoch_steady_ns_},
                           {"end_ns", collector_->to_host_ns(r.end_ns) - epoch_steady_ns_},
                           {"name", r.name == nullptr ? "" : r.name},
                           {"blocks", r.blocks},
                           {"threads", r.threads_per_block},
                           {"registers", r.registers_per_thread},
                           {"shared_bytes", r.shared_bytes},
                           {"launch", r.correlation_id}}
                .dump() +
            "\n";
  }
  write_file_atomic(path_, text);
}

}  // namespace sgprs::live
