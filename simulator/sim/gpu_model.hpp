#pragma once
// The simulated GPU: which stages run on which partition, and when the next one
// finishes given who shares the SMs now. The engine asks
// next_finish_ns(), moves its clock to the earliest of that and its own events,
// and calls finish_next() / start() / cancel_task(); speeds follow the
// ProcessorSharing rule (gpu/processor_sharing.hpp), recomputed at every start
// and finish. With interference (sim/interference.hpp) a stage's time moves from its
// isolated toward its occupied time as SMs elsewhere turn busy. With the packed sharing rule
// (sim/packed_sharing.hpp) units that share SMs split them by demand and run their curve at the
// fractional share, slowed by the calibrated contention of k co-running units.
//
// The starts and finishes of one instant are settled together, when the next finish is
// asked for, in one pass over the running stages, with the same arithmetic, step for
// step, as rescaling at each of them would do (gpu_model.cpp says why it is the same).
//
// Invariants (checked): at most `max_parallel` stages run on a partition; time
// never goes backwards. Ties between stages finishing on the same ns are broken
// by start order (the earlier started finishes first).
#include "common/curve.hpp"
#include "common/layout.hpp"
#include "simulator/sim/interference.hpp"
#include "simulator/sim/packed_sharing.hpp"
#include "simulator/sim/processor_sharing.hpp"
#include "simulator/sim/share_time_table.hpp"
#include "simulator/sim/sharing_spread.hpp"

#include <cstdint>
#include <vector>

namespace sgprs::sim {

/// What the engine needs back when a stage finishes; opaque to the GPU model.
struct StageTag {
  int task = -1;
  int unit = -1;
  std::int64_t job = -1;
};

struct FinishedStage {
  StageTag tag;
  int partition = -1;
  Ns start_ns = 0;
};

class GpuModel {
 public:
  GpuModel(const Layout& pool, const GpuShape& gpu);

  /// Applies `rule` (which must outlive the model) from now on; the stages started with an
  /// occupied table then follow it.
  void use_interference(const Interference* rule) { interference_ = rule != nullptr && rule->active() ? rule : nullptr; }
  /// Shares SMs by the packed rule with `contention` (which must outlive the model) from now on;
  /// null: the even split with the step curve. Set before the first start.
  void use_packed_sharing(const SharingContention* contention) { packed_ = contention; }
  /// Under the packed rule, spreads each shared unit's time by `spread` (which must outlive the
  /// model; sim/sharing_spread.hpp), each unit at its level drawn from `seed`. Null or an empty
  /// spread: none. Set before the first start.
  void use_sharing_spread(const SharingSpread* spread, std::uint64_t seed) {
    spread_ = spread != nullptr && spread->active() ? spread : nullptr;
    spread_seed_ = seed;
  }
  /// Splits SMs between partitions of different share weights by the strict priority rule
  /// (sim/priority_sharing.hpp) instead of weighting them; set before the first start. A stage
  /// whose partition then gets no SMs stalls (no finish) until SMs come back.
  void use_strict_priorities(const Layout& pool, bool floor = false) {
    sharing_.use_strict_priorities(pool, floor);
    strict_ = sharing_.strict_priorities();
  }
  /// Every table a stage will start with belongs to the set `steps` describes (which must outlive
  /// the model): under the even split without interference, a partition none of whose shares of
  /// an instant crosses a step keeps its stages' durations, and settling skips it. Null: no skip.
  void use_time_steps(const TimeSteps* steps) { steps_ = steps; }
  /// Starts a stage whose full duration at a share of s SMs is times.at(s) (isolated), moved
  /// toward occupied->at(s) by the interference rule when both are given. `share_weight`: the
  /// packed rule's w(m) of the stage's model (sim/packed_sharing.hpp); unread under the even split.
  void start(Ns now, int partition, const ShareTimeTable& times, StageTag tag,
             const ShareTimeTable* occupied = nullptr, double share_weight = 1.0);
  /// Earliest finish instant of a running stage, kNever when none runs.
  Ns next_finish_ns() {
    if (unsettled_) settle();
    return next_finish_ns_;
  }
  /// Removes the stage that finishes at next_finish_ns() (`now` must equal it).
  FinishedStage finish_next(Ns now);
  /// Stops every running stage of `task` (abort policy); appends them to `out` in start order.
  void cancel_task(Ns now, int task, std::vector<FinishedStage>& out);

  int running(int partition) const { return sharing_.running(partition); }
  int max_parallel() const { return max_parallel_; }
  const ProcessorSharing& sharing() const { return sharing_; }

 private:
  struct Running {
    // A constructor, not an aggregate: emplace_back builds it in place with GCC and with clang 14,
    // which has no parenthesised aggregate initialisation (the sanitizer build's compiler).
    Running(StageTag tag_, const ShareTimeTable* times_, const ShareTimeTable* occupied_, double demand_, double cap_,
            double busy_, double saving_ns_, double level_, double remaining_, Ns duration_ns_, Ns updated_ns_,
            Ns finish_ns_, Ns start_ns_, std::uint64_t start_seq_)
        : tag(tag_), times(times_), occupied(occupied_), demand(demand_), cap(cap_), busy(busy_), saving_ns(saving_ns_),
          level(level_), remaining(remaining_), duration_ns(duration_ns_), updated_ns(updated_ns_), finish_ns(finish_ns_),
          start_ns(start_ns_), start_seq(start_seq_) {}
    StageTag tag;
    const ShareTimeTable* times;
    const ShareTimeTable* occupied;  // null: no interference for this stage
    double demand;     // weight in the SM split: 1, or the packed rule's demand
    double cap;        // SMs it keeps busy alone (the strict priority rule's C), else 0
    double busy;       // SMs it keeps busy at that share (the strict priority rule's B), else 0
    double saving_ns;  // the packed rule's Δ: time a unit sharing the whole GPU saves (packed_sharing.hpp)
    double level;      // the unit's level in the spread (sharing_spread.hpp); unread without one
    double remaining;  // share of the stage's work still to do, in [0, 1]
    Ns duration_ns;    // full duration at the current share
    Ns updated_ns;     // when `remaining` was last brought up to date
    Ns finish_ns;
    Ns start_ns;
    std::uint64_t start_seq;
  };

  /// What a stage's duration depends on besides its own tables: its partition's share and
  /// interference weight, and under the packed rule the units that share its busiest atom
  /// (0 under the even split, which does not read it).
  struct SpeedInputs {
    SpeedInputs(double share_, double weight_, int units_) : share(share_), weight(weight_), units(units_) {}
    double share;
    double weight;
    int units;
  };

  /// Records the new speed inputs of the partitions whose stages a start or finish on
  /// `changed_partition` moves (every partition when one turned busy or idle under
  /// interference); the stages themselves are brought up to date by settle().
  void note_change(Ns now, int changed_partition, bool busy_set_changed);
  /// Brings every stage whose speed changed since the last settle() up to date and finds the
  /// next finish, in one pass over the touched partitions' stages.
  void settle();
  /// Brings the stages of partition p up to date for its recorded inputs, and its earliest finish.
  // kGeneral: any sharing rule; kPlain: the even split without interference; kCopies: the same
  // for a partition of many stages (gpu_model.cpp says what each saves).
  enum class SettleMode { kGeneral, kPlain, kCopies };
  template <SettleMode kMode>
  void settle_partition(std::size_t p, Ns now);
  /// settle_partition<kPlain> for a partition that runs at most one stage.
  void settle_one_or_none(std::size_t p, Ns now);
  /// Under the even split without interference: whether every stage on p keeps its duration
  /// through the instant (no stage started or ended there, and no share of the instant crosses
  /// a step of steps_ from the one p was settled at).
  bool keeps_durations(std::size_t p) const;
  /// The stage's full duration under `in`, by the even split or the packed rule; kNever at a
  /// share of 0 (a stalled stage, strict priorities only).
  Ns duration_at(const Running& r, const SpeedInputs& in) const;
  Ns packed_duration_at(const Running& r, const SpeedInputs& in) const;
  void update_weights();
  void remove_at(std::size_t partition, std::size_t index, Ns now);

  ProcessorSharing sharing_;
  int max_parallel_;
  const Interference* interference_ = nullptr;
  const SharingContention* packed_ = nullptr;
  const SharingSpread* spread_ = nullptr;
  std::uint64_t spread_seed_ = 0;
  bool strict_ = false;
  std::vector<int> partition_sms_;
  std::vector<double> weight_;  // interference weight w(p) per partition
  // Per partition its running stages, unordered (ties resolved by start_seq), and the earliest
  // of their finishes: a start or finish settles only the partitions it touched.
  struct EarliestFinish {
    Ns finish_ns = kNever;
    std::uint64_t start_seq = 0;
    std::size_t index = 0;
    /// Takes (finish, seq, at) when it ends first, ties to the earlier start.
    void keep_earlier(Ns finish, std::uint64_t seq, std::size_t at) {
      if (finish < finish_ns || (finish == finish_ns && seq < start_seq)) *this = EarliestFinish{finish, seq, at};
    }
  };
  /// The earliest (finish, start_seq) among stages whose finish_ns kCopies may have left stale:
  /// from each unit's first-started stage, or from every stage past 8 units.
  EarliestFinish earliest_of_copies(const Running* stages, const Running* stages_end) const;
  EarliestFinish earliest_of_all(const Running* stages, const Running* stages_end) const;
  /// Recomputes the finish_ns kCopies left stale on p.
  void refresh_finishes(std::size_t p);
  std::vector<std::vector<Running>> running_;
  // Per partition: kCopies last settled it and left finish_ns stale for all but each unit's
  // first-started stage (gpu_model.cpp, earliest_of_copies).
  std::vector<char> finishes_stale_;
  std::vector<EarliestFinish> earliest_;
  // Per partition, the speed inputs it had after each start or finish of the unsettled instant
  // that touched it, in order (consecutive repeats dropped); empty: untouched.
  std::vector<std::vector<SpeedInputs>> unsettled_inputs_;
  std::vector<int> unsettled_partitions_;
  // Per partition, the share its stages' durations were last settled at by the even split
  // (kNoShare: none, or settled by another rule); settle_partition skips looking it up again.
  static constexpr double kNoShare = -1.0;
  std::vector<double> settled_share_;
  const TimeSteps* steps_ = nullptr;
  std::vector<char> membership_changed_;  // per partition: a stage started or ended there this instant
  std::vector<double> other_shares_;       // settle_partition's inputs of the instant left to look up
  std::vector<std::size_t> other_wholes_;  // and their whole SM counts (both only grow; read by index)
  bool unsettled_ = false;
  Ns unsettled_ns_ = 0;  // the instant of the unsettled starts and finishes
  Ns next_finish_ns_ = kNever;
  std::size_t next_partition_ = 0;
  std::uint64_t next_seq_ = 0;
  Ns now_ = 0;
};

}  // namespace sgprs::sim
