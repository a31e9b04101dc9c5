// sgprs-best's rules (docs/policy.md) on tiny hand-worked cases. Test GPU (tests/data/sim,
// synthetic): chain3 takes a 1000, b 2000, c 500 ns on all 16 SMs (3500 a job), and
// a 4000, b 8000, c 2000 on 4 SMs. One 16-SM partition; slot_sms=16 gives it one slot, so
// stages run one at a time and every start below can be checked by hand.
#include "simulator/policy/registry.hpp"
#include "simulator/policy/slot_plan.hpp"

#include "common/errors.hpp"
#include "common/taskset.hpp"
#include "sim_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace sgprs::sim {
namespace {

using test::only;

RunOptions best(std::vector<std::pair<std::string, std::string>> overrides, Ns duration_ns = 1) {
  RunOptions run = test::isolated_options("sgprs-best", duration_ns);
  run.scheduler_options = scheduler_default_options("sgprs-best");
  set_scheduler_option(run.scheduler_options, "slot_sms", "16", "test");
  for (const auto& [name, value] : overrides) set_scheduler_option(run.scheduler_options, name, value, "test");
  return run;
}

/// Moldable blocks of one 4-SM piece each (block_sms=4) on the test GPU's 16 SMs, plus `overrides`.
RunOptions moldable(std::vector<std::pair<std::string, std::string>> overrides, Ns duration_ns) {
  overrides.insert(overrides.begin(), {{"slot_sms", "moldable"}, {"block_sms", "4"}});
  return best(std::move(overrides), duration_ns);
}

std::string tasks(const std::string& entries) {
  return R"({"schema": "sgprs.taskset/1", "tasks": [)" + entries + "]}";
}
std::string task(const std::string& name, Ns deadline, const std::string& priority = "low") {
  return R"({"name": ")" + name + R"(", "model": "chain3", "period_ns": 100000, "deadline_ns": )" +
         std::to_string(deadline) + R"(, "priority": ")" + priority + R"("})";
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(BestPolicy, EarliestJobDeadlineFirstAtEveryStageBoundary) {
  // L (D = 100000) and U (D = 5000) released at 0, L first: L.a takes the one slot [0, 1000].
  // At 1000 the slot goes to U.a (earlier deadline) rather than to L.b; U runs to 4500, on time;
  // L.b [4500, 6500], L.c [6500, 7000].
  const auto trace = test::run_case(tasks(task("L", 100000) + "," + task("U", 5000)), test::sizes_layout({16}, 1),
                                    best({}));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start L a p0", "1000 start U a p0", "2000 start U b p0", "4000 start U c p0",
                                      "4500 start L b p0", "6500 start L c p0"}));
  EXPECT_TRUE(has(trace.lines, "4500 end U 0 on_time"));
  // In arrival order (fifo) L.b, queued before U.b, goes at 2000 and U ends late.
  const auto fifo = test::run_case(tasks(task("L", 100000) + "," + task("U", 5000)), test::sizes_layout({16}, 1),
                                   best({{"waiting_order", "fifo"}, {"drop_hopeless", "off"}, {"miss_policy", "run-to-completion"}}));
  EXPECT_TRUE(has(fifo.lines, "2000 start L b p0"));
  EXPECT_TRUE(has(fifo.lines, "7000 end U 0 late"));
}

TEST(BestPolicy, WholeJobUnitsHoldTheSlotForTheWholeJob) {
  // units=whole: L's job is one 3500-ns unit [0, 3500]; U (D = 5000) cannot take the slot at L's
  // stage boundaries. At 3500 U would end at 7000: hopeless, never started, aborted at 5000.
  const auto trace = test::run_case(tasks(task("L", 100000) + "," + task("U", 5000)), test::sizes_layout({16}, 1),
                                    best({{"units", "whole"}}));
  EXPECT_EQ(only(trace.lines, "start"), (std::vector<std::string>{"0 start L chain3 p0"}));
  EXPECT_TRUE(has(trace.lines, "3500 end L 0 on_time"));
  EXPECT_TRUE(has(trace.lines, "5000 end U 0 aborted"));
  // U first: its whole job [0, 3500], then L [3500, 7000]; both on time.
  const auto urgent_first = test::run_case(tasks(task("U", 5000) + "," + task("L", 100000)),
                                           test::sizes_layout({16}, 1), best({{"units", "whole"}}));
  EXPECT_EQ(only(urgent_first.lines, "start"),
            (std::vector<std::string>{"0 start U chain3 p0", "3500 start L chain3 p0"}));
  EXPECT_TRUE(has(urgent_first.lines, "7000 end L 0 on_time"));
}

TEST(BestPolicy, AFinishedStageKeepsTheSlotForItsJobsNextStage) {
  // U (D = 5000) first, L second: U.a [0, 1000]. At 1000 the freed slot is not handed to the
  // waiting L.a: U.b becomes ready at the same instant and wins on deadline.
  const auto trace = test::run_case(tasks(task("U", 5000) + "," + task("L", 100000)), test::sizes_layout({16}, 1),
                                    best({}));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start U a p0", "1000 start U b p0", "3000 start U c p0", "3500 start L a p0",
                                      "4500 start L b p0", "6500 start L c p0"}));
}

TEST(BestPolicy, AHopelessJobNeverStartsAndIsDroppedAtItsDeadline) {
  // H needs 3500 ns even alone on all SMs but has D = 3000: it never starts, and ends aborted at
  // 3000; L runs undisturbed from 0. Without the rule H would run and delay L.
  const auto trace = test::run_case(tasks(task("H", 3000) + "," + task("L", 100000)), test::sizes_layout({16}, 1),
                                    best({}));
  EXPECT_EQ(only(trace.lines, "start"),
            (std::vector<std::string>{"0 start L a p0", "1000 start L b p0", "3000 start L c p0"}));
  EXPECT_TRUE(has(trace.lines, "3000 end H 0 aborted"));
  const auto without = test::run_case(tasks(task("H", 3000) + "," + task("L", 100000)), test::sizes_layout({16}, 1),
                                      best({{"drop_hopeless", "off"}}));
  EXPECT_TRUE(has(without.lines, "0 start H a p0"));
}

TEST(BestPolicy, SlotRuleStartsOnlyJobsOneSlotCanCarry) {
  // slot_sms=4: four slots of 4 SMs, where a chain3 job takes 14000 ns. A-D (D = 19000) run side
  // by side, one slot each, to 14000; E (D = 20000) waits behind them. At 14000 the rest of E would
  // take 14000 on a slot (pace 1: every stage so far took exactly its slot time), past 20000: under
  // drop_hopeless=slot it never starts and is dropped at its deadline. Under `on` it is judged
  // alone on all 16 SMs (3500), starts, and, alone by then, ends on time at 17500.
  std::string set;
  for (const char* name : {"A", "B", "C", "D"}) set += task(name, 19000) + ",";
  set += task("E", 20000);
  auto options = [](const std::string& rule) {
    return best({{"slot_sms", "4"}, {"drop_hopeless", rule}});
  };
  const auto slot = test::run_case(tasks(set), test::sizes_layout({16}, 1), options("slot"));
  EXPECT_TRUE(has(slot.lines, "14000 end A 0 on_time"));
  EXPECT_TRUE(has(slot.lines, "20000 end E 0 aborted"));
  for (const std::string& line : only(slot.lines, "start")) EXPECT_EQ(line.find(" E "), std::string::npos) << line;
  const auto fastest = test::run_case(tasks(set), test::sizes_layout({16}, 1), options("on"));
  EXPECT_TRUE(has(fastest.lines, "14000 start E a p0"));
  EXPECT_TRUE(has(fastest.lines, "17500 end E 0 on_time"));
}

TEST(BestPolicy, SlotRuleLearnsThePaceFromFinishedStages) {
  // One 16-SM slot (slot_sms=16) and 1000 ns of host time before each stage reaches the GPU, which
  // the profile's times leave out. A (D = 9000) goes first and ends at 6500 (a [1000, 2000],
  // b [3000, 5000], c [6000, 6500]); its stages took 2, 1.5 and 3 times their predictions, so the
  // pace (moving mean from 1, weight 1/32) is 1.107. B (D = 10200) is looked at at 6500: at pace 1
  // its job (3500) would end by 10000 and fit, at the learned pace (3874) it would not: under
  // drop_hopeless=slot it never starts. Under `on` (alone on the fastest partition, no pace) it starts.
  auto with_overhead = [](RunOptions run) {
    run.stage_overhead_ns = 1000;
    return run;
  };
  const std::string set = tasks(task("A", 9000) + "," + task("B", 10200));
  const auto slot = test::run_case(set, test::sizes_layout({16}, 1), with_overhead(best({{"drop_hopeless", "slot"}})));
  EXPECT_TRUE(has(slot.lines, "6500 end A 0 on_time"));
  EXPECT_TRUE(has(slot.lines, "10200 end B 0 aborted"));
  for (const std::string& line : only(slot.lines, "start")) EXPECT_EQ(line.find(" B "), std::string::npos) << line;
  const auto fastest = test::run_case(set, test::sizes_layout({16}, 1), with_overhead(best({{"drop_hopeless", "on"}})));
  EXPECT_TRUE(has(fastest.lines, "6500 start B a p0"));
}

TEST(BestPolicy, HighPriorityGoesBeforeAnEarlierLowDeadline) {
  // B holds the slot [0, 1000]. At 1000, E (low, D = 10000) and P (high, D = 50000) wait beside
  // B.b: with priority classes P goes first, without them E.
  const std::string set = tasks(task("B", 100000) + "," + task("E", 10000) + "," + task("P", 50000, "high"));
  EXPECT_TRUE(has(test::run_case(set, test::sizes_layout({16}, 1), best({})).lines, "1000 start P a p0"));
  EXPECT_TRUE(has(test::run_case(set, test::sizes_layout({16}, 1), best({{"priority_first", "off"}})).lines,
                  "1000 start E a p0"));
}

TEST(BestPolicy, SlotsFromTheProfileAndReservedSlots) {
  // slot_sms=profile: chain3 costs as few SM-ns at 4 SMs as anywhere (a 16000, b 32000, c 8000),
  // the smallest such size wins, so the 16-SM partition gets 4 slots: four tasks start at 0.
  const std::string four = tasks(task("L0", 100000) + "," + task("L1", 100000) + "," + task("L2", 100000) + "," +
                                 task("P", 100000, "high"));
  const auto slots = test::run_case(four, test::sizes_layout({16}, 1), best({{"slot_sms", "profile"}}));
  int at_zero = 0;
  for (const std::string& line : only(slots.lines, "start")) at_zero += line.rfind("0 start", 0) == 0 ? 1 : 0;
  EXPECT_EQ(at_zero, 4);
  // reserve_slots=2: a low-priority stage may not take one of the last two free slots. Released
  // in task order at 0: L0 (4 free) and L1 (3 free) start, L2 (2 free) waits, P (high) starts.
  const auto reserved =
      test::run_case(four, test::sizes_layout({16}, 1), best({{"slot_sms", "profile"}, {"reserve_slots", "2"}}));
  std::vector<std::string> first;
  for (const std::string& line : only(reserved.lines, "start"))
    if (line.rfind("0 start", 0) == 0) first.push_back(line);
  EXPECT_EQ(first, (std::vector<std::string>{"0 start L0 a p0", "0 start L1 a p0", "0 start P a p0"}));
  bool l2_later = false;  // L2.a waits for a slot to free
  for (const std::string& line : only(reserved.lines, "start"))
    l2_later = l2_later || (line.find(" start L2 a p0") != std::string::npos && line.rfind("0 start", 0) != 0);
  EXPECT_TRUE(l2_later);
}

TEST(BestPolicy, MoldableBlocksGiveATightStageMoreSmsBesideLooseOnes) {
  // slot_sms=moldable, block_sms=4 (one piece): the 16-SM partition (4 pieces of 4 SMs) becomes
  // blocks of 1 and 2 pieces and the whole. Released at 0 in order: L0 and L1 take one piece each
  // (L1 the one beside L0, keeping pieces 2-3 whole); T (D = 8000) needs 8 SMs (its job takes
  // 14000 on 4, 7000 on 8), so it takes the free 2-piece block: a [0, 2000], b [2000, 6000]; at
  // 6000 one piece is enough for c (2000 on 4 SMs), which ends at 8000, on time.
  const std::string three = tasks(task("L0", 100000) + "," + task("L1", 100000) + "," + task("T", 8000));
  const auto moldable =
      test::run_case(three, test::sizes_layout({16}, 1), best({{"slot_sms", "moldable"}, {"block_sms", "4"}}));
  std::vector<std::string> at_zero;
  for (const std::string& line : only(moldable.lines, "start"))
    if (line.rfind("0 start", 0) == 0) at_zero.push_back(line);
  EXPECT_EQ(at_zero, (std::vector<std::string>{"0 start L0 a p0.0+1", "0 start L1 a p0.1+1", "0 start T a p0.2+2"}));
  EXPECT_TRUE(has(moldable.lines, "2000 start T b p0.2+2"));
  EXPECT_TRUE(has(moldable.lines, "6000 start T c p0.2+1"));
  EXPECT_TRUE(has(moldable.lines, "8000 end T 0 on_time"));
  // Four equal slots instead: three stages share 16 SMs (5.3 each, the 4-SM times), T is dropped at its deadline.
  const auto slots = test::run_case(three, test::sizes_layout({16}, 1), best({{"slot_sms", "4"}}));
  EXPECT_TRUE(has(slots.lines, "8000 end T 0 aborted"));
  // block_sms=deadlines: every job must fit its deadline on the narrowest block, so T's 8 SMs are
  // every stage's least: L0 and L1 take the two 2-piece blocks at 0 and T waits for one.
  const auto from_deadlines = test::run_case(three, test::sizes_layout({16}, 1), best({{"slot_sms", "moldable"}}));
  int started_at_zero = 0;
  for (const std::string& line : only(from_deadlines.lines, "start")) started_at_zero += line.rfind("0 start", 0) == 0;
  EXPECT_EQ(started_at_zero, 2);
}

/// `set` on moldable blocks of 4-SM pieces with 2000 ns of host time before each stage (the profile
/// leaves it out), block_need = `need`, for `duration_ns`.
test::Trace run_with_host_time(const std::string& set, const std::string& need, Ns duration_ns) {
  RunOptions options = moldable({{"block_need", need}}, duration_ns);
  options.stage_overhead_ns = 2000;
  return test::run_case(set, test::sizes_layout({16}, 1), options);
}

bool ends_on_time(const test::Trace& trace, const std::string& task) {
  const std::string end = " end " + task + " 0 on_time";
  return std::any_of(trace.lines.begin(), trace.lines.end(),
                     [&end](const std::string& line) { return line.find(end) != std::string::npos; });
}

TEST(BestPolicy, PacedBlockNeedWidensATightJobWhenStagesRunSlowerThanPredicted) {
  // Moldable blocks of 4-SM pieces, 2000 ns of host time before each stage (the profile leaves it
  // out). A (loose) runs alone first, on one piece: its stages took 6000, 10000 and 4000 against
  // predictions of 4000, 8000 and 2000, so the pace (moving sums, weight 1/32) is 603.7 / 422.0 =
  // 1.43. T (D = 19000) is released at 50000. On the profile's times its job fits one piece (14000),
  // so it takes one, and with the host time it ends past its deadline (aborted at 69000). At the
  // pace it needs 8 SMs (20028 > 19000 on 4, 10014 on 8): its first stage takes a 2-piece block and
  // the job ends on time.
  const std::string set = tasks(task("A", 100000) +
                                R"(, {"name": "T", "model": "chain3", "period_ns": 100000, "deadline_ns": 19000,
                                      "offset_ns": 50000})");
  const auto profile = run_with_host_time(set, "profile", 60000);
  EXPECT_TRUE(has(profile.lines, "20000 end A 0 on_time"));
  EXPECT_TRUE(has(profile.lines, "50000 start T a p0.0+1"));
  EXPECT_TRUE(has(profile.lines, "69000 end T 0 aborted"));
  const auto paced = run_with_host_time(set, "paced", 60000);
  EXPECT_TRUE(has(paced.lines, "20000 end A 0 on_time"));
  EXPECT_TRUE(has(paced.lines, "50000 start T a p0.0+2"));
  EXPECT_TRUE(ends_on_time(paced, "T"));
  EXPECT_EQ(get_scheduler_option(scheduler_default_options("sgprs-best"), "block_need"), "profile");
}

TEST(BestPolicy, PacedByModelJudgesAShortStagedModelOnItsOwnPace) {
  // Moldable blocks of 4-SM pieces, 2000 ns of host time before each stage. R (resnetlike, six
  // stages of 60-400 us) runs one job alone from 0, then A (chain3: 4000, 8000, 2000 ns on one piece)
  // from 2000000. The blocks' pace, moving sums of ran over predicted (weight 1/32), is then 1.010:
  // R's long stages carry the sums, and 2000 ns hardly slow them. chain3's own pace is 1.431. T
  // (chain3, D = 19000) is released at 2050000: at the blocks' pace its job fits one piece
  // (14000 x 1.010 = 14143), where it ends past its deadline (14000 + 3 x 2000 = 20000) and is
  // aborted; at its model's pace it needs 8 SMs (20028 > 19000 on 4) and ends on time.
  const std::string set =
      tasks(R"({"name": "R", "model": "resnetlike", "period_ns": 10000000, "offset_ns": 0},
               {"name": "A", "model": "chain3", "period_ns": 10000000, "offset_ns": 2000000},
               {"name": "T", "model": "chain3", "period_ns": 10000000, "deadline_ns": 19000, "offset_ns": 2050000})");
  const auto global = run_with_host_time(set, "paced", 2100000);
  EXPECT_TRUE(has(global.lines, "1872000 end R 0 on_time"));
  EXPECT_TRUE(has(global.lines, "2020000 end A 0 on_time"));
  EXPECT_TRUE(has(global.lines, "2050000 start T a p0.0+1"));
  EXPECT_TRUE(has(global.lines, "2069000 end T 0 aborted"));
  const auto by_model = run_with_host_time(set, "paced-model", 2100000);
  EXPECT_TRUE(has(by_model.lines, "2020000 end A 0 on_time"));
  EXPECT_TRUE(has(by_model.lines, "2050000 start T a p0.0+2"));
  EXPECT_TRUE(ends_on_time(by_model, "T"));
}

TEST(BestPolicy, MoldableSlotRuleJudgesAJobOnTheWidestBlockFreeNow) {
  // Moldable blocks of 4-SM pieces. L0-L2 (loose) take one piece each at 0 (stage a to 4000). At
  // 1000 T (D = 9000) and U (loose) arrive, T first in EDF order; only piece 3 is free. Under `on`
  // T is judged on the whole GPU (3500 from now: it can make it), waits at the queue's head, takes
  // the whole GPU at the stage boundary at 4000 and ends on time at 10000; U waits behind it. Under
  // `slot` T is judged on the widest block free at 1000 (one piece: 14000 > 9000): dropped at once
  // (aborted at its deadline, never started), and U starts on piece 3 at 1000. The trade: past the
  // edge no job holds the queue's head for a wide block, below it a job that a boundary would have
  // saved is lost (docs/policy.md).
  const std::string loose = R"("model": "chain3", "period_ns": 100000, "deadline_ns": 100000)";
  const std::string set = tasks(R"({"name": "L0", )" + loose + R"(}, {"name": "L1", )" + loose + R"(}, {"name": "L2", )" +
                                loose + R"(}, {"name": "T", "model": "chain3", "period_ns": 100000, "deadline_ns": 9000,
                                "offset_ns": 1000}, {"name": "U", "offset_ns": 1000, )" + loose + "}");
  auto run = [&](const std::string& rule) {
    return test::run_case(set, test::sizes_layout({16}, 1), moldable({{"drop_hopeless", rule}}, 2000));
  };
  const auto on = run("on");
  EXPECT_TRUE(has(on.lines, "4000 start T a p0"));
  EXPECT_TRUE(has(on.lines, "10000 end T 0 on_time"));
  EXPECT_TRUE(has(on.lines, "10000 start U a p0.1+1"));
  const auto slot = run("slot");
  EXPECT_TRUE(has(slot.lines, "1000 start U a p0.3+1"));
  EXPECT_TRUE(has(slot.lines, "10000 end T 0 aborted"));
  for (const std::string& line : only(slot.lines, "start")) EXPECT_EQ(line.find(" T "), std::string::npos) << line;
}

TEST(BestPolicy, ChainingSkipsTheHostTimeAndSlackChainsOnlyWhatNoTaskWaitsTooLongFor) {
  // Moldable blocks, block_sms=16 (one block, the whole GPU), 100 ns of host time before each stage
  // the core starts, none before a chained one (it is on the block's stream already). A (loose) is
  // released at 0, B (D = 5000) at 500. B's slack on the narrowest block: 5000 - 3500 = 1500.
  const std::string set = tasks(task("A", 100000) +
                                R"(, {"name": "B", "model": "chain3", "period_ns": 100000, "deadline_ns": 5000,
                                      "offset_ns": 500})");
  auto run = [&](const std::string& chain) {
    RunOptions options = best({{"slot_sms", "moldable"}, {"block_sms", "16"}, {"chain", chain}}, 1000);
    options.stage_overhead_ns = 100;
    return test::run_case(set, test::sizes_layout({16}, 1), options);
  };
  // off: every stage pays 100 ns; B takes the block at A.a's end (EDF at the boundary) and ends at
  // 1200 + 1000 + 100 + 2000 + 100 + 500 = 4900; A's b and c follow, A ends at 7600.
  const auto off = run("off");
  EXPECT_TRUE(has(off.lines, "4900 end B 0 on_time"));
  EXPECT_TRUE(has(off.lines, "7600 end A 0 on_time"));
  // slack: a stage's successor is chained only when the rest of the job from it (on 16 SMs) fits in
  // 1500: c (500) is, b (2500 with c) is not. So B still takes the block at 1100, and its c and A's
  // c run without host time: B ends at 4800, A at 7400.
  const auto slack = run("slack");
  EXPECT_TRUE(has(slack.lines, "1100 start B a p0"));
  EXPECT_TRUE(has(slack.lines, "4800 end B 0 on_time"));
  EXPECT_TRUE(has(slack.lines, "7400 end A 0 on_time"));
  // always: A keeps the block for its whole job (b and c chained: it ends at 3600). By then B
  // cannot end by 5500 even alone on the block (3600 + 3500): it never starts and is dropped at its
  // deadline.
  const auto always = run("always");
  EXPECT_TRUE(has(always.lines, "3600 end A 0 on_time"));
  EXPECT_TRUE(has(always.lines, "5500 end B 0 aborted"));
  for (const std::string& line : only(always.lines, "start")) EXPECT_EQ(line.find(" B "), std::string::npos) << line;
  EXPECT_EQ(get_scheduler_option(scheduler_default_options("sgprs-best"), "chain"), "off");
}

TEST(BestPolicy, ChainingOutsideMoldableBlocksIsRefusedNamingTheOption) {
  RunOptions slots = best({{"chain", "slack"}});  // slot_sms=16: slots, not blocks
  try {
    (void)test::run_case(tasks(task("A", 100000)), test::sizes_layout({16}, 1), slots);
    ADD_FAILURE() << "chain=slack on slots was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("chain"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("slot_sms=moldable"), std::string::npos) << e.what();
  }
}

/// The moldable blocks of layout `full` on a GPU of `pieces` pieces of `piece_sms` SMs plus a
/// remainder of `remainder_sms` (piece index `pieces`).
Layout moldable_pool_of_full(int pieces, int piece_sms, int remainder_sms) {
  GpuShape gpu;
  gpu.piece_sms = piece_sms;
  gpu.pieces = pieces;
  gpu.remainder_sms = remainder_sms;
  gpu.sm_count = pieces * piece_sms + remainder_sms;
  Layout full;
  full.name = "full";
  Partition whole;
  whole.name = "p0";
  whole.sms = gpu.sm_count;
  for (int piece = 0; piece <= pieces; ++piece) whole.pieces.push_back(piece);
  full.partitions.push_back(whole);
  return moldable_pool(full, gpu);
}

TEST(BestPolicy, MoldableBlocksNeverHoldTheRemainderAlone) {
  // The remainder SMs (piece index `pieces` of the split) run nothing on their own live (cuDNN
  // fails on them), so they are only ever part of a wider block.
  const Layout pool = moldable_pool_of_full(4, 4, 4);
  bool remainder_in_a_block = false;
  for (const Partition& block : pool.partitions) {
    EXPECT_NE(block.pieces, std::vector<int>{4}) << block.name;
    remainder_in_a_block = remainder_in_a_block || (block.pieces.size() > 1 &&
                                                    std::find(block.pieces.begin(), block.pieces.end(), 4) != block.pieces.end());
  }
  EXPECT_TRUE(remainder_in_a_block);
  // The remainder joins the block that ends just before it: pieces 0, 1, 2 and 3 + 4; pairs 0-1 and
  // 2-3 + 4; no block of four (0-3 + 4 is the whole partition); the whole.
  std::vector<std::vector<int>> pieces;
  for (const Partition& block : pool.partitions) pieces.push_back(block.pieces);
  EXPECT_EQ(pieces, (std::vector<std::vector<int>>{{0}, {1}, {2}, {3, 4}, {0, 1}, {2, 3, 4}, {0, 1, 2, 3, 4}}));
  EXPECT_EQ(pool.partitions[3].sms, 8);
}

TEST(BestPolicy, TheFinestMoldableBlocksOfTheH200CoverEverySm) {
  // 15 pieces of 8 SMs and 12 remainder SMs: the last one-piece block holds the remainder too
  // (20 SMs), and no block is listed twice.
  const Layout pool = moldable_pool_of_full(15, 8, 12);
  std::vector<int> widths;
  for (const Partition& block : pool.partitions) widths.push_back(block.sms);
  EXPECT_EQ(widths, (std::vector<int>{8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 20, 16, 16, 16, 16, 16, 16, 16, 32, 32, 32,
                                      36, 64, 68, 132}));
}

TEST(BestPolicy, PresetStartsFromTheDocumentedRulesAndOptionsApplyOnTop) {
  const SchedulerOptions o = scheduler_default_options("sgprs-best");
  EXPECT_EQ(get_scheduler_option(o, "binding"), "late");
  EXPECT_EQ(get_scheduler_option(o, "slot_sms"), "profile");
  EXPECT_EQ(get_scheduler_option(o, "waiting_order"), "job-edf");
  EXPECT_EQ(get_scheduler_option(o, "priority_first"), "on");
  EXPECT_EQ(get_scheduler_option(o, "drop_hopeless"), "on");
  EXPECT_EQ(get_scheduler_option(o, "miss_policy"), "abort");
  EXPECT_EQ(get_scheduler_option(scheduler_default_options("sgprs"), "binding"), "early");  // the paper's
}

TEST(StreamsPriorities, DeadlineMonotonicPinsTightestTasksOnTheHighestPriorityStream) {
  // Two streams (2 priority levels: s0 weight 2, s1 weight 1), four whole-job tasks released at
  // 0. In deadline order B, D fill s0 and C, A fill s1. B and A run together: B gets 16 x 2/3 =
  // 10.7 SMs (the 8-SM times: 2000 + 4000 + 1000 = 7000), A 16 / 3 = 5.3 SMs (the 4-SM times:
  // 14000); D follows B on s0 at 7000, C follows A on s1 at 14000.
  const std::string set =
      tasks(task("A", 90000) + "," + task("B", 10000) + "," + task("C", 80000) + "," + task("D", 20000));
  RunOptions dm = test::isolated_options("streams", 1);
  dm.priority_rule = PriorityRule::kWeighted;
  set_scheduler_option(dm.scheduler_options, "streams", "2", "test");
  set_scheduler_option(dm.scheduler_options, "stream_priorities", "deadline-monotonic", "test");
  const auto trace = test::run_case(set, test::sizes_layout({16}, 1), dm);
  EXPECT_EQ(only(trace.lines, "start"), (std::vector<std::string>{"0 start A chain3 s1", "0 start B chain3 s0",
                                                                 "7000 start D chain3 s0", "14000 start C chain3 s1"}));
  EXPECT_EQ(trace.summary.provenance->value("priority_rule", ""), "weighted");
}

TEST(StreamsPriorities, UnderTheStrictRuleTheUrgentStreamRunsAsIfAloneAndOnlyRunsWithPrioritiesRecordIt) {
  // The same four tasks under the strict rule (the default): B, alone on the urgent level, runs at
  // its 16-SM times (1000 + 2000 + 500 = 3500) as if A were absent, and keeps all 16 SMs busy (its
  // demand: 56000 SM-ns over 3500 ns), so A stalls until s0 is idle: D runs 3500-7000, A 7000-10500.
  const std::string set =
      tasks(task("A", 90000) + "," + task("B", 10000) + "," + task("C", 80000) + "," + task("D", 20000));
  RunOptions dm = test::isolated_options("streams", 1);
  set_scheduler_option(dm.scheduler_options, "streams", "2", "test");
  RunOptions plain = dm;
  set_scheduler_option(dm.scheduler_options, "stream_priorities", "deadline-monotonic", "test");
  const auto trace = test::run_case(set, test::sizes_layout({16}, 1), dm);
  EXPECT_EQ(only(trace.lines, "start"), (std::vector<std::string>{"0 start A chain3 s1", "0 start B chain3 s0",
                                                                 "3500 start D chain3 s0", "10500 start C chain3 s1"}));
  EXPECT_EQ(trace.summary.provenance->value("priority_rule", ""), "strict");
  EXPECT_FALSE(test::run_case(set, test::sizes_layout({16}, 1), plain).summary.provenance->contains("priority_rule"));
}

}  // namespace
}  // namespace sgprs::sim
