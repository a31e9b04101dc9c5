#pragma once
// Every constant and every open detail of the SGPRS policy as a named option,
// with the paper's behaviour as the default. The table behind
// scheduler_option_infos() is the one source for `--option k=v`, the per-option
// CLI flags, `--help`, docs/simulator.md and the provenance in summary.json.
//
//   SchedulerOptions o;                                  // the paper's SGPRS
//   set_scheduler_option(o, "waiting_order", "edf", "--option");
//   o.to_json();  // {"deadline_fraction": 0.99, ...}
#include "common/json_io.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sgprs::sim {

/// Order among stages that wait for a slot of the partition they were sent to.
enum class WaitingOrder {
  kFifo,        // arrival order (paper: no order, OS wake-up; FIFO is its deterministic reading)
  kEdf,         // earliest stage (virtual) deadline first
  kLeastSlack,  // least (stage deadline - now - predicted time on that partition) first
  kJobEdf,      // earliest job deadline first (the `sequential` baseline's order)
};
/// What happens to a job still unfinished at its absolute deadline.
enum class MissPolicy {
  kRunToCompletion,  // paper: it runs on; wholly elapsed periods are skipped (and count as misses)
  kAbort,            // it is dropped at its deadline: running stages stop, queued ones are discarded
};
/// Order in which pass 1 looks for the smallest sufficient idle partition.
enum class ScanOrder { kPool, kAscendingSms };
/// F(p), the predicted time partition p's queue drains (paper §4.4).
enum class CompletionEstimate {
  kSerial,    // paper: head start + sum of every queued stage's time, as if they ran one by one
  kParallel,  // max_parallel-aware: queued stages fill the partition's slots as they free up
};
/// What happens to the next job of a task whose previous job ends after the next release.
enum class OverrunPolicy {
  kAuto,         // the scheduler's own rule: release-late, except `streams` (skip-late)
  kReleaseLate,  // paper: released at max(r, f); only periods that passed wholly are skipped
  kSkipLate,     // a job whose release instant passed while the previous ran is skipped (a busy stream drops frames)
};
/// When a ready stage is bound to a partition.
enum class Binding {
  kEarly,  // paper 4.4: at once, to a partition's queue (passes 1-3)
  kLate,   // it waits in one queue for the whole pool and is bound to the first free slot it may take
};
/// Priorities of the `streams` baseline's streams.
enum class StreamPriorities {
  kNone,               // every stream equal (PyTorch's default)
  kDeadlineMonotonic,  // tasks in deadline order fill the streams in blocks; earlier streams get higher priority
};
/// When late binding drops a job that can no longer meet its deadline (needs miss_policy abort).
enum class DropHopeless {
  kOff,
  kFastest,  // "on": not even if the rest of the job ran alone on the fastest partition
  kSlot,     // not even if the rest of the job ran from now on one slot's share of SMs at the pace slots
             // have kept lately (queueing aside); a task whose whole job at that pace does not fit its
             // deadline on one slot is judged as kFastest; on moldable blocks: not even on the widest
             // block free now, at the pace blocks have kept
};
/// How slot_sms=moldable judges the narrowest block on which the rest of a job still ends by its deadline.
// slot_sms=moldable, option `chain`: never; while the rest of the job from the successor fits in the
// least slack of any task (its deadline minus its whole job on the narrowest block); always.
enum class Chain { kOff, kSlack, kAlways };
enum class BlockNeed {
  kProfile,  // on the profile's predicted times at each block width
  kPaced,    // on them times the pace blocks have kept lately (as drop_hopeless=slot's pace): what the
             // curves leave out (host time per stage, interference from the other blocks) widens the need
  kPacedModel,  // the same with one pace per model: the co-run slowdown differs by model (memory-bound
                // early layers and heads slow most beside busy blocks, docs/validation.md)
};
/// What a partition runs of a job: one stage at a time, or the whole job as one unit.
enum class JobUnits {
  kStages,  // paper 3: every stage is a unit of its own and may go to another partition
  kWhole,   // the job is one unit (one whole-model graph live): no migration, no gap between stages
};
/// How `static` pins tasks to partitions.
enum class StaticAssignment {
  kRoundRobin,  // task i -> partition i mod N
  kBalanced,    // in task order, to the partition with the least predicted utilisation so far
};

/// slot_sms value of the moldable blocks (slot_plan.hpp).
inline constexpr int kMoldableSlots = -2;

struct SchedulerOptions {
  // Paper §2.4: stage deadlines split Q = 0.99 x D (D = T in the paper).
  double deadline_fraction = 0.99;
  // Paper §2.4/§4.3: a stage may start early only from e_j = d_j - 2 r_j.
  double defer_window = 2.0;
  // Paper §4.3: the last two stages (layer4, head) never wait. For a DAG: stages
  // whose longest path to a sink, themselves included, has at most this many stages.
  int no_defer_last = 2;
  // Paper §2.4: C_j is measured on the last partition (index n-1). -1 = last,
  // -2 = the partition with the most SMs, otherwise a partition index.
  int reference_partition = -1;
  ScanOrder scan_order = ScanOrder::kPool;
  CompletionEstimate completion_estimate = CompletionEstimate::kSerial;
  WaitingOrder waiting_order = WaitingOrder::kFifo;
  MissPolicy miss_policy = MissPolicy::kRunToCompletion;
  StaticAssignment static_assignment = StaticAssignment::kRoundRobin;
  OverrunPolicy overrun = OverrunPolicy::kAuto;
  // The `streams` baseline: plain streams on the whole GPU, task i on stream i mod streams.
  int streams = 16;
  StreamPriorities stream_priorities = StreamPriorities::kNone;
  // `streams`: a job whose stream is busy goes onto the stream at once and runs when the stream
  // frees (what PyTorch does); off: it is launched when its stream's previous job has ended.
  bool stream_queue = true;
  // The rules of sgprs-best (docs/policy.md); the paper's behaviour is off / early / the layout's slots.
  Binding binding = Binding::kEarly;
  // Slots (stages at once) per partition: 0 = the layout's max_parallel (paper), -1 = one slot per
  // most SM-efficient size of the workload (derived from the profile), N > 0 = one slot per N SMs,
  // kMoldableSlots = moldable blocks (slot_plan.hpp).
  int slot_sms = 0;
  // slot_sms=moldable: the narrowest block, 0 = from the deadlines, N > 0 = N SMs (slot_plan.hpp).
  int block_sms = 0;
  BlockNeed block_need = BlockNeed::kProfile;  // slot_sms=moldable: need judged on the profile or at the pace
  // slot_sms=moldable: a stage's one successor goes onto its block's stream behind it when it starts
  // (no host round trip between a job's stages; the block stays the job's until that stage starts).
  Chain chain = Chain::kOff;
  DropHopeless drop_hopeless = DropHopeless::kOff;  // late binding: a hopeless job's stages never start
  bool priority_first = false;  // late binding: high-priority stages before low ones in the queue
  int reserve_slots = 0;        // late binding: free slots a low-priority stage may not take
  // sgprs: stages (paper) or whole jobs as the units partitions run (naive, static and streams run whole
  // jobs whatever this says; docs/policy.md "Whole jobs").
  JobUnits units = JobUnits::kStages;

  Json to_json() const;
};

struct SchedulerOptionInfo {
  std::string name;         // "waiting_order": the key of --option and of the JSON
  std::string values;       // "fifo|edf|least-slack|job-edf" or "number in (0, 1]"
  std::string help;         // one line, with the paper section behind it
  std::string paper_value;  // the default, as text
};

/// Every option, in a stable order.
const std::vector<SchedulerOptionInfo>& scheduler_option_infos();
/// Sets one option from text; InputError(source, name, ...) on an unknown name or a bad value.
void set_scheduler_option(SchedulerOptions& options, std::string_view name, std::string_view value,
                          const std::string& source);
/// The current value of an option, as text that set_scheduler_option accepts.
std::string get_scheduler_option(const SchedulerOptions& options, std::string_view name);

std::string to_string(WaitingOrder order);
std::string to_string(MissPolicy policy);
std::string to_string(Binding binding);

}  // namespace sgprs::sim
