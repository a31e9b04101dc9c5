// Baselines that pin each task to one partition for the whole run.
//   naive   the paper's baseline (the authors' MPS_SCHEDULER): as many partitions as the
//           requested layout has, each the WHOLE GPU (so they overlap fully and
//           share every SM), task i on partition i mod N, each job run as one
//           unit (the whole model), and no limit on concurrent jobs per partition
//           (each task thread had its own stream): max_parallel = number of tasks.
//   streams what a PyTorch user runs instead of sgprs: `streams` plain streams on the
//           whole GPU (each a whole-GPU partition with one slot, so FIFO per stream),
//           task i on stream i mod streams, each job the whole model as one unit,
//           and a job whose release instant passes while its task's previous job
//           still runs is skipped (overrun auto = skip-late). The requested layout is
//           ignored but for its provenance. stream_queue=on (the default): a job whose stream is
//           busy is announced with kQueue so that a live platform puts it on the stream at once,
//           as PyTorch does, instead of launching it when the stream's previous job is noticed.
//           stream_priorities=deadline-monotonic: tasks in
//           deadline order (ties by index) fill the streams in contiguous blocks, stream 0
//           getting the tightest, and stream s gets priority level floor(s x L / S) of L = min(S, 6)
//           levels (CUDA exposes a handful of stream priorities); the simulated GPU gives a stage on a
//           stream of level l the weight 2^(L-1-l) in its SM sharing (sim/processor_sharing.hpp).
//   static  the requested layout as is; each task pinned by `static_assignment`
//           (round-robin: i mod N; balanced: in task order, to the partition with
//           the least predicted utilisation so far, sum of job time / period,
//           ties to the lower index); stages run in order on that partition,
//           waiting for its slots in `waiting_order`.
#include "simulator/policy/registry.hpp"

#include <algorithm>
#include <cmath>

namespace sgprs::sim {

namespace {

class PinnedScheduler : public Scheduler {
 public:
  using Scheduler::Scheduler;

 protected:
  Choice on_stage_ready(const StageRef& stage, Ns, bool) override {
    return Choice{pinned_[static_cast<std::size_t>(stage.task)], -1};
  }
  bool on_may_use(int task, int partition) const override {
    return pinned_[static_cast<std::size_t>(task)] == partition;
  }
  /// Streams with deadline-monotonic priorities pin in blocks of deadline order.
  virtual bool pins_by_deadline() const { return false; }

  void on_reset() override {
    const std::size_t tasks = plan().tasks().size();
    pinned_.assign(tasks, 0);
    if (pins_by_deadline()) {
      std::vector<std::size_t> order(tasks);
      for (std::size_t t = 0; t < tasks; ++t) order[t] = t;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return plan().tasks()[a].deadline_ns < plan().tasks()[b].deadline_ns;
      });
      const std::size_t streams = static_cast<std::size_t>(partition_count());
      for (std::size_t rank = 0; rank < tasks; ++rank)
        pinned_[order[rank]] = static_cast<int>(tasks <= streams ? rank : rank * streams / tasks);
      return;
    }
    const bool balanced = !on_runs_whole_jobs() && options().static_assignment == StaticAssignment::kBalanced;
    if (!balanced) {
      for (std::size_t t = 0; t < tasks; ++t) pinned_[t] = static_cast<int>(t % static_cast<std::size_t>(partition_count()));
      return;
    }
    std::vector<double> load(static_cast<std::size_t>(partition_count()), 0.0);
    for (std::size_t t = 0; t < tasks; ++t) {
      const TaskPlan& task = plan().tasks()[t];
      int best = 0;
      double best_load = 0;
      for (int p = 0; p < partition_count(); ++p) {
        Ns job = 0;
        for (std::size_t u = 0; u < plan().models()[static_cast<std::size_t>(task.model)].units.size(); ++u)
          job += plan().predicted_ns(task.model, static_cast<int>(u), p);
        const double after = load[static_cast<std::size_t>(p)] + static_cast<double>(job) / static_cast<double>(task.period_ns);
        if (p == 0 || after < best_load) best = p, best_load = after;
      }
      pinned_[t] = best;
      load[static_cast<std::size_t>(best)] = best_load;
    }
  }

 private:
  std::vector<int> pinned_;
};

class NaiveScheduler final : public PinnedScheduler {
 public:
  using PinnedScheduler::PinnedScheduler;

 protected:
  bool on_runs_whole_jobs() const override { return true; }
  WaitingOrder waiting_order() const override { return WaitingOrder::kFifo; }
  Layout on_make_pool(const Layout& requested, const GpuShape& gpu, std::size_t task_count) const override {
    const std::vector<int> sizes(requested.partitions.size(), gpu.sm_count);
    Layout pool = layout_from_sizes("naive:" + std::to_string(sizes.size()) + "xfull", sizes, gpu,
                                    static_cast<int>(std::max<std::size_t>(task_count, 1)));
    return pool;
  }
};

class StreamsScheduler final : public PinnedScheduler {
 public:
  using PinnedScheduler::PinnedScheduler;

 protected:
  bool on_runs_whole_jobs() const override { return true; }
  WaitingOrder waiting_order() const override { return WaitingOrder::kFifo; }
  OverrunPolicy on_default_overrun() const override { return OverrunPolicy::kSkipLate; }
  bool on_queues_on_streams() const override { return options().stream_queue; }
  bool pins_by_deadline() const override { return options().stream_priorities == StreamPriorities::kDeadlineMonotonic; }
  Layout on_make_pool(const Layout&, const GpuShape& gpu, std::size_t) const override {
    const std::vector<int> sizes(static_cast<std::size_t>(options().streams), gpu.sm_count);
    Layout pool = layout_from_sizes("streams:" + std::to_string(sizes.size()), sizes, gpu, 1);
    const int streams = static_cast<int>(pool.partitions.size());
    const int levels = std::min(streams, 6);
    for (int s = 0; s < streams; ++s) {
      Partition& p = pool.partitions[static_cast<std::size_t>(s)];
      p.name = "s" + std::to_string(s);
      if (pins_by_deadline()) p.share_weight = std::ldexp(1.0, levels - 1 - s * levels / streams);
    }
    return pool;
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_streams_scheduler(const SchedulerOptions& options) {
  return std::make_unique<StreamsScheduler>(options);
}
std::unique_ptr<Scheduler> make_naive_scheduler(const SchedulerOptions& options) {
  return std::make_unique<NaiveScheduler>(options);
}
std::unique_ptr<Scheduler> make_static_scheduler(const SchedulerOptions& options) {
  return std::make_unique<PinnedScheduler>(options);
}

}  // namespace sgprs::sim
