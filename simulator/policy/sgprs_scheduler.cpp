// SGPRS as published (paper §2.4, §4.3, §4.4, and the authors' public code), every open
// detail an option (scheduler_options.hpp):
//   deferral  a low-priority stage that is not among the last `no_defer_last`,
//             ready while no partition is idle, waits until d_j - defer_window x r_j
//             (once: when it wakes it is dispatched without a second check, as the paper's sleep)
//   pass 1    the first idle partition in scan order that finishes it before its
//             stage deadline: now + occ(s, p) < d_j (strict, as the paper)
//   pass 2    else the idle partition with the smallest now + occ(s, p)
//   pass 3    else the partition with the smallest F(p) + occ(s, p) (F: completion_estimate)
// Ties go to the earlier partition in scan order.
//
// With binding=late (sgprs-best, docs/policy.md) the passes are replaced: a ready stage waits in
// one pool-wide queue, ordered by class (priority_first) then waiting_order, and whenever a slot
// is free the first stage of the queue that may take one is bound:
//   slots     partition p runs at most slots(p) stages (slot_sms, slot_plan.hpp)
//   where     among partitions with a free slot, in ascending size, the first whose per-slot time
//             t(s, sms(p) / slots(p)) meets the stage deadline; else the fastest of them
//   reserve   a low-priority stage may not take one of the last reserve_slots free slots
//   hopeless  (drop_hopeless, miss_policy abort) a stage whose job cannot end by its deadline
//             even if the rest of it ran alone on the fastest partition (on), or ran from now on
//             the best slot's share at the pace slots have kept lately (slot) never starts; the run
//             core drops the job at its deadline, so it holds no slot meanwhile. The pace is the
//             moving mean (weight 1/32) of each finished stage's time from its start decision to
//             its end over its predicted slot time: it carries what the profile's curves leave out
//             (host time per stage, interference, sharing) in simulation and live alike. A task
//             whose whole job needs more than one slot at that pace is judged as `on`. Past the
//             edge, `on` lets jobs start that can end in time only on more SMs than a full pool
//             gives them: they run, miss and are dropped, and their GPU time is lost (docs/policy.md).
//   boundary  when a stage finishes and a stage of the same job becomes ready at that instant,
//             the freed slot is not bound until that stage has joined the queue, so it competes
//             by deadline (EDF with preemption points at stage boundaries: demand_test.hpp)
//   moldable (slot_sms=moldable) the pool is the layout's partitions cut into blocks of pieces
//             (slot_plan.hpp); in queue order each stage takes the narrowest free block, no narrower
//             than block_sms, on which the rest of its job still ends by its deadline, and runs
//             there alone; the first stage that finds none waits and nothing behind it starts;
//             under drop_hopeless=slot a stage is hopeless when the rest of its job cannot end by
//             its deadline even on the widest block free now, at the pace blocks have kept (below):
//             past the edge a late job is dropped instead of holding the queue's head for a wide block;
//             with block_need=paced its need is judged on the predicted times at the pace blocks
//             have kept lately: moving sums (weight 1/32) of finished stages' start-decision-to-end
//             times over their predicted times on their blocks, a ratio of sums so that the rest of a
//             job, a sum of stages, is scaled by what such sums took (a mean of ratios would let a
//             20-us stage's fixed launch cost inflate a 2-ms stage's need); with block_need=paced-model
//             the same sums are kept per model and a stage is judged at its own model's (the blocks'
//             until its model has finished a stage): the pooled sums are carried by the long stages,
//             so a model of short stages, which host time and busy neighbours slow the most, was
//             judged at a pace it does not keep
//             with chain=always, when a stage starts on a block, the stage after it (its one successor, of
//             which it is the one predecessor) is put on the block's stream behind it (kQueue), and the
//             block is kept for it: no other stage takes the block or a block around it, and when it
//             becomes ready it is bound there before the queue is looked at. It starts when its
//             predecessor ends, with no host round trip. A successor on a stream cannot be taken back:
//             if its job is dropped while its predecessor runs on a GPU that cannot stop it, it still
//             runs, and the block is its until it ends (run_core.hpp); chain=slack chains only while the
//             rest of the job from the successor, on that block, fits in the least slack of any task (its
//             deadline minus its whole job on the narrowest block): no task waits behind a chain for
//             longer than the slack it has
// With binding=early and slot_sms set, every partition gets the largest partition's slot count
// (the pool's max_parallel), as the paper's queues have one limit for all.
#include "simulator/policy/registry.hpp"
#include "simulator/policy/slot_plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sgprs::sim {

namespace {

/// Moving sums (weight 1/32) of finished stages' start-decision-to-end times and of their predicted
/// times on their blocks; their ratio is the pace kept lately.
struct MovingPace {
  double ran = 0;
  double predicted = 0;
  void learn(Ns ran_ns, Ns predicted_ns) {
    constexpr double kWeight = 1.0 / 32.0;
    ran += kWeight * (static_cast<double>(ran_ns) - ran);
    predicted += kWeight * (static_cast<double>(predicted_ns) - predicted);
  }
  /// The pace, or `none_yet` before any stage has finished.
  double ratio_or(double none_yet) const { return predicted > 0 ? ran / predicted : none_yet; }
};

class SgprsScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;

 protected:
  Layout on_make_pool(const Layout& requested, const GpuShape& gpu, std::size_t) const override {
    if (moldable()) return moldable_pool(requested, gpu);
    Layout pool = requested;
    pool.max_parallel = pool_max_parallel(requested, gpu, options().slot_sms);
    return pool;
  }
  bool on_runs_whole_jobs() const override { return options().units == JobUnits::kWhole; }

  void on_reset() override {
    scan_.resize(static_cast<std::size_t>(partition_count()));
    std::iota(scan_.begin(), scan_.end(), 0);
    const auto& parts = plan().pool().partitions;
    if (options().scan_order == ScanOrder::kAscendingSms || late())
      std::stable_sort(scan_.begin(), scan_.end(), [&](int a, int b) {
        return parts[static_cast<std::size_t>(a)].sms < parts[static_cast<std::size_t>(b)].sms;
      });
    slots_ = partition_slots(plan(), options().slot_sms);
    plan_defer_leads();
    held_.clear();
    next_seq_ = 0;
    if (late()) plan_late_binding();
  }

  Choice on_stage_ready(const StageRef& stage, Ns now, bool after_defer) override {
    if (late()) {
      hold(stage);
      return Choice{-1, -1, true};
    }
    return early_choice(stage, now, after_defer);
  }

  bool on_binds_late() const override { return late(); }

  bool on_stage_finished(const StageRef& stage, int partition, Ns ran_ns) override {
    if (options().drop_hopeless == DropHopeless::kSlot && !moldable()) learn_slot_pace(stage, partition, ran_ns);
    if (learns_block_pace()) learn_block_pace(stage, partition, ran_ns);
    // Does a stage of this job become ready now? Then it competes for the freed slot.
    JobProgress& job = progress_[static_cast<std::size_t>(stage.task)];
    const ModelPlan& model = plan().model_of(stage.task);
    if (job.job != stage.job) {
      job.job = stage.job;
      for (std::size_t u = 0; u < model.units.size(); ++u)
        job.preds_left[u] = static_cast<int>(model.units[u].predecessors.size());
    }
    bool successor_ready = false;
    for (int next : model.units[static_cast<std::size_t>(stage.unit)].successors)
      successor_ready = --job.preds_left[static_cast<std::size_t>(next)] == 0 || successor_ready;
    return successor_ready;
  }

  void on_task_dropped(int task, bool stages_stopped) override {
    std::erase_if(held_, [task](const Held& h) { return h.stage.task == task; });
    if (!chains_stages()) return;
    if (stages_stopped)
      unchain(task);
    else if (chained_[static_cast<std::size_t>(task)].block >= 0)  // its kept stage still runs (run_core.hpp),
      chained_[static_cast<std::size_t>(task)].last = true;           // as the job's last: nothing behind it
  }

  bool on_chains_stages() const override { return moldable() && options().chain != Chain::kOff; }

  void on_bind_held(Ns now) override {
    if (held_.empty()) return;
    if (moldable()) return bind_moldable(now);
    int free_total = 0;
    for (int p = 0; p < partition_count(); ++p) free_total += std::max(0, slots_[static_cast<std::size_t>(p)] - running(p));
    if (free_total == 0) return;
    const bool may_drop = may_drop_hopeless();
    for (std::size_t i = 0; i < held_.size() && free_total > 0;) {
      const StageRef stage = held_[i].stage;
      if (may_drop && now + hopeless_tail_ns(stage) > stage.deadline_ns) {
        set_hopeless(i);
        continue;
      }
      const bool high = plan().tasks()[static_cast<std::size_t>(stage.task)].priority == Priority::kHigh;
      if (!high && free_total <= options().reserve_slots) {
        ++i;
        continue;
      }
      const int p = late_partition(stage, now);
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
      bind(stage, p, now);
      --free_total;
    }
  }

 private:
  struct Held {
    StageRef stage;
    int key_class;  // 0 high, 1 low (priority_first), else 0
    Ns key;
    std::uint64_t seq;
  };
  struct JobProgress {
    std::int64_t job = -1;
    std::vector<int> preds_left;
  };

  bool late() const { return options().binding == Binding::kLate; }
  bool moldable() const { return late() && options().slot_sms == kMoldableSlots; }
  bool paced_need() const { return moldable() && options().block_need != BlockNeed::kProfile; }
  bool paced_by_model() const { return moldable() && options().block_need == BlockNeed::kPacedModel; }
  bool learns_block_pace() const {
    return paced_need() || (moldable() && options().drop_hopeless == DropHopeless::kSlot);
  }
  bool may_drop_hopeless() const {
    return options().drop_hopeless != DropHopeless::kOff && options().miss_policy == MissPolicy::kAbort;
  }

  /// The queue order: class, then the waiting order's key, then arrival (a total order: seq is unique).
  static bool queued_before(const Held& a, const Held& b) {
    return a.key_class != b.key_class ? a.key_class < b.key_class : a.key != b.key ? a.key < b.key : a.seq < b.seq;
  }
  /// A stage that can no longer meet its job's deadline stays so (time only grows): it leaves the
  /// queue for good, so that later look-ups do not pass it again; its job is dropped at its deadline.
  void set_hopeless(std::size_t i) { held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i)); }

  /// Moldable blocks: in queue order, each stage takes the narrowest free block at least as wide
  /// as its need (the narrowest block width at which the rest of its job still ends by its
  /// deadline), preferring the block whose surroundings are busiest so that wide blocks stay
  /// free. The first stage that finds no such block waits, and nothing behind it starts: it gets
  /// the next block that frees wide enough (strict queue order, as the demand test assumes).
  void bind_moldable(Ns now) {
    if (chained_count_ > 0) bind_chained(now);
    std::fill(piece_busy_.begin(), piece_busy_.end(), 0);
    for (int p = 0; p < partition_count(); ++p)
      if (running(p) > 0)
        for (int piece : block_pieces_[static_cast<std::size_t>(p)]) piece_busy_[static_cast<std::size_t>(piece)] = 1;
    if (chained_count_ > 0)  // a kept block is not free, though its stage has not started yet
      for (const Chained& c : chained_)
        if (c.block >= 0)
          for (int piece : block_pieces_[static_cast<std::size_t>(c.block)]) piece_busy_[static_cast<std::size_t>(piece)] = 1;
    if (std::count(piece_busy_.begin(), piece_busy_.end(), 0) == 0) return;
    const bool may_drop = may_drop_hopeless();
    const bool on_free = options().drop_hopeless == DropHopeless::kSlot;
    int widest_free = on_free ? widest_free_width() : -1;  // changes only when a stage is bound
    for (std::size_t i = 0; i < held_.size();) {
      const StageRef stage = held_[i].stage;
      if (may_drop && now + (on_free ? free_block_tail_ns(stage, widest_free) : hopeless_tail_ns(stage)) > stage.deadline_ns) {
        set_hopeless(i);
        continue;
      }
      const int need = need_sms(stage, now);
      int best = -1;
      int best_sms = 0;
      int best_busy = -1;
      for (int p = 0; p < partition_count(); ++p) {
        const int sms = plan().pool().partitions[static_cast<std::size_t>(p)].sms;
        if (sms < need || (best >= 0 && sms > best_sms) || !block_free(p)) continue;
        const int busy = busy_around(p);
        if (best < 0 || sms < best_sms || busy > best_busy) best = p, best_sms = sms, best_busy = busy;
      }
      if (best < 0) return;
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
      for (int piece : block_pieces_[static_cast<std::size_t>(best)]) piece_busy_[static_cast<std::size_t>(piece)] = 1;
      bind(stage, best, now);
      chain_successor(stage, best);
      if (on_free) widest_free = widest_free_width();
    }
  }

  /// chain (slack or always): each held stage whose block was kept for it goes there now, ahead of the queue (it is
  /// on that block's stream already).
  void bind_chained(Ns now) {
    for (std::size_t i = 0; i < held_.size();) {
      const StageRef stage = held_[i].stage;
      const Chained& c = chained_[static_cast<std::size_t>(stage.task)];
      if (c.block < 0 || c.unit != stage.unit || c.job != stage.job) {
        ++i;
        continue;
      }
      const int block = c.block;
      const bool last = c.last;
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
      unchain(stage.task);
      bind(stage, block, now);
      if (!last) chain_successor(stage, block);
    }
  }

  /// chain (slack or always): puts the stage after `stage` (its one successor, of which it is the one predecessor)
  /// on `block`'s stream behind it and keeps the block for it.
  void chain_successor(const StageRef& stage, int block) {
    if (!chains_stages()) return;
    const ModelPlan& model = plan().model_of(stage.task);
    const std::vector<int>& next = model.units[static_cast<std::size_t>(stage.unit)].successors;
    if (next.size() != 1 || model.units[static_cast<std::size_t>(next.front())].predecessors.size() != 1) return;
    const StageRef successor{stage.task, next.front(), stage.job, stage.release_ns, stage.deadline_ns};
    if (options().chain == Chain::kSlack && block_tail_ns(successor, block) > chain_limit_ns_) return;
    chained_[static_cast<std::size_t>(stage.task)] = Chained{block, next.front(), stage.job};
    ++chained_count_;
    queue_behind(successor, block);
  }

  /// The rest of the job from `stage` on block p.
  Ns block_tail_ns(const StageRef& stage, int p) const {
    const int sms = plan().pool().partitions[static_cast<std::size_t>(p)].sms;
    const auto w = static_cast<std::size_t>(std::lower_bound(widths_.begin(), widths_.end(), sms) - widths_.begin());
    return width_tail_[unit_index(stage)][w];
  }

  void unchain(int task) {
    Chained& c = chained_[static_cast<std::size_t>(task)];
    if (c.block < 0) return;
    c = Chained{};
    --chained_count_;
  }

  /// No piece of block p is in use (piece_busy_, rebuilt at each binding round).
  bool block_free(int p) const {
    for (int piece : block_pieces_[static_cast<std::size_t>(p)])
      if (piece_busy_[static_cast<std::size_t>(piece)]) return false;
    return true;
  }

  /// Index into widths_ of the widest block free now; -1 when none is.
  int widest_free_width() const {
    int widest = -1;
    for (int p = 0; p < partition_count(); ++p)
      if (block_free(p)) widest = std::max(widest, plan().pool().partitions[static_cast<std::size_t>(p)].sms);
    if (widest < 0) return -1;
    return static_cast<int>(std::find(widths_.begin(), widths_.end(), widest) - widths_.begin());
  }

  /// drop_hopeless=slot on moldable blocks: the rest of the job on the widest block free now, at
  /// the pace blocks have kept (a stage is hopeless when even that misses: past the edge a late job
  /// is dropped instead of holding the queue's head until a wide block frees).
  Ns free_block_tail_ns(const StageRef& stage, int widest_free) const {
    if (widest_free < 0) return 0;  // nothing free: judged when a block frees
    return static_cast<Ns>(static_cast<double>(width_tail_[unit_index(stage)][static_cast<std::size_t>(widest_free)]) *
                           block_pace());
  }

  /// Busy pieces in the blocks that contain block p (its buddies' use, level by level).
  int busy_around(int p) const {
    int busy = 0;
    for (int outer : enclosing_[static_cast<std::size_t>(p)])
      for (int piece : block_pieces_[static_cast<std::size_t>(outer)]) busy += piece_busy_[static_cast<std::size_t>(piece)];
    return busy;
  }

  /// The narrowest block width (SMs) at which the rest of the job still ends by its deadline (at
  /// the pace blocks have kept, under block_need=paced); the widest block when none does.
  int need_sms(const StageRef& stage, Ns now) const {
    const std::vector<Ns>& tails = width_tail_[unit_index(stage)];
    const bool paced = paced_need();
    for (std::size_t w = 0; w < widths_.size(); ++w) {
      if (widths_[w] < narrowest_) continue;
      const Ns tail = paced ? static_cast<Ns>(static_cast<double>(tails[w]) * pace_of(stage)) : tails[w];
      if (now + tail <= stage.deadline_ns) return widths_[w];
    }
    return widths_.back();
  }

  /// The task's whole job, its stages one after another, on `sms` SMs.
  Ns job_ns_at(const TaskPlan& task, int sms) const {
    Ns job = 0;
    for (const Unit& unit : plan().models()[static_cast<std::size_t>(task.model)].units) job += unit.predicted_curve->time_at(sms);
    return job;
  }

  void plan_moldable() {
    const auto& parts = plan().pool().partitions;
    int most_piece = 0;
    block_pieces_.clear();
    for (const Partition& part : parts) {
      block_pieces_.push_back(part.pieces);
      for (int piece : part.pieces) most_piece = std::max(most_piece, piece);
    }
    piece_busy_.assign(static_cast<std::size_t>(most_piece) + 1, 0);
    enclosing_.assign(parts.size(), {});
    widths_.clear();
    std::vector<std::vector<int>> sorted_pieces;
    for (const Partition& part : parts) {
      sorted_pieces.push_back(part.pieces);
      std::sort(sorted_pieces.back().begin(), sorted_pieces.back().end());
    }
    for (std::size_t p = 0; p < parts.size(); ++p) {
      widths_.push_back(parts[p].sms);
      for (std::size_t q = 0; q < parts.size(); ++q)
        if (q != p && sorted_pieces[q].size() > sorted_pieces[p].size() &&
            std::includes(sorted_pieces[q].begin(), sorted_pieces[q].end(), sorted_pieces[p].begin(), sorted_pieces[p].end()))
          enclosing_[p].push_back(static_cast<int>(q));
    }
    std::sort(widths_.begin(), widths_.end());
    widths_.erase(std::unique(widths_.begin(), widths_.end()), widths_.end());
    narrowest_ = widths_.back();
    if (options().block_sms > 0) {
      for (int w : widths_)
        if (w >= options().block_sms) {
          narrowest_ = w;
          break;
        }
    } else {
      // The narrowest width at which every task's whole job fits its deadline.
      for (int w : widths_) {
        bool fits = true;
        for (const TaskPlan& task : plan().tasks()) fits = fits && job_ns_at(task, w) <= task.deadline_ns;
        if (fits) {
          narrowest_ = w;
          break;
        }
      }
    }
    // chain=slack: the least slack of any task, its deadline minus its whole job on the narrowest block.
    chain_limit_ns_ = kNever;
    for (const TaskPlan& task : plan().tasks())
      chain_limit_ns_ = std::min(chain_limit_ns_, std::max<Ns>(0, task.deadline_ns - job_ns_at(task, narrowest_)));
    width_tail_.assign(tail_.size(), std::vector<Ns>(widths_.size(), 0));
    for (std::size_t m = 0; m < plan().models().size(); ++m) {
      const ModelPlan& model = plan().models()[m];
      for (std::size_t u = model.units.size(); u-- > 0;)
        for (std::size_t w = 0; w < widths_.size(); ++w) {
          Ns after = 0;
          for (int next : model.units[u].successors)
            after = std::max(after, width_tail_[unit_base_[m] + static_cast<std::size_t>(next)][w]);
          width_tail_[unit_base_[m] + u][w] = model.units[u].predicted_curve->time_at(widths_[w]) + after;
        }
    }
  }


  void plan_late_binding() {
    const auto& parts = plan().pool().partitions;
    const std::size_t n = static_cast<std::size_t>(partition_count());
    unit_base_.clear();
    std::size_t units = 0;
    for (const ModelPlan& model : plan().models()) {
      unit_base_.push_back(units);
      units += model.units.size();
    }
    slot_time_.assign(units * n, 0);
    tail_.assign(units, 0);
    slot_tail_.assign(units, 0);
    for (std::size_t m = 0; m < plan().models().size(); ++m) {
      const ModelPlan& model = plan().models()[m];
      for (std::size_t u = model.units.size(); u-- > 0;) {
        const std::size_t index = unit_base_[m] + u;
        Ns fastest = kNever;
        Ns best_slot = kNever;
        for (std::size_t p = 0; p < n; ++p) {
          const int share = std::max(1, parts[p].sms / slots_[p]);
          slot_time_[index * n + p] = model.units[u].predicted_curve->time_at(share);
          best_slot = std::min(best_slot, slot_time_[index * n + p]);
          fastest = std::min(fastest, plan().predicted_ns(static_cast<int>(m), static_cast<int>(u), static_cast<int>(p)));
        }
        Ns after = 0;
        Ns slot_after = 0;
        for (int s : model.units[u].successors) {
          after = std::max(after, tail_[unit_base_[m] + static_cast<std::size_t>(s)]);
          slot_after = std::max(slot_after, slot_tail_[unit_base_[m] + static_cast<std::size_t>(s)]);
        }
        tail_[index] = fastest + after;
        slot_tail_[index] = best_slot + slot_after;
      }
    }
    job_slot_ns_.assign(plan().tasks().size(), 0);
    for (std::size_t t = 0; t < plan().tasks().size(); ++t) {
      const TaskPlan& task = plan().tasks()[t];
      const ModelPlan& model = plan().models()[static_cast<std::size_t>(task.model)];
      for (std::size_t u = 0; u < model.units.size(); ++u)
        if (model.units[u].predecessors.empty())
          job_slot_ns_[t] = std::max(job_slot_ns_[t], slot_tail_[unit_base_[static_cast<std::size_t>(task.model)] + u]);
    }
    slot_pace_ = 1.0;
    block_pace_ = MovingPace{};
    model_paces_.assign(paced_by_model() ? plan().models().size() : 0, MovingPace{});
    progress_.assign(plan().tasks().size(), JobProgress{});
    for (std::size_t t = 0; t < plan().tasks().size(); ++t)
      progress_[t].preds_left.assign(plan().model_of(static_cast<int>(t)).units.size(), 0);
    if (moldable()) plan_moldable();
    chained_.assign(plan().tasks().size(), Chained{});
    chained_count_ = 0;
  }

  std::size_t unit_index(const StageRef& stage) const {
    return unit_base_[static_cast<std::size_t>(plan().tasks()[static_cast<std::size_t>(stage.task)].model)] +
           static_cast<std::size_t>(stage.unit);
  }
  /// Predicted time of the stage on one slot of p (p's SMs shared by all its slots).
  Ns slot_ns(const StageRef& stage, int p) const {
    return slot_time_[unit_index(stage) * static_cast<std::size_t>(partition_count()) + static_cast<std::size_t>(p)];
  }
  /// The least time the rest of the job (this stage and every later one) could take.
  Ns tail_ns(const StageRef& stage) const { return tail_[unit_index(stage)]; }
  /// The time the rest of the job must have left for it not to be hopeless (drop_hopeless).
  Ns hopeless_tail_ns(const StageRef& stage) const {
    if (options().drop_hopeless != DropHopeless::kSlot) return tail_ns(stage);
    const TaskPlan& task = plan().tasks()[static_cast<std::size_t>(stage.task)];
    const double job_at_pace = static_cast<double>(job_slot_ns_[static_cast<std::size_t>(stage.task)]) * slot_pace_;
    if (job_at_pace > static_cast<double>(task.deadline_ns)) return tail_ns(stage);
    return static_cast<Ns>(static_cast<double>(slot_tail_[unit_index(stage)]) * slot_pace_);
  }
  void learn_slot_pace(const StageRef& stage, int partition, Ns ran_ns) {
    const Ns predicted = slot_ns(stage, partition);
    if (predicted <= 0) return;
    constexpr double kWeight = 1.0 / 32.0;
    slot_pace_ += kWeight * (static_cast<double>(ran_ns) / static_cast<double>(predicted) - slot_pace_);
  }

  void learn_block_pace(const StageRef& stage, int block, Ns ran_ns) {
    const Ns predicted = slot_ns(stage, block);
    block_pace_.learn(ran_ns, predicted);
    if (paced_by_model()) model_paces_[model_of(stage)].learn(ran_ns, predicted);
  }
  double block_pace() const { return block_pace_.ratio_or(1.0); }
  /// The pace a stage's need is judged at: the blocks' pace, or its model's (block_need=paced-model).
  double pace_of(const StageRef& stage) const {
    return paced_by_model() ? model_paces_[model_of(stage)].ratio_or(block_pace()) : block_pace();
  }
  std::size_t model_of(const StageRef& stage) const {
    return static_cast<std::size_t>(plan().tasks()[static_cast<std::size_t>(stage.task)].model);
  }

  void hold(const StageRef& stage) {
    const TaskPlan& task = plan().tasks()[static_cast<std::size_t>(stage.task)];
    Held h{stage, options().priority_first && task.priority == Priority::kLow ? 1 : 0, 0, next_seq_++};
    switch (options().waiting_order) {
      case WaitingOrder::kFifo: h.key = static_cast<Ns>(h.seq); break;
      case WaitingOrder::kEdf: h.key = stage_deadline(stage); break;
      case WaitingOrder::kLeastSlack: h.key = stage_deadline(stage) - tail_ns(stage); break;
      case WaitingOrder::kJobEdf: h.key = stage.deadline_ns; break;
    }
    held_.insert(std::upper_bound(held_.begin(), held_.end(), h, queued_before), h);  // kept in queue order
  }

  int late_partition(const StageRef& stage, Ns now) const {
    const Ns deadline = stage_deadline(stage);
    int fastest = -1;
    Ns fastest_ns = kNever;
    for (int p : scan_) {
      if (running(p) >= slots_[static_cast<std::size_t>(p)]) continue;
      const Ns t = slot_ns(stage, p);
      if (now + t <= deadline) return p;
      if (t < fastest_ns) fastest = p, fastest_ns = t;
    }
    return fastest;
  }

  // The deferral's lead defer_window x r_j, rounded, per stage of each task: a function of the
  // plan alone, so found once per run instead of by a libm call at every ready stage.
  void plan_defer_leads() {
    defer_base_.clear();
    defer_lead_ns_.clear();
    for (const TaskPlan& task : plan().tasks()) {
      defer_base_.push_back(defer_lead_ns_.size());
      for (Ns slice : task.stage_slice_ns)
        defer_lead_ns_.push_back(static_cast<Ns>(std::llround(options().defer_window * static_cast<double>(slice))));
    }
  }

  Choice early_choice(const StageRef& stage, Ns now, bool after_defer) const {
    const TaskPlan& task = plan().tasks()[static_cast<std::size_t>(stage.task)];
    const Unit& unit = plan().model_of(stage.task).units[static_cast<std::size_t>(stage.unit)];
    const Ns deadline = stage_deadline(stage);
    const Ns* const predicted = plan().predicted_row(task.model, stage.unit);  // predicted_ns(stage, p) at [p]
    bool any_idle = false;
    for (int p : scan_) any_idle = any_idle || idle(p);

    if (!after_defer && !any_idle && task.priority == Priority::kLow && unit.depth_to_sink > options().no_defer_last) {
      const Ns earliest =
          deadline - defer_lead_ns_[defer_base_[static_cast<std::size_t>(stage.task)] + static_cast<std::size_t>(stage.unit)];
      if (now < earliest) return Choice{-1, earliest};
    }
    for (int p : scan_)
      if (idle(p) && now + predicted[p] < deadline) return Choice{p, -1};
    int best = -1;
    Ns best_finish = kNever;
    if (any_idle) {
      for (int p : scan_) {
        const Ns finish = now + predicted[p];
        if (idle(p) && finish < best_finish) best = p, best_finish = finish;
      }
      return Choice{best, -1};
    }
    for (int p : scan_) {
      const Ns finish = predicted_free_ns(p, now) + predicted[p];
      if (finish < best_finish) best = p, best_finish = finish;
    }
    return Choice{best, -1};
  }

  std::vector<int> scan_;
  std::vector<int> slots_;
  std::vector<std::size_t> defer_base_;  // [task]: its first index into defer_lead_ns_
  std::vector<Ns> defer_lead_ns_;        // [defer base + unit]: llround(defer_window x r_j)
  std::vector<Held> held_;      // the pool-wide queue, in queue order (queued_before)
  std::uint64_t next_seq_ = 0;
  std::vector<std::size_t> unit_base_;
  std::vector<Ns> slot_time_;  // [(unit base + unit) x partitions + p]
  std::vector<Ns> tail_;       // [unit base + unit]
  std::vector<Ns> slot_tail_;  // [unit base + unit]: the rest of the job on the best slot share each
  std::vector<Ns> job_slot_ns_;  // [task]: its whole job on the best slot share
  double slot_pace_ = 1.0;        // recent (start decision to end) / predicted slot time
  MovingPace block_pace_;                // moldable blocks' pace (learns_block_pace)
  std::vector<MovingPace> model_paces_;  // the same per model (block_need=paced-model)
  std::vector<JobProgress> progress_;
  // Moldable blocks (slot_sms=moldable).
  std::vector<std::vector<int>> block_pieces_;  // per pool partition (block)
  std::vector<std::vector<int>> enclosing_;     // per block: the blocks that contain it
  std::vector<char> piece_busy_;                // per piece, rebuilt at each binding round
  std::vector<int> widths_;                     // distinct block SMs, ascending
  int narrowest_ = 0;                           // block_sms as a block width
  std::vector<std::vector<Ns>> width_tail_;     // [unit base + unit][width]: the rest of the job at that width
  struct Chained {  // chain: the stage a task's block is kept for
    int block = -1;
    int unit = -1;
    std::int64_t job = -1;
    bool last = false;  // its job is being dropped: it runs, but nothing more is chained
  };
  std::vector<Chained> chained_;  // per task
  int chained_count_ = 0;         // tasks with a kept block
  Ns chain_limit_ns_ = 0;         // chain=slack: the longest rest of a job a block is kept for
};

}  // namespace

std::unique_ptr<Scheduler> make_sgprs_scheduler(const SchedulerOptions& options) {
  return std::make_unique<SgprsScheduler>(options);
}

}  // namespace sgprs::sim
