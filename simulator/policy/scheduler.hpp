#pragma once
// A scheduling policy: plain C++ with no clock and no CUDA (docs/architecture.md "One
// scheduler, two worlds"). The platform tells it what happened, with the time
// as an argument; it answers with decisions appended to `out`:
//   kAssign  stage s of job j is sent to partition p (it starts when p has a free slot)
//   kStart   stage s starts on partition p now (p had, or just got, a free slot)
//   kDefer   stage s waits until `until_ns`; the platform calls defer_ended() then
//   kQueue   stage s waits for partition p's one slot, FIFO, and a platform whose partitions
//            are streams may put it on p's stream now (kStart for it follows when the slot
//            frees; only policies that queue on streams, queues_on_streams()); or, from a policy
//            that chains stages (chains_stages()), s is the successor of the stage just started
//            on p and goes onto p's stream behind it: kStart for it follows when s is ready
//
// The mechanism every policy shares lives here, in public non-virtual methods:
// per partition the queue of assigned stages (running and
// waiting), at most max_parallel of them running, the waiting order, and the
// invariant checks. A policy only implements the protected hooks: which
// partition a ready stage goes to (or how long it waits), its waiting order,
// and the partition pool it wants.
//
//   auto s = make_scheduler("sgprs", options);          // policy/registry.hpp
//   Layout pool = s->make_pool(layout, gpu, tasks);      // before the plan is built
//   s->reset(plan);                                      // a clean start for every run
//   s->stage_ready(ref, now, out);  ... s->stage_finished(ref, p, now, out);
#include "common/layout.hpp"
#include "simulator/policy/policy_plan.hpp"
#include "simulator/policy/scheduler_options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sgprs::sim {

struct StageRef {
  int task = -1;
  int unit = -1;
  std::int64_t job = -1;
  Ns release_ns = 0;   // the job's nominal release
  Ns deadline_ns = 0;  // the job's absolute deadline
};

struct Decision {
  enum class Kind : std::uint8_t { kAssign, kStart, kDefer, kQueue };
  // A constructor, so that a decision is built in place in the list it goes to (emplace_back):
  // built on the stack and copied in, its one-byte kind and its stage were read back as 16-byte
  // words, loads no store can forward (a stall at every decision; docs/experiments.md, issue 12).
  Decision(Kind kind_, const StageRef& stage_, int partition_, Ns until_ns_)
      : kind(kind_), stage(stage_), partition(partition_), until_ns(until_ns_) {}
  Kind kind;
  StageRef stage;
  int partition;
  Ns until_ns;
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions options) : options_(options) {}
  virtual ~Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// The pool this policy runs on, given the requested layout.
  Layout make_pool(const Layout& requested, const GpuShape& gpu, std::size_t task_count) const {
    return on_make_pool(requested, gpu, task_count);
  }
  /// True when the policy runs each job as one unit (the whole model).
  bool runs_whole_jobs() const { return on_runs_whole_jobs(); }
  /// Whether this policy may ever send a unit of `task` to `partition` (after reset()): a live
  /// device prepares only those (pinned schedulers use one partition per task).
  bool may_use(int task, int partition) const { return on_may_use(task, partition); }
  /// Whether a stage that waits for its partition's slot is announced with kQueue (after reset()):
  /// the policy asks for it (on_queues_on_streams), stages start in assignment order on one slot per
  /// partition, and no job is ever dropped (a stage already on a GPU stream cannot be taken back).
  bool queues_on_streams() const { return queues_on_streams_; }
  /// Whether the policy puts a stage's successor on its partition's stream behind it when the stage
  /// starts (after reset(); kQueue above): a platform's partition then holds one unit queued behind
  /// its running one.
  bool chains_stages() const { return chains_stages_; }
  /// The overrun rule the run core applies (option `overrun`, or the policy's own for auto).
  OverrunPolicy overrun_policy() const {
    return options_.overrun == OverrunPolicy::kAuto ? on_default_overrun() : options_.overrun;
  }

  /// Forgets every previous run; `plan` must outlive the run.
  void reset(const PolicyPlan& plan);

  /// A stage's predecessors have all finished (or it has none).
  void stage_ready(const StageRef& stage, Ns now, std::vector<Decision>& out);
  /// A stage deferred by a kDefer decision may go now.
  void defer_ended(const StageRef& stage, Ns now, std::vector<Decision>& out);
  /// A started stage finished on `partition`; its slot is free.
  void stage_finished(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out);
  /// A job was dropped (abort policy): its running stages were stopped by the
  /// platform; its queued stages are forgotten and the freed slots handed on.
  void job_dropped(int task, Ns now, std::vector<Decision>& out);
  /// A job is being dropped on a platform that cannot stop running stages: its
  /// stages waiting for a slot are forgotten; its running ones keep their slots
  /// until stage_finished() (abort policy, run_core.hpp).
  void drop_waiting_stages(int task, Ns now, std::vector<Decision>& out);

  /// Virtual deadline of a stage (release + S_j).
  Ns stage_deadline(const StageRef& stage) const {
    return stage.release_ns + plan_->tasks()[static_cast<std::size_t>(stage.task)]
                                  .stage_deadline_offset_ns[static_cast<std::size_t>(stage.unit)];
  }
  const SchedulerOptions& options() const { return options_; }

 protected:
  struct Choice {
    int partition = -1;   // >= 0: send the stage there
    Ns defer_until = -1;  // otherwise: wait until then
    bool hold = false;    // or: the policy keeps it in its own queue and binds it later (bind())
  };
  /// Where a ready stage goes. `after_defer` is true when it already waited once.
  virtual Choice on_stage_ready(const StageRef& stage, Ns now, bool after_defer) = 0;
  virtual WaitingOrder waiting_order() const { return options_.waiting_order; }
  virtual Layout on_make_pool(const Layout& requested, const GpuShape& gpu, std::size_t task_count) const;
  virtual bool on_runs_whole_jobs() const { return false; }
  /// The policy wants its waiting stages put on their partition's stream at once (queues_on_streams).
  virtual bool on_queues_on_streams() const { return false; }
  virtual OverrunPolicy on_default_overrun() const { return OverrunPolicy::kReleaseLate; }
  virtual bool on_may_use(int task, int partition) const {
    (void)task;
    (void)partition;
    return true;
  }
  virtual void on_reset() {}
  // Late binding. After every call that may free a slot or hand the policy a held stage, the base
  // calls on_bind_held(), in which the policy calls bind() for each held stage it starts now.
  /// Whether the policy may hold stages (Choice::hold) and bind them later (read at reset()): only
  /// such a policy is called at on_stage_finished() and on_bind_held(), two calls per stage that a
  /// policy binding at once would answer with nothing.
  virtual bool on_binds_late() const { return false; }
  virtual void on_bind_held(Ns now) { (void)now; }
  /// A stage finished on `partition`, `ran_ns` after the decision that started it (host time, GPU
  /// time and sharing together); true asks the base not to call on_bind_held() now because a
  /// stage of the same job becomes ready at this instant and should compete for the freed slot.
  virtual bool on_stage_finished(const StageRef& stage, int partition, Ns ran_ns) {
    (void)stage;
    (void)partition;
    (void)ran_ns;
    return false;
  }
  /// The task's job was dropped: forget its held stages. `stages_stopped`: its running stages were
  /// stopped too (job_dropped); otherwise they run on (drop_waiting_stages), and a successor already
  /// put behind one on its stream will run as well (run_core.hpp).
  virtual void on_task_dropped(int task, bool stages_stopped) {
    (void)task;
    (void)stages_stopped;
  }
  /// Whether the policy chains stages (chains_stages(); read at reset()).
  virtual bool on_chains_stages() const { return false; }
  /// Sends a held stage to `partition` now (only from on_bind_held()).
  void bind(const StageRef& stage, int partition, Ns now);
  /// Puts `next`, the one successor of a stage that bind() just started on `partition`, on that
  /// partition's stream behind it (only from on_bind_held(), by a policy that chains stages). The
  /// policy must bind `next` to `partition` when it becomes ready.
  void queue_behind(const StageRef& next, int partition);

  // --- What a policy may look at -------------------------------------------
  const PolicyPlan& plan() const { return *plan_; }
  int partition_count() const { return plan_->partition_count(); }
  /// No stage assigned to the partition (running or waiting): the paper's "empty queue".
  bool idle(int partition) const { return queues_[static_cast<std::size_t>(partition)].size == 0; }
  int running(int partition) const { return running_[static_cast<std::size_t>(partition)]; }
  Ns predicted_ns(const StageRef& stage, int partition) const {
    return plan_->predicted_ns(plan_->tasks()[static_cast<std::size_t>(stage.task)].model, stage.unit, partition);
  }
  /// F(p): when partition p's queue is predicted to drain enough for one more stage
  /// (option completion_estimate); `now` for an idle partition.
  Ns predicted_free_ns(int partition, Ns now) const;

 private:
  // Every stage the policy holds (waiting for a slot or running) is one Entry; a task runs one
  // job at a time, so (task, unit) names at most one held entry. Per partition, the entries
  // form a list in assignment order (the completion estimates read it) and the waiting ones are
  // ordered by (key, seq): a binary heap, or under FIFO simply the list from the first waiting
  // entry on (stages start in assignment order there). No operation scans or shifts a queue,
  // so the work per event does not grow with the queue.
  struct Entry {
    StageRef stage;
    Ns key = 0;             // waiting order key, smaller first
    std::uint64_t seq = 0;  // assignment order, breaks ties
    Ns started_ns = -1;     // -1 while waiting for a slot
    Ns predicted_ns = 0;    // on this partition
    int partition = -1;
    int prev = -1, next = -1;  // assignment-order neighbours in the partition's queue
    int heap_pos = -1;         // index in the partition's waiting heap (not under FIFO)
  };
  struct Queue {
    int head = -1, tail = -1;  // first and last assigned entry still held
    int first_waiting = -1;    // FIFO: the next entry to start
    int size = 0;              // entries held (running and waiting)
    Ns predicted_sum = 0;      // sum of their predicted times
    std::vector<int> waiting;  // not FIFO: heap of entries by (key, seq)
  };

  int& held_entry(int task, int unit) {
    return held_[static_cast<std::size_t>(unit_base_[static_cast<std::size_t>(task)] + unit)];
  }
  bool waits_before(int a, int b) const;
  void heap_up(Queue& q, std::size_t pos);
  void heap_down(Queue& q, std::size_t pos);
  void heap_remove(Queue& q, int index);
  void remove_entry(int index);

  void assign(const StageRef& stage, int partition, Ns now, std::vector<Decision>& out);
  /// Starts waiting stages while `partition` has a free slot; `fresh_stage` is the stage of entry
  /// `fresh_index` when assign() has just written it (-1: none).
  void start_waiting(int partition, Ns now, std::vector<Decision>& out, int fresh_index = -1,
                     const StageRef* fresh_stage = nullptr);
  void dispatch(const StageRef& stage, Ns now, bool after_defer, std::vector<Decision>& out);
  void bind_held(Ns now, std::vector<Decision>& out);

  SchedulerOptions options_;
  const PolicyPlan* plan_ = nullptr;
  // Read at reset(): waiting_order() is virtual, and both are read at every assignment or start.
  WaitingOrder order_ = WaitingOrder::kFifo;  // waiting_order()
  bool fifo_ = true;            // waiting_order() is FIFO
  int max_parallel_ = 1;        // the pool's
  bool queues_on_streams_ = false;
  bool binds_late_ = false;     // on_binds_late()
  bool chains_stages_ = false;  // on_chains_stages()
  std::vector<int> unit_base_;  // per task: its first index into held_
  std::vector<int> held_;       // per (task, unit): its entry, -1 when not held
  std::vector<Entry> entries_;  // held entries and free ones (free_)
  std::vector<int> free_;
  std::vector<Queue> queues_;   // per partition
  std::vector<int> running_;
  std::uint64_t next_seq_ = 0;
  mutable std::vector<Ns> slot_scratch_;
  std::vector<Decision>* bind_out_ = nullptr;  // set only while on_bind_held() runs
};

}  // namespace sgprs::sim
