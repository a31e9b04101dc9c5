#include "simulator/live/executor_setup.hpp"

#include "common/errors.hpp"

#include <chrono>
#include <set>

namespace sgprs::live {

Precision parse_precision(std::string_view text, const std::string& source) {
  if (text == "fp32") return Precision::kFp32Strict;
  if (text == "tf32") return Precision::kTf32;
  if (text == "fp16") return Precision::kFp16;
  throw InputError(source, "", "unknown precision '" + std::string(text) + "' (known: fp32, tf32, fp16)");
}

std::string_view precision_name(Precision precision) {
  switch (precision) {
    case Precision::kFp32Strict: return "fp32";
    case Precision::kTf32: return "tf32";
    case Precision::kFp16: return "fp16";
  }
  return "?";
}

CompletionNotice parse_completion_notice(std::string_view text, const std::string& source) {
  if (text == "polling") return CompletionNotice::kPollingThread;
  if (text == "callback") return CompletionNotice::kHostCallback;
  if (text == "blocking") return CompletionNotice::kBlockingSync;
  if (text == "flags") return CompletionNotice::kHostFlags;
  throw InputError(source, "", "unknown completion mechanism '" + std::string(text) +
                                   "' (known: polling, callback, blocking, flags)");
}

std::string_view completion_notice_name(CompletionNotice notice) {
  switch (notice) {
    case CompletionNotice::kPollingThread: return "polling";
    case CompletionNotice::kHostCallback: return "callback";
    case CompletionNotice::kBlockingSync: return "blocking";
    case CompletionNotice::kHostFlags: return "flags";
  }
  return "?";
}

void validate(const ExecutorSetup& setup) {
  const std::string source = "live set-up";
  if (setup.models.empty()) throw InputError(source, "models", "no model to run");
  for (std::size_t m = 0; m < setup.models.size(); ++m)
    if (setup.models[m].model.stages().empty())
      throw InputError(source, "models[" + std::to_string(m) + "]", "model '" + setup.models[m].model.name() +
                                                                      "' has no stages");
  if (setup.task_models.empty()) throw InputError(source, "task_models", "no task to run");
  for (std::size_t t = 0; t < setup.task_models.size(); ++t) {
    const int m = setup.task_models[t];
    if (m < 0 || m >= static_cast<int>(setup.models.size()))
      throw InputError(source, "task_models[" + std::to_string(t) + "]",
                       "model index " + std::to_string(m) + " does not exist (" +
                           std::to_string(setup.models.size()) + " models)");
  }
  if (setup.batch < 1) throw InputError(source, "batch", "must be at least 1");
  if (setup.device < 0) throw InputError(source, "device", "must be a device index (0, 1, ...)");
  const Layout& layout = setup.layout;
  if (layout.partitions.empty()) throw InputError("layout '" + layout.name + "'", "partitions", "no partition");
  if (layout.max_parallel < 1)
    throw InputError("layout '" + layout.name + "'", "max_parallel", "must be at least 1");
  if (setup.launch_threads < 0 || setup.launch_threads > 64)
    throw InputError(source, "launch_threads", "must be in [0, 64]");
  if (setup.polling_threads < 1 || setup.polling_threads > 16)
    throw InputError(source, "polling_threads", "must be in [1, 16]");
  if (setup.queued_per_partition < 0 || (setup.queued_per_partition > 0 && layout.max_parallel != 1))
    throw InputError("layout '" + layout.name + "'", "max_parallel",
                     "must be 1 for units queued on a partition's stream (queued_per_partition " +
                         std::to_string(setup.queued_per_partition) + ")");
  for (std::size_t i = 0; i < layout.partitions.size(); ++i) {
    const Partition& p = layout.partitions[i];
    const std::string field = "partitions[" + std::to_string(i) + "].pieces";
    if (p.pieces.empty()) throw InputError("layout '" + layout.name + "'", field, "a partition needs pieces");
    if (std::set<int>(p.pieces.begin(), p.pieces.end()).size() != p.pieces.size())
      throw InputError("layout '" + layout.name + "'", field, "names a piece twice");
    for (int piece : p.pieces)
      if (piece < 0 || (setup.gpu.sm_count > 0 && (piece > setup.gpu.pieces ||
                                                    (piece == setup.gpu.pieces && setup.gpu.remainder_sms == 0))))
        throw InputError("layout '" + layout.name + "'", field,
                         "piece " + std::to_string(piece) + " does not exist in the split (pieces 0.." +
                             std::to_string(setup.gpu.pieces - 1) + ", remainder " +
                             std::to_string(setup.gpu.pieces) + ")");
  }
}

int unit_count(const ExecutorSetup& setup, int task) {
  return setup.models.at(static_cast<std::size_t>(setup.task_models.at(static_cast<std::size_t>(task)))).unit_count();
}

Ns steady_clock_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace sgprs::live
