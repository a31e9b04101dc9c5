#include "simulator/sim/gpu_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sgprs::sim {

namespace {

// A stage behind more urgent streams that use every SM (strict priorities) makes no progress.
// The tolerance (far below any real share) keeps the rounding left when a level's SMs are
// used up from giving a share that would overflow the duration's Ns.
bool stalled(double share) { return share < 1e-6; }

Ns finish_after(Ns now, double remaining, Ns duration) {
  // The tolerance absorbs rounding in `remaining`, so an undisturbed stage ends
  // exactly `duration` ns after its start and never one ns late.
  // now + max(std::ceil(x), 0) for the values met here (|x| < 2^63), without libm or a branch
  // (whether x is whole is a coin toss), in integers: the truncation is exact as a double (one of
  // 2^53 or more is whole already), so ceil(x) = whole + (whole < x) needs no conversion back.
  const double x = remaining * static_cast<double>(duration) - 1e-6;
  const auto whole = static_cast<std::int64_t>(x);  // x truncated toward zero
  const std::int64_t left = whole + static_cast<std::int64_t>(static_cast<double>(whole) < x);
  return now + std::max<std::int64_t>(left, 0);
}

}  // namespace

GpuModel::GpuModel(const Layout& pool, const GpuShape& gpu)
    : sharing_(pool, gpu), max_parallel_(pool.max_parallel), weight_(pool.partitions.size(), 0.0) {
  running_.resize(pool.partitions.size());
  for (auto& stages : running_) stages.reserve(static_cast<std::size_t>(std::min(max_parallel_, 64)));
  earliest_.resize(pool.partitions.size());
  unsettled_inputs_.resize(pool.partitions.size());
  for (auto& inputs : unsettled_inputs_) inputs.reserve(8);
  unsettled_partitions_.reserve(pool.partitions.size());
  settled_share_.assign(pool.partitions.size(), kNoShare);
  finishes_stale_.assign(pool.partitions.size(), 0);
  membership_changed_.assign(pool.partitions.size(), 0);
  other_shares_.assign(8, 0.0);
  other_wholes_.assign(8, 0);
  for (const Partition& p : pool.partitions) partition_sms_.push_back(p.sms);
}

void GpuModel::start(Ns now, int partition, const ShareTimeTable& times, StageTag tag,
                     const ShareTimeTable* occupied, double share_weight) {
  if (now < now_) throw std::logic_error("gpu model: time went backwards");
  if (sharing_.running(partition) >= max_parallel_)
    throw std::logic_error("gpu model: partition " + std::to_string(partition) + " already runs max_parallel stages");
  if (unsettled_ && now != unsettled_ns_) settle();
  now_ = now;
  const int sms = partition_sms_[static_cast<std::size_t>(partition)];
  // The split weighs a unit by its demand times its model's share weight; what it keeps busy alone
  // (the strict rule's cap) is its demand, unweighted.
  const double alone = packed_ != nullptr || strict_ ? unit_demand(times.measured_curve(), sms) : 1.0;
  const double demand = packed_ != nullptr ? alone * share_weight : 1.0;
  const double saving = packed_ != nullptr ? whole_gpu_saving_ns(times.measured_curve(), sms) : 0.0;
  const double cap = strict_ ? alone : 0.0;
  const double busy = strict_ ? busy_sms_at_demand(times.measured_curve(), cap) : 0.0;
  // Built in place, for the reason note_change gives.
  const double level = spread_ != nullptr ? unit_level(spread_seed_, tag.task, tag.job, tag.unit) : 0.5;
  running_[static_cast<std::size_t>(partition)].emplace_back(tag, &times, occupied, demand, cap, busy, saving, level,
                                                             1.0, Ns{0}, now, now, now, next_seq_++);
  membership_changed_[static_cast<std::size_t>(partition)] = 1;
  sharing_.add_running(partition, +1, demand, cap, busy);
  note_change(now, partition, sharing_.running(partition) == 1);
}

FinishedStage GpuModel::finish_next(Ns now) {
  if (unsettled_) settle();
  if (next_finish_ns_ == kNever || now != next_finish_ns_) throw std::logic_error("gpu model: no stage finishes now");
  const std::size_t p = next_partition_;
  const std::size_t index = earliest_[p].index;
  const Running& done = running_[p][index];
  FinishedStage out{done.tag, static_cast<int>(p), done.start_ns};
  remove_at(p, index, now);
  return out;
}

void GpuModel::cancel_task(Ns now, int task, std::vector<FinishedStage>& out) {
  for (;;) {
    std::size_t pick_partition = 0;
    std::size_t pick = 0;
    const Running* picked = nullptr;
    for (std::size_t p = 0; p < running_.size(); ++p)
      for (std::size_t i = 0; i < running_[p].size(); ++i) {
        const Running& r = running_[p][i];
        if (r.tag.task == task && (picked == nullptr || r.start_seq < picked->start_seq)) {
          picked = &r;
          pick_partition = p;
          pick = i;
        }
      }
    if (picked == nullptr) return;
    out.push_back(FinishedStage{picked->tag, static_cast<int>(pick_partition), picked->start_ns});
    remove_at(pick_partition, pick, now);
  }
}

void GpuModel::remove_at(std::size_t partition, std::size_t index, Ns now) {
  if (unsettled_ && now != unsettled_ns_) settle();
  now_ = now;
  std::vector<Running>& stages = running_[partition];
  const double demand = stages[index].demand;
  const double cap = stages[index].cap;
  const double busy = stages[index].busy;
  stages[index] = stages.back();
  stages.pop_back();
  membership_changed_[partition] = 1;
  const int p = static_cast<int>(partition);
  sharing_.add_running(p, -1, demand, cap, busy);
  note_change(now, p, sharing_.running(p) == 0);
}

void GpuModel::update_weights() {
  for (std::size_t p = 0; p < weight_.size(); ++p)
    weight_[p] = interference_->weight(static_cast<int>(p), sharing_.busy_sms_outside(static_cast<int>(p)));
}

Ns GpuModel::packed_duration_at(const Running& r, const SpeedInputs& in) const {
  const double share = r.demand * in.share;
  const SpeedupCurve& curve = r.times->measured_curve();
  double t = (static_cast<double>(time_at_fractional_share(curve, share)) - r.saving_ns) * packed_->factor(in.units);
  if (spread_ != nullptr) t *= spread_->factor(in.units, r.level);
  if (interference_ != nullptr && r.occupied != nullptr) {
    const double ratio = static_cast<double>(time_at_fractional_share(r.occupied->measured_curve(), share)) /
                         static_cast<double>(time_at_fractional_share(curve, share));
    t *= 1.0 + in.weight * (ratio - 1.0);
  }
  return std::max<Ns>(1, static_cast<Ns>(std::llround(t)));
}

Ns GpuModel::duration_at(const Running& r, const SpeedInputs& in) const {
  if (stalled(in.share)) return kNever;
  // Alone on its SMs a unit runs as under the even split, whichever rule shares them.
  if (packed_ != nullptr && in.units > 1) return packed_duration_at(r, in);
  const double share = r.demand * in.share;  // demand is 1 under the even split
  const Ns isolated = r.times->at(share);
  if (interference_ == nullptr || r.occupied == nullptr) return isolated;
  return isolated + static_cast<Ns>(std::llround(in.weight * static_cast<double>(r.occupied->at(share) - isolated)));
}

void GpuModel::note_change(Ns now, int changed_partition, bool busy_set_changed) {
  // A partition turning busy or idle changes every interference weight: then every stage moves.
  const bool all = interference_ != nullptr && busy_set_changed;
  if (all) update_weights();
  const auto record = [this](int q) {
    std::vector<SpeedInputs>& inputs = unsettled_inputs_[static_cast<std::size_t>(q)];
    // k is read only under the packed rule (it costs a pass over q's atoms).
    const int units = packed_ != nullptr ? sharing_.units_sharing(q) : 0;
    const double share = sharing_.share(q);
    const double weight = weight_[static_cast<std::size_t>(q)];
    if (inputs.empty()) unsettled_partitions_.push_back(q);
    // Compared and built field by field: a SpeedInputs built on the stack and copied in was read
    // back as wider words than its fields were written in, loads no store forwards (a stall at
    // every start and finish; perf put half of GpuModel::start's samples on it).
    if (inputs.empty() || inputs.back().share != share || inputs.back().weight != weight || inputs.back().units != units)
      inputs.emplace_back(share, weight, units);
  };
  if (all)
    for (int q = 0; q < static_cast<int>(weight_.size()); ++q) record(q);
  else
    for (int q : sharing_.coupled(changed_partition)) record(q);
  unsettled_ = true;
  unsettled_ns_ = now;
}

// Why one pass per instant gives what a rescale at every start and finish gave. That rescale
// did, for each stage of a touched partition whose duration d at the new speed inputs differed
// from its current one c:
//     remaining -= (now - updated) / c  (floored at 0); updated = now; c = d;
//     finish = now + ceil(remaining * d - 1e-6)
// Within one instant only the first such change alters `remaining` (the later ones subtract
// 0 / c, exactly 0), and the last one leaves c at the duration for the partition's final speed
// inputs. So a stage ends the instant with: nothing changed if every duration its partition's
// inputs gave during the instant equals c; otherwise remaining from its c before the instant,
// c and finish from the final inputs. A stage started in the instant has c = 0, always changes.
void GpuModel::settle() {
  unsettled_ = false;
  // Strict priorities can stall a stage (share 0), which only the general settle handles.
  const bool plain = packed_ == nullptr && interference_ == nullptr && !strict_;
  for (int q : unsettled_partitions_) {
    const auto p = static_cast<std::size_t>(q);
    std::vector<SpeedInputs>& inputs = unsettled_inputs_[p];
    if (!plain)
      settle_partition<SettleMode::kGeneral>(p, unsettled_ns_);
    else if (keeps_durations(p))  // nothing to update, and the earliest finish stays
      settled_share_[p] = inputs.back().share;
    else if (running_[p].size() > 8)  // copies of a few units, or sharing lookups pays anyway
      settle_partition<SettleMode::kCopies>(p, unsettled_ns_);
    else if (running_[p].size() <= 1)  // short queues: most partitions run one stage or none
      settle_one_or_none(p, unsettled_ns_);
    else  // a few stages of different units (sgprs, static): looking for sharing costs more
      settle_partition<SettleMode::kPlain>(p, unsettled_ns_);
    inputs.clear();
    membership_changed_[p] = 0;
  }
  unsettled_partitions_.clear();
  Ns next_finish = kNever;
  std::uint64_t next_seq = 0;
  std::size_t next_partition = 0;
  for (std::size_t p = 0; p < earliest_.size(); ++p) {
    const EarliestFinish& e = earliest_[p];
    if (e.finish_ns < next_finish || (e.finish_ns == next_finish && e.finish_ns != kNever && e.start_seq < next_seq)) {
      next_finish = e.finish_ns;
      next_seq = e.start_seq;
      next_partition = p;
    }
  }
  next_finish_ns_ = next_finish;
  next_partition_ = next_partition;
}

bool GpuModel::keeps_durations(std::size_t p) const {
  // A stage that ran through the instant has the duration of the share p was last settled at
  // (settle_partition says why); if no share of the instant lies on another step than that one,
  // every table gives each of them that duration, so none changes, as settle_partition would find.
  const double settled = settled_share_[p];
  if (steps_ == nullptr || membership_changed_[p] != 0 || settled == kNoShare) return false;
  if (running_[p].empty()) return true;  // idle all through the instant: nothing to settle
  std::size_t low = ShareTimeTable::whole_sms(settled);
  std::size_t high = low;
  for (const SpeedInputs& in : unsettled_inputs_[p]) {
    const std::size_t whole = ShareTimeTable::whole_sms(in.share);  // 0 for an idle partition's share
    low = std::min(low, whole);
    high = std::max(high, whole);
  }
  return low >= steps_->first_sms() && steps_->step_of(low) == steps_->step_of(high);
}

// kPlain for a partition that runs one stage or none, step for step (the same look-ups, the same
// arithmetic, the same earliest finish): without kPlain's look-up caches, its buffer of the
// instant's other shares and its second pass, which cost more than they save for one stage, and
// which made up most of the settling where queues hold one to three stages.
void GpuModel::settle_one_or_none(std::size_t p, Ns now) {
  if (finishes_stale_[p] != 0) refresh_finishes(p);
  const std::vector<SpeedInputs>& inputs = unsettled_inputs_[p];
  const double final_share = inputs.back().share;
  const double settled_share = settled_share_[p];
  settled_share_[p] = final_share;
  if (running_[p].empty()) {
    earliest_[p] = EarliestFinish{};
    return;
  }
  Running& r = running_[p].front();
  // A stage that ran before the instant has the duration of the settled share (settle_partition).
  const Ns duration = final_share == settled_share && r.duration_ns != 0 ? r.duration_ns : r.times->at(final_share);
  bool changed = duration != r.duration_ns;
  for (std::size_t k = 0; !changed && k + 1 < inputs.size(); ++k) {
    const double share = inputs[k].share;
    if (share != final_share && share != settled_share) changed = r.times->at(share) != r.duration_ns;
  }
  // A stage started in the instant, the usual one here, has done no work (0 / c is exactly 0) and
  // ends exactly `duration` from now: finish_after's ceil(1.0 x d - 1e-6) is d for every whole d
  // below 2^53. Taken as such, it skips a division and a chain of conversions that the choice of
  // the next event waits for.
  constexpr Ns kExactInDouble = Ns{1} << 53;
  if (changed && r.updated_ns == now && r.remaining == 1.0 && duration < kExactInDouble) {
    r.duration_ns = duration;
    r.finish_ns = now + duration;
  } else if (changed) {
    const double done = r.duration_ns == kNever ? 0.0
                                                : static_cast<double>(now - r.updated_ns) /
                                                      static_cast<double>(r.duration_ns != 0 ? r.duration_ns : 1);
    r.remaining = std::max(r.remaining - done, 0.0);
    r.updated_ns = now;
    r.duration_ns = duration;
    r.finish_ns = duration == kNever ? kNever : finish_after(now, r.remaining, duration);
  }
  earliest_[p] = r.finish_ns < kNever ? EarliestFinish{r.finish_ns, r.start_seq, 0} : EarliestFinish{};
}

// Why kCopies need not find every stage's finish. Under the even split without interference
// the stages of one unit (one table) on one partition see the same shares from the later one's
// start on, and the earlier started one never has more `remaining`: at the later one's start
// its remaining is at most 1.0, the later one's is 1.0; at its first settle the later one takes
// the duration c the earlier one has then (changed or not, it is the table's entry at the final
// share), and from then on both make the same choice at every settle (it depends only on the
// table and c) and subtract (now - updated) / c where the earlier one's `updated` is no later.
// Subtraction, division and the floor at 0 are monotone in IEEE rounding, so the order holds;
// with one c, finish_after(updated, remaining, c) is monotone in both. So each unit's earliest
// (finish, start_seq) is its first-started stage's, and the partition's earliest is the earliest
// of those: settling updates every changed stage's remaining (needed for its own finish later)
// but computes the finish of those few stages only (two float-integer conversions each), leaving
// the others' finish_ns stale. A stage's finish is a function of its state (its last change was at
// updated_ns), so refresh_finishes() restores them before a settle that reads them all.
GpuModel::EarliestFinish GpuModel::earliest_of_copies(const Running* stages, const Running* stages_end) const {
  struct Front {
    const ShareTimeTable* times;
    const Running* stage;
  };
  constexpr std::size_t kMaxUnits = 8;
  std::array<Front, kMaxUnits> fronts;
  std::size_t units = 0;
  // The unit of the stage before, in locals (copies often lie next to each other; naive's
  // identical tasks have one unit): one compare of the table and one of the start per stage.
  std::size_t current = 0;
  const ShareTimeTable* current_times = nullptr;
  const Running* current_front = nullptr;
  std::uint64_t current_seq = 0;
  for (const Running* rp = stages; rp != stages_end; ++rp) {
    if (rp->times != current_times) {
      if (current_front != nullptr) fronts[current].stage = current_front;
      current = 0;
      while (current < units && fronts[current].times != rp->times) ++current;
      if (current == units) {
        if (units == kMaxUnits) return earliest_of_all(stages, stages_end);  // too many units
        fronts[units++] = Front{rp->times, rp};
      }
      current_times = rp->times;
      current_front = fronts[current].stage;
      current_seq = current_front->start_seq;
    }
    if (rp->start_seq < current_seq) {
      current_front = rp;
      current_seq = rp->start_seq;
    }
  }
  if (current_front != nullptr) fronts[current].stage = current_front;
  EarliestFinish earliest;
  for (std::size_t u = 0; u < units; ++u) {
    const Running& r = *fronts[u].stage;
    earliest.keep_earlier(finish_after(r.updated_ns, r.remaining, r.duration_ns), r.start_seq,
                          static_cast<std::size_t>(&r - stages));
  }
  return earliest;
}

// Every stage's finish, for a partition kCopies left stale: the value its last change computed.
GpuModel::EarliestFinish GpuModel::earliest_of_all(const Running* stages, const Running* stages_end) const {
  EarliestFinish earliest;
  for (const Running* rp = stages; rp != stages_end; ++rp) {
    earliest.keep_earlier(finish_after(rp->updated_ns, rp->remaining, rp->duration_ns), rp->start_seq,
                          static_cast<std::size_t>(rp - stages));
  }
  return earliest;
}

void GpuModel::refresh_finishes(std::size_t p) {
  finishes_stale_[p] = 0;
  // A stage started in the instant (duration 0) gets its finish from the settle that follows.
  for (Running& r : running_[p])
    if (r.duration_ns != 0) r.finish_ns = finish_after(r.updated_ns, r.remaining, r.duration_ns);
}

template <GpuModel::SettleMode kMode>
void GpuModel::settle_partition(std::size_t p, Ns now) {
  if constexpr (kMode != SettleMode::kCopies) {
    if (finishes_stale_[p] != 0) refresh_finishes(p);
  }
  // The partition's inputs and stages through raw pointers and counts held in locals: indexing the
  // vectors in the loops below reloaded their bounds at every step (a third of this function's
  // instructions under callgrind).
  const std::vector<SpeedInputs>& input_list = unsettled_inputs_[p];
  const SpeedInputs* const inputs = input_list.data();
  const std::size_t last = input_list.size() - 1;
  const SpeedInputs& final_inputs = inputs[last];
  std::vector<Running>& stage_list = running_[p];
  Running* const stages = stage_list.data();
  Running* const stages_end = stages + stage_list.size();
  // Written with few data-dependent branches: the stages have little in common (other units,
  // other start instants), so a branch on their values would often be mispredicted.
  // One exception: stages of one unit have one duration, looked up once (naive runs many copies
  // of a few whole-model units on one share, often below the curve's first measured SM count,
  // where the lookup computes). Under interference each stage's own occupied
  // table counts, and under the packed rule its demand and saving, so there is no sharing of
  // lookups.
  // A few units' final durations are kept (naive interleaves a few whole-model units, hundreds
  // of stages each); the last one is tried first.
  struct UnitDuration {
    const ShareTimeTable* times;
    Ns duration;
  };
  std::array<UnitDuration, 4> known;
  std::size_t known_count = 0;
  std::size_t next_slot = 0;
  const ShareTimeTable* last_times = nullptr;
  Ns last_duration = 0;
  const auto unit_duration = [&](const ShareTimeTable* times) {
    if (times != last_times) {
      last_times = times;
      std::size_t k = 0;
      while (k < known_count && known[k].times != times) ++k;
      if (k < known_count) {
        last_duration = known[k].duration;
      } else {
        last_duration = times->at(final_inputs.share);
        known[next_slot] = UnitDuration{times, last_duration};
        next_slot = (next_slot + 1) % known.size();
        known_count = std::min(known_count + 1, known.size());
      }
    }
    return last_duration;  // > 0: a stage just started always changes
  };
  // kPlain and kCopies (the even split, no interference): a duration is the stage's table entry
  // at the partition's share, so the share's whole SM count is found once per input, not once per
  // stage (ShareTimeTable::at in two steps); only a share below a curve's first count computes.
  // Every stage that ran before the instant has the duration of the share the partition was last
  // settled at (settled_share_), so that share, and the final one (looked up for every stage
  // anyway), need no look-up among the instant's other inputs. A typical instant (a finish, then
  // the start that refills its slot) leaves one other share, and its final share is the settled
  // one; kCopies then takes an earlier stage's final duration from its current one (kPlain looks
  // it up: callgrind's branch simulation found the test for a stage started in the instant,
  // which that needs, mispredicted about once per partition settled).
  const std::size_t final_whole = ShareTimeTable::whole_sms(final_inputs.share);
  const double settled_share = settled_share_[p];
  settled_share_[p] = kMode == SettleMode::kGeneral ? kNoShare : final_inputs.share;
  const bool final_is_settled = kMode != SettleMode::kGeneral && final_inputs.share == settled_share;
  // The instant's other shares and their whole SM counts, written by index into buffers that only
  // grow (no push_back in the loop).
  std::size_t other_count = 0;
  const double* other_shares = nullptr;
  const std::size_t* other_wholes = nullptr;
  if constexpr (kMode != SettleMode::kGeneral) {
    if (other_shares_.size() < last) {
      other_shares_.resize(last);
      other_wholes_.resize(last);
    }
    double* shares = other_shares_.data();
    std::size_t* wholes = other_wholes_.data();
    for (std::size_t k = 0; k < last; ++k) {
      const double share = inputs[k].share;
      if (share == final_inputs.share || share == settled_share) continue;
      shares[other_count] = share;
      wholes[other_count] = ShareTimeTable::whole_sms(share);
      ++other_count;
    }
    other_shares = shares;
    other_wholes = wholes;
  }
  const auto other_duration_differs = [&](const Running& r) {  // during the instant, before its end
    bool differs = false;
    if constexpr (kMode == SettleMode::kGeneral) {
      for (std::size_t k = 0; !differs && k < last; ++k) differs = duration_at(r, inputs[k]) != r.duration_ns;
    } else {
      for (std::size_t k = 0; !differs && k < other_count; ++k)
        differs = (r.times->in_table(other_wholes[k]) ? r.times->at_whole(other_wholes[k])
                                                      : r.times->at(other_shares[k])) != r.duration_ns;
    }
    return differs;
  };
  // kCopies (a partition of many stages, mostly copies of a few units: naive): the check above
  // depends only on (table, current duration) and the work done since the last update only on
  // (last update, duration), so copies of one unit updated together share both.
  const ShareTimeTable* checked_times = nullptr;
  Ns checked_duration = -1;
  bool checked_differs = false;
  Ns divided_updated = -1;
  Ns divided_duration = -1;
  double divided_done = 0.0;
  // kCopies: what the last stage taken the long way found, by its (table, duration, updated)
  // before the update. Whether a stage changes and its new duration depend only on the first two,
  // the work done only on the last two, so a copy of that key takes all three from here: one test
  // per copy instead of three look-ups.
  const ShareTimeTable* copy_times = nullptr;
  Ns copy_duration = -1;
  Ns copy_updated = -1;
  bool copy_changed = false;
  Ns copy_new_duration = 0;
  double copy_done = 0.0;
  for (Running* rp = stages; rp != stages_end; ++rp) {
    Running& r = *rp;
    if constexpr (kMode == SettleMode::kCopies) {
      if (r.times == copy_times && r.duration_ns == copy_duration && r.updated_ns == copy_updated) {
        if (copy_changed) {
          r.remaining = std::max(r.remaining - copy_done, 0.0);
          r.updated_ns = now;
          r.duration_ns = copy_new_duration;
        }
        continue;
      }
      copy_times = r.times;
      copy_duration = r.duration_ns;
      copy_updated = r.updated_ns;
    }
    Ns duration = 0;
    if constexpr (kMode == SettleMode::kGeneral) {
      if (packed_ != nullptr || (interference_ != nullptr && r.occupied != nullptr) || stalled(final_inputs.share))
        duration = duration_at(r, final_inputs);
      else
        duration = unit_duration(r.times);
    } else if (final_is_settled && r.duration_ns != 0) {  // 0: started in the instant
      duration = r.duration_ns;
    } else {
      duration = r.times->in_table(final_whole) ? r.times->at_whole(final_whole) : unit_duration(r.times);
    }
    bool changed = duration != r.duration_ns;
    if constexpr (kMode == SettleMode::kCopies) {
      if (!changed && other_count != 0) {
        if (r.times != checked_times || r.duration_ns != checked_duration) {
          checked_times = r.times;
          checked_duration = r.duration_ns;
          checked_differs = other_duration_differs(r);
        }
        changed = checked_differs;
      }
    } else {
      changed = changed || other_duration_differs(r);
    }
    if constexpr (kMode == SettleMode::kCopies) {
      copy_changed = changed;
      copy_new_duration = duration;
    }
    if (changed) {
      // Work done at the old speed since the last update; none for a stage just started
      // (updated_ns is now, and 0 / 1 is exactly 0) or stalled (kNever: strict priorities only).
      if (kMode != SettleMode::kCopies || r.updated_ns != divided_updated || r.duration_ns != divided_duration) {
        divided_updated = r.updated_ns;
        divided_duration = r.duration_ns;
        divided_done = r.duration_ns == kNever ? 0.0
                                               : static_cast<double>(now - r.updated_ns) /
                                                     static_cast<double>(r.duration_ns != 0 ? r.duration_ns : 1);
      }
      if constexpr (kMode == SettleMode::kCopies) copy_done = divided_done;
      const double remaining = r.remaining - divided_done;
      r.remaining = std::max(remaining, 0.0);  // (remaining < 0 ? 0 : remaining), without a branch
      r.updated_ns = now;
      r.duration_ns = duration;
      // kCopies finds only each unit's first-started stage's finish (earliest_of_copies says why).
      if constexpr (kMode != SettleMode::kCopies)
        r.finish_ns = duration == kNever ? kNever : finish_after(now, r.remaining, duration);
    }
  }
  if constexpr (kMode == SettleMode::kCopies) {
    finishes_stale_[p] = 1;
    earliest_[p] = earliest_of_copies(stages, stages_end);
    return;
  }
  // The earliest finish in a second pass: choosing it in the pass above made each stage's
  // comparison wait for its update (a division and two conversions), and a mispredicted choice
  // there threw that work away; here the finishes are already in memory. Measured faster for
  // naive's hundreds of copies too (2.13 s against 2.32 s of CPU for the choice in the first pass),
  // though it runs more instructions. Bitwise, not short-circuit: one test of the two conditions.
  Ns next_finish = kNever;
  std::uint64_t next_seq = 0;
  const Running* next = stages;
  for (const Running* rp = stages; rp != stages_end; ++rp) {
    const bool first = (rp->finish_ns < next_finish) | ((rp->finish_ns == next_finish) & (rp->start_seq < next_seq));
    next_finish = first ? rp->finish_ns : next_finish;
    next_seq = first ? rp->start_seq : next_seq;
    next = first ? rp : next;
  }
  earliest_[p] = EarliestFinish{next_finish, next_seq, static_cast<std::size_t>(next - stages)};
}

}  // namespace sgprs::sim
