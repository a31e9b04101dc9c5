#include "simulator/live/unit_graphs.hpp"

#include "common/errors.hpp"
#include "profiler/cuda_check.hpp"
#include "profiler/ops/library_notes.hpp"
#include "simulator/live/gpu_call.hpp"
#include "simulator/live/memory_need.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace sgprs::live {

namespace {

/// The op library's precision for a live precision (TF32 is per model instance there).
profiler::Precision profiler_precision(Precision precision) {
  switch (precision) {
    case Precision::kFp32Strict: return profiler::Precision::kFp32;
    case Precision::kTf32: return profiler::Precision::kTf32;
    case Precision::kFp16: return profiler::Precision::kFp16;
  }
  return profiler::Precision::kFp32;
}

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

std::string split_text(const GpuShape& g) {
  return std::to_string(g.pieces) + " x " + std::to_string(g.piece_sms) + " + " + std::to_string(g.remainder_sms) +
         " SMs";
}

std::string unit_text(const ExecutorSetup& setup, int task, int unit, const profiler::Partition& partition, int p) {
  const ExecutorModel& m = setup.models[static_cast<std::size_t>(setup.task_models[static_cast<std::size_t>(task)])];
  const std::string what = m.whole_model ? m.model.name() + " (whole model)"
                                         : m.model.name() + "/" + m.model.stages()[static_cast<std::size_t>(unit)].name;
  return "task " + std::to_string(task) + " unit " + std::to_string(unit) + " (" + what + ") on partition " +
         std::to_string(p) + " (" + std::to_string(partition.sm_count()) + " SMs)";
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::int64_t free_device_bytes() {
  std::size_t free = 0, total = 0;
  SGPRS_LIVE_CALL(cudaMemGetInfo(&free, &total), std::string("reading free GPU memory"));
  return static_cast<std::int64_t>(free);
}

}  // namespace

UnitGraphs::UnitGraphs(const ExecutorSetup& setup, SetupReport& report) {
  const auto started = std::chrono::steady_clock::now();
  validate(setup);
  max_parallel_ = setup.layout.max_parallel;
  // Streams share the hardware queues (32 at most, init_cuda_for_partitions asks for all of them).
  // A partition's clock brackets use its first slot stream while nothing runs, so that we make no
  // idle stream of our own: an idle clock stream per partition once made `streams` 32 slow down as
  // if its slot streams i and i + 16 shared a queue. The stream count only sets the warning for a
  // user's smaller CUDA_DEVICE_MAX_CONNECTIONS.
  const int streams = static_cast<int>(setup.layout.partitions.size()) * max_parallel_;
  profiler::init_cuda_for_partitions(streams);  // NoGpuError without a GPU
  try {
    build(setup, report);
  } catch (...) {
    release();  // no destructor after a throwing constructor
    throw;
  }
  report.setup_s = seconds_since(started);
}

void UnitGraphs::build(const ExecutorSetup& setup, SetupReport& report) {
  const auto phase_started = std::chrono::steady_clock::now();
  as_gpu_step("splitting GPU " + std::to_string(setup.device) + " into green-context pieces",
              [&] { pool_.emplace(setup.device, 8u, false); });
  const std::int64_t free_before = free_device_bytes();
  build_partitions(setup);

  const int tasks = static_cast<int>(setup.task_models.size());
  first_unit_.push_back(0);
  for (int t = 0; t < tasks; ++t) {
    first_unit_.push_back(first_unit_.back() + unit_count(setup, t));
    whole_model_.push_back(setup.models[static_cast<std::size_t>(setup.task_models[static_cast<std::size_t>(t)])]
                               .whole_model);
  }
  const double partitions_s = seconds_since(phase_started);
  pool_->make_primary_current();
  check_memory(setup);
  instances_.reserve(static_cast<std::size_t>(tasks));  // no reallocation: later tasks point at earlier ones
  std::vector<int> first_task_of_model(setup.models.size(), -1);
  for (int t = 0; t < tasks; ++t) {
    const int m = setup.task_models[static_cast<std::size_t>(t)];
    const Model& model = setup.models[static_cast<std::size_t>(m)].model;
    int& first = first_task_of_model[static_cast<std::size_t>(m)];
    as_gpu_step("allocating task " + std::to_string(t) + " (" + model.name() + ")",
                [&] {
                  // The model's weights once, in its first task; every task its own activations.
                  if (first < 0) {
                    instances_.emplace_back(model, profiler_precision(setup.precision), setup.batch);
                    first = t;
                  } else {
                    instances_.emplace_back(model, profiler_precision(setup.precision), setup.batch,
                                            instances_[static_cast<std::size_t>(first)]);
                  }
                  // A task's graphs replay on whichever slot stream is free, and a task runs one
                  // unit at a time: its own workspace is never used by two kernels at once.
                  instances_.back().use_own_workspace();
                });
  }
  const double buffers_s = seconds_since(phase_started) - partitions_s;
  graphs_.resize(static_cast<std::size_t>(first_unit_.back()) * partitions_.size());
  if (setup.stamps_in_graphs) {
    start_events_.resize(graphs_.size());
    end_events_.resize(graphs_.size());
  }
  for (int p = 0; p < partition_count(); ++p) capture_partition(setup, p);
  pool_->make_primary_current();
  const double graphs_s = seconds_since(phase_started) - partitions_s - buffers_s;

  report.graphs = static_cast<std::int64_t>(std::count_if(graphs_.begin(), graphs_.end(),
                                                          [](const profiler::GraphExec& g) { return bool(g); }));
  report.gpu_memory_bytes = free_before - free_device_bytes();
  cudaDeviceProp props{};
  SGPRS_LIVE_CALL(cudaGetDeviceProperties(&props, setup.device), std::string("reading the device's name"));
  report.device_name = props.name;
  int driver = 0, runtime = 0;
  SGPRS_LIVE_CALL(cudaDriverGetVersion(&driver), std::string("reading the driver version"));
  SGPRS_LIVE_CALL(cudaRuntimeGetVersion(&runtime), std::string("reading the runtime version"));
  const char* connections = std::getenv("CUDA_DEVICE_MAX_CONNECTIONS");
  report.notes = "driver CUDA " + version_text(driver) + ", runtime CUDA " + version_text(runtime) + ", " +
                 std::string(precision_name(setup.precision)) + ", CUDA_DEVICE_MAX_CONNECTIONS=" +
                 (connections != nullptr ? connections : "default") + ", split " + split_text(device_split_) +
                 ", set-up " + seconds_text(partitions_s) + " partitions + " + seconds_text(buffers_s) +
                 " buffers + " + seconds_text(graphs_s) + " graphs and warm-up";
}

void UnitGraphs::check_memory(const ExecutorSetup& setup) const {
  std::vector<ModelFootprint> footprints;
  for (std::size_t m = 0; m < setup.models.size(); ++m) {
    const Model& model = setup.models[m].model;
    footprints.push_back({model.name(), 0});
    if (std::find(setup.task_models.begin(), setup.task_models.end(), static_cast<int>(m)) == setup.task_models.end())
      continue;  // no task runs it
    // Measured, not computed from the layers: the allocator's rounding and the library
    // workspace count as much as the tensors. A second instance shares the first one's weights,
    // as every task after a model's first does.
    const std::int64_t before = free_device_bytes();
    std::int64_t after_first = before, after_second = before;
    as_gpu_step("measuring the GPU memory of " + model.name() + " instances", [&] {
      profiler::ModelInstance probe(model, profiler_precision(setup.precision), setup.batch);
      probe.use_own_workspace();
      after_first = free_device_bytes();
      profiler::ModelInstance second(model, profiler_precision(setup.precision), setup.batch, probe);
      second.use_own_workspace();
      after_second = free_device_bytes();
    });
    const std::int64_t first_bytes = std::max<std::int64_t>(0, before - after_first);
    footprints.back().bytes = std::max<std::int64_t>(0, after_first - after_second);
    footprints.back().shared_bytes = std::max<std::int64_t>(0, first_bytes - footprints.back().bytes);
  }
  if (const auto shortfall = memory_shortfall(footprints, setup.task_models, free_device_bytes(), setup.device))
    throw GpuError(*shortfall);
}

UnitGraphs::~UnitGraphs() { release(); }

void UnitGraphs::release() {
  graphs_.clear();
  start_events_.clear();
  end_events_.clear();
  // The op library caches library handles per stream address; a later pool may reuse an address.
  for (const profiler::Partition* p : partitions_)
    for (std::size_t s = 0; s < p->stream_count(); ++s) profiler::forget_stream(p->stream(s));
  try {
    if (pool_) pool_->make_primary_current();  // the buffers were allocated there
  } catch (const std::exception& e) {
    if (!profiler::destroy_failures_silenced())  // else the GPU fault was reported already
      std::fprintf(stderr, "sgprs: warning: tearing down the live executor: %s\n", e.what());
  }
  instances_.clear();
  partitions_.clear();
  pool_.reset();
}

void UnitGraphs::build_partitions(const ExecutorSetup& setup) {
  const profiler::GpuSplit& split = pool_->split();
  device_split_ = GpuShape{split.sm_count, split.piece_sms, split.pieces, split.remainder_sms};
  const GpuShape& device = device_split_;
  const std::string source = "layout '" + setup.layout.name + "'";
  if (setup.gpu.sm_count > 0 && setup.gpu != device)
    throw InputError(source, "", "was made for a GPU split " + split_text(setup.gpu) + " but GPU " +
                                     std::to_string(setup.device) + " splits " + split_text(device));
  int least = 0, greatest = 0;
  SGPRS_LIVE_CALL(cudaDeviceGetStreamPriorityRange(&least, &greatest), std::string("reading the stream priority range"));
  // The `streams` baseline's deadline-monotonic levels are share weights in the plan's layout.
  const std::vector<int> priorities = stream_priorities(setup.layout, least, greatest);
  for (std::size_t i = 0; i < setup.layout.partitions.size(); ++i) {
    const std::string field = "partitions[" + std::to_string(i) + "]";
    std::vector<int> pieces;
    bool remainder = false;
    for (int piece : setup.layout.partitions[i].pieces) {
      if (piece == device.pieces && device.remainder_sms > 0)
        remainder = true;
      else if (piece >= 0 && piece < device.pieces)
        pieces.push_back(piece);
      else
        throw InputError(source, field + ".pieces",
                         "piece " + std::to_string(piece) + " does not exist on GPU " + std::to_string(setup.device) +
                             " (split " + split_text(device) + ": pieces 0.." + std::to_string(device.pieces - 1) +
                             (device.remainder_sms > 0 ? ", remainder " + std::to_string(device.pieces) : "") + ")");
    }
    try {
      partitions_.push_back(&pool_->add(pieces, remainder, max_parallel_, priorities[i]));
    } catch (const InputError& e) {
      throw InputError(source, field, std::string("the GPU cannot build it: ") + e.what());
    } catch (const GpuError& e) {  // the driver refused this green context: the layout, not the GPU, is at fault
      throw InputError(source, field, std::string("the GPU cannot build it: ") + e.what());
    }
  }
  pool_->seal();
}

cudaStream_t UnitGraphs::slot_stream(int partition, int slot) const {
  return this->partition(partition).stream(static_cast<std::size_t>(slot));
}

int UnitGraphs::units(int task) const {
  return first_unit_[static_cast<std::size_t>(task) + 1] - first_unit_[static_cast<std::size_t>(task)];
}

std::size_t UnitGraphs::index(int task, int unit, int partition) const {
  return (static_cast<std::size_t>(first_unit_[static_cast<std::size_t>(task)]) + static_cast<std::size_t>(unit)) *
             partitions_.size() +
         static_cast<std::size_t>(partition);
}

cudaGraphExec_t UnitGraphs::graph(int task, int unit, int partition) const {
  if (task < 0 || task >= tasks() || unit < 0 || unit >= units(task) || partition < 0 ||
      partition >= partition_count())
    return nullptr;
  return graphs_[index(task, unit, partition)].get();
}

UnitGraphs::StampEvents UnitGraphs::stamp_events(int task, int unit, int partition) const {
  if (end_events_.empty() || graph(task, unit, partition) == nullptr) return {};
  const std::size_t at = index(task, unit, partition);
  return {start_events_[at].get(), end_events_[at].get()};
}

void UnitGraphs::capture_partition(const ExecutorSetup& setup, int p) {
  const profiler::Partition& part = partition(p);
  const int sms = part.sm_count();
  const auto enqueue = [&](int task, int unit, cudaStream_t stream) {
    profiler::ModelInstance& net = instances_[static_cast<std::size_t>(task)];
    if (whole_model_[static_cast<std::size_t>(task)])
      net.enqueue_all(stream, sms);
    else
      net.enqueue_stage(static_cast<std::size_t>(unit), stream, sms);
  };
  const auto allowed = [&](int task, int unit) { return !setup.may_launch || setup.may_launch(task, unit, p); };
  as_gpu_step("preparing library handles on partition " + std::to_string(p), [&] {
    part.make_current();
    for (int s = 0; s < max_parallel_; ++s) profiler::prepare_stream(slot_stream(p, s));
  });
  for (int task = 0; task < tasks(); ++task) {
    // One stream per task: its units share the task's workspace (see build()), so its warm-ups
    // and warm-up replays must not overlap; tasks rotate over the slot streams.
    const auto stream_of = [&](int) { return slot_stream(p, task % max_parallel_); };
    for (int unit = 0; unit < units(task); ++unit) {
      if (!allowed(task, unit)) continue;
      as_gpu_step("warming up " + unit_text(setup, task, unit, part, p), [&] {
        part.make_current();
        enqueue(task, unit, stream_of(unit));
      });
    }
    for (int unit = 0; unit < units(task); ++unit) {
      if (!allowed(task, unit)) continue;
      const cudaStream_t stream = stream_of(unit);
      const std::string what = "capturing " + unit_text(setup, task, unit, part, p);
      as_gpu_step(what, [&] {
        part.make_current();
        cudaGraph_t raw = nullptr;
        const std::size_t at = index(task, unit, p);
        if (setup.stamps_in_graphs) {  // created in the partition's context, as its streams
          cudaEvent_t event = nullptr;
          SGPRS_LIVE_CALL(cudaEventCreateWithFlags(&event, cudaEventDefault), "(start event) for " + what);
          start_events_[at] = profiler::Event(event);
          SGPRS_LIVE_CALL(cudaEventCreateWithFlags(&event, setup.completion == CompletionNotice::kBlockingSync
                                                               ? cudaEventBlockingSync
                                                               : cudaEventDefault),
                          "(end event) for " + what);
          end_events_[at] = profiler::Event(event);
        }
        SGPRS_LIVE_CALL(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "for " + what);
        try {
          if (setup.stamps_in_graphs)
            SGPRS_LIVE_CALL(cudaEventRecordWithFlags(start_events_[at].get(), stream, cudaEventRecordExternal),
                            "(start event node) for " + what);
          enqueue(task, unit, stream);
          if (setup.stamps_in_graphs)
            SGPRS_LIVE_CALL(cudaEventRecordWithFlags(end_events_[at].get(), stream, cudaEventRecordExternal),
                            "(end event node) for " + what);
        } catch (...) {
          cudaStreamEndCapture(stream, &raw);  // leave the stream usable
          if (raw != nullptr) cudaGraphDestroy(raw);
          throw;
        }
        SGPRS_LIVE_CALL(cudaStreamEndCapture(stream, &raw), "for " + what);
        const profiler::Graph graph(raw);
        cudaGraphExec_t exec = nullptr;
        SGPRS_LIVE_CALL(cudaGraphInstantiate(&exec, graph.get(), 0), "for " + what);
        profiler::GraphExec& owned = graphs_[at];
        owned = profiler::GraphExec(exec);
        SGPRS_LIVE_CALL(cudaGraphUpload(exec, stream), "for " + what);
        SGPRS_LIVE_CALL(cudaGraphLaunch(exec, stream), "(warm-up replay) for " + what);
      });
    }
    // One task at a time: a fault is then pinned to this task's units on this partition.
    for (int s = 0; s < max_parallel_; ++s)
      SGPRS_LIVE_CALL(cudaStreamSynchronize(slot_stream(p, s)),
                      "after warming up task " + std::to_string(task) + " on partition " + std::to_string(p) + " (" +
                          std::to_string(sms) + " SMs)");
  }
}

}  // namespace sgprs::live
