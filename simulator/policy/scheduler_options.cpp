#include "simulator/policy/scheduler_options.hpp"

#include "common/errors.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace sgprs::sim {

namespace {

template <class Enum>
struct Named {
  Enum value;
  const char* text;
};

constexpr Named<WaitingOrder> kWaitingOrders[] = {{WaitingOrder::kFifo, "fifo"},
                                                  {WaitingOrder::kEdf, "edf"},
                                                  {WaitingOrder::kLeastSlack, "least-slack"},
                                                  {WaitingOrder::kJobEdf, "job-edf"}};
constexpr Named<MissPolicy> kMissPolicies[] = {{MissPolicy::kRunToCompletion, "run-to-completion"},
                                               {MissPolicy::kAbort, "abort"}};
constexpr Named<ScanOrder> kScanOrders[] = {{ScanOrder::kPool, "pool"}, {ScanOrder::kAscendingSms, "ascending-sms"}};
constexpr Named<CompletionEstimate> kEstimates[] = {{CompletionEstimate::kSerial, "serial"},
                                                    {CompletionEstimate::kParallel, "parallel"}};
constexpr Named<OverrunPolicy> kOverruns[] = {{OverrunPolicy::kAuto, "auto"},
                                              {OverrunPolicy::kReleaseLate, "release-late"},
                                              {OverrunPolicy::kSkipLate, "skip-late"}};
constexpr Named<Binding> kBindings[] = {{Binding::kEarly, "early"}, {Binding::kLate, "late"}};
constexpr Named<StreamPriorities> kStreamPriorities[] = {{StreamPriorities::kNone, "none"},
                                                         {StreamPriorities::kDeadlineMonotonic, "deadline-monotonic"}};
constexpr Named<bool> kSwitches[] = {{false, "off"}, {true, "on"}};
constexpr Named<DropHopeless> kDropHopeless[] = {
    {DropHopeless::kOff, "off"}, {DropHopeless::kFastest, "on"}, {DropHopeless::kSlot, "slot"}};
constexpr Named<Chain> kChains[] = {{Chain::kOff, "off"}, {Chain::kSlack, "slack"}, {Chain::kAlways, "always"}};
constexpr Named<BlockNeed> kBlockNeeds[] = {
    {BlockNeed::kProfile, "profile"}, {BlockNeed::kPaced, "paced"}, {BlockNeed::kPacedModel, "paced-model"}};
constexpr Named<JobUnits> kJobUnits[] = {{JobUnits::kStages, "stages"}, {JobUnits::kWhole, "whole"}};
constexpr Named<StaticAssignment> kAssignments[] = {{StaticAssignment::kRoundRobin, "round-robin"},
                                                    {StaticAssignment::kBalanced, "balanced"}};

template <class Enum, std::size_t N>
const char* name_of(const Named<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.text;
  return "?";
}

template <class Enum, std::size_t N>
std::string choices(const Named<Enum> (&table)[N]) {
  std::string out;
  for (const auto& entry : table) out += (out.empty() ? "" : "|") + std::string(entry.text);
  return out;
}

template <class Enum, std::size_t N>
Enum parse_enum(const Named<Enum> (&table)[N], std::string_view name, std::string_view value,
                const std::string& source) {
  for (const auto& entry : table)
    if (value == entry.text) return entry.value;
  throw InputError(source, std::string(name), "'" + std::string(value) + "' is not one of " + choices(table));
}

double parse_double(std::string_view name, std::string_view value, const std::string& source) {
  double out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(out))
    throw InputError(source, std::string(name), "'" + std::string(value) + "' is not a number");
  return out;
}

int parse_int(std::string_view name, std::string_view value, const std::string& source) {
  int out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size())
    throw InputError(source, std::string(name), "'" + std::string(value) + "' is not an integer");
  return out;
}

std::string format_double(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace

std::string to_string(WaitingOrder order) { return name_of(kWaitingOrders, order); }
std::string to_string(MissPolicy policy) { return name_of(kMissPolicies, policy); }
std::string to_string(Binding binding) { return name_of(kBindings, binding); }

const std::vector<SchedulerOptionInfo>& scheduler_option_infos() {
  static const std::vector<SchedulerOptionInfo> infos = {
      {"deadline_fraction", "number in (0, 1]",
       "share of the relative deadline split into stage virtual deadlines (paper 2.4: 0.99)", "0.99"},
      {"defer_window", "number >= 0",
       "a stage ahead of schedule waits until its stage deadline minus this many stage slices (paper 4.3: 2)", "2"},
      {"no_defer_last", "integer >= 0", "the last this-many stages of a job never wait (paper 4.3: layer4 and head)",
       "2"},
      {"reference_partition", "last|largest|INDEX",
       "partition whose predicted stage times split the deadline (paper 2.4: the last one)", "last"},
      {"scan_order", choices(kScanOrders),
       "order in which pass 1 looks for the smallest sufficient idle partition (paper 4.4: pool order)", "pool"},
      {"completion_estimate", choices(kEstimates),
       "predicted drain time F(p) of a busy partition (paper 4.4: serial sum of its queue)", "serial"},
      {"waiting_order", choices(kWaitingOrders),
       "order among stages waiting for a slot of their partition (paper 4.3: none, read as fifo)", "fifo"},
      {"miss_policy", choices(kMissPolicies),
       "a job unfinished at its deadline runs on or is dropped (paper 2.4: run-to-completion)", "run-to-completion"},
      {"static_assignment", choices(kAssignments), "how the `static` scheduler pins tasks to partitions",
       "round-robin"},
      {"overrun", choices(kOverruns),
       "a job released while its task's previous job runs: released when it ends (paper 2.4) or skipped; auto: the "
       "scheduler's rule (skip-late for streams, else release-late)",
       "auto"},
      {"streams", "integer in [1, 1024]", "streams of the `streams` baseline (task i on stream i mod streams)", "16"},
      {"stream_priorities", choices(kStreamPriorities),
       "`streams`: none, or deadline-monotonic (tightest tasks on the highest-priority streams)", "none"},
      {"stream_queue", choices(kSwitches),
       "`streams`: a job whose stream is busy is put on the stream at once and runs when it frees, as PyTorch does "
       "(live: no host round trip between two jobs of a stream; simulated: that job pays no stage overhead), or is "
       "launched when the previous job has ended",
       "on"},
      {"binding", choices(kBindings),
       "a ready stage joins a partition's queue at once (paper 4.4) or waits in one pool-wide queue for a free slot",
       "early"},
      {"slot_sms", "layout|profile|moldable|SMS",
       "stages a partition runs at once: the layout's max_parallel (paper), one per most SM-efficient size of the "
       "workload, one per SMS SMs, or moldable (late binding: each stage gets a block of pieces of its own, as wide "
       "as its deadline needs)",
       "layout"},
      {"block_sms", "deadlines|SMS",
       "slot_sms=moldable: the narrowest block a stage gets: the narrowest width at which every task's whole job fits "
       "its deadline, or SMS SMs (rounded up to a block width)",
       "deadlines"},
      {"block_need", choices(kBlockNeeds),
       "slot_sms=moldable: the width a stage needs (the rest of its job ends by its deadline) judged on the profile's "
       "times, or on them times the pace blocks have kept lately (moving sums, weight 1/32, of finished stages' start "
       "decision to end over their predicted times)",
       "profile"},
      {"chain", choices(kChains),
       "slot_sms=moldable: when a stage starts, the stage after it (its one successor, of which it is the one "
       "predecessor) is put on the same block's stream behind it, so that it starts when its predecessor ends with no "
       "host round trip (live: the graph waits on the stream; simulated: it pays no stage overhead); the block is the "
       "job's until then, so the job's later stages do not compete for blocks at that boundary. slack: only while the "
       "rest of the job from that stage, on that block, fits in the least slack of any task (its relative deadline "
       "minus its whole job on the narrowest block), so that no task waits behind a chain longer than it can afford; "
       "always: at every stage",
       "off"},
      {"drop_hopeless", choices(kDropHopeless),
       "late binding: a stage whose job cannot finish by its deadline even on the fastest partition (on), or even "
       "if it and the rest of its job started now on one slot's share (slot; tasks whose job does not fit one "
       "slot are judged as on; with slot_sms=moldable: on the widest block free now, at the blocks' pace), never "
       "starts (needs miss_policy=abort; the job is dropped at its deadline)",
       "off"},
      {"priority_first", choices(kSwitches), "late binding: high-priority stages go before low ones", "off"},
      {"reserve_slots", "integer >= 0", "late binding: free slots of the pool a low-priority stage may not take",
       "0"},
      {"units", choices(kJobUnits),
       "`sgprs`: what a partition runs, one stage at a time (paper 3: a job's stages may run on different "
       "partitions) or the whole job as one unit (no migration; live, no host round trip between stages)",
       "stages"},
  };
  return infos;
}

void set_scheduler_option(SchedulerOptions& o, std::string_view name, std::string_view value,
                          const std::string& source) {
  const std::string field(name);
  if (name == "deadline_fraction") {
    const double v = parse_double(name, value, source);
    if (!(v > 0 && v <= 1)) throw InputError(source, field, "must be in (0, 1]");
    o.deadline_fraction = v;
  } else if (name == "defer_window") {
    const double v = parse_double(name, value, source);
    if (!(v >= 0 && v <= 1000)) throw InputError(source, field, "must be in [0, 1000]");
    o.defer_window = v;
  } else if (name == "no_defer_last") {
    const int v = parse_int(name, value, source);
    if (v < 0) throw InputError(source, field, "must not be negative");
    o.no_defer_last = v;
  } else if (name == "reference_partition") {
    if (value == "last") o.reference_partition = -1;
    else if (value == "largest") o.reference_partition = -2;
    else {
      const int v = parse_int(name, value, source);
      if (v < 0) throw InputError(source, field, "must be last, largest or a partition index >= 0");
      o.reference_partition = v;
    }
  } else if (name == "scan_order") {
    o.scan_order = parse_enum(kScanOrders, name, value, source);
  } else if (name == "completion_estimate") {
    o.completion_estimate = parse_enum(kEstimates, name, value, source);
  } else if (name == "waiting_order") {
    o.waiting_order = parse_enum(kWaitingOrders, name, value, source);
  } else if (name == "miss_policy") {
    o.miss_policy = parse_enum(kMissPolicies, name, value, source);
  } else if (name == "static_assignment") {
    o.static_assignment = parse_enum(kAssignments, name, value, source);
  } else if (name == "overrun") {
    o.overrun = parse_enum(kOverruns, name, value, source);
  } else if (name == "stream_priorities") {
    o.stream_priorities = parse_enum(kStreamPriorities, name, value, source);
  } else if (name == "stream_queue") {
    o.stream_queue = parse_enum(kSwitches, name, value, source);
  } else if (name == "binding") {
    o.binding = parse_enum(kBindings, name, value, source);
  } else if (name == "slot_sms") {
    if (value == "layout") o.slot_sms = 0;
    else if (value == "profile") o.slot_sms = -1;
    else if (value == "moldable") o.slot_sms = kMoldableSlots;
    else {
      const int v = parse_int(name, value, source);
      if (v < 1 || v > 100000) throw InputError(source, field, "must be layout, profile, moldable or SMs per slot in [1, 100000]");
      o.slot_sms = v;
    }
  } else if (name == "block_sms") {
    if (value == "deadlines") o.block_sms = 0;
    else {
      const int v = parse_int(name, value, source);
      if (v < 1 || v > 100000) throw InputError(source, field, "must be deadlines or SMs in [1, 100000]");
      o.block_sms = v;
    }
  } else if (name == "block_need") {
    o.block_need = parse_enum(kBlockNeeds, name, value, source);
  } else if (name == "chain") {
    o.chain = parse_enum(kChains, name, value, source);
  } else if (name == "drop_hopeless") {
    o.drop_hopeless = parse_enum(kDropHopeless, name, value, source);
  } else if (name == "priority_first") {
    o.priority_first = parse_enum(kSwitches, name, value, source);
  } else if (name == "reserve_slots") {
    const int v = parse_int(name, value, source);
    if (v < 0 || v > 100000) throw InputError(source, field, "must be in [0, 100000]");
    o.reserve_slots = v;
  } else if (name == "units") {
    o.units = parse_enum(kJobUnits, name, value, source);
  } else if (name == "streams") {
    const int v = parse_int(name, value, source);
    if (v < 1 || v > 1024) throw InputError(source, field, "must be in [1, 1024]");
    o.streams = v;
  } else {
    std::vector<std::string> known;
    for (const auto& info : scheduler_option_infos()) known.push_back(info.name);
    throw InputError(source, field, unknown_name("scheduler option", field, known));
  }
}

std::string get_scheduler_option(const SchedulerOptions& o, std::string_view name) {
  if (name == "deadline_fraction") return format_double(o.deadline_fraction);
  if (name == "defer_window") return format_double(o.defer_window);
  if (name == "no_defer_last") return std::to_string(o.no_defer_last);
  if (name == "reference_partition")
    return o.reference_partition == -1 ? "last" : o.reference_partition == -2 ? "largest"
                                                                              : std::to_string(o.reference_partition);
  if (name == "scan_order") return name_of(kScanOrders, o.scan_order);
  if (name == "completion_estimate") return name_of(kEstimates, o.completion_estimate);
  if (name == "waiting_order") return name_of(kWaitingOrders, o.waiting_order);
  if (name == "miss_policy") return name_of(kMissPolicies, o.miss_policy);
  if (name == "static_assignment") return name_of(kAssignments, o.static_assignment);
  if (name == "overrun") return name_of(kOverruns, o.overrun);
  if (name == "streams") return std::to_string(o.streams);
  if (name == "stream_priorities") return name_of(kStreamPriorities, o.stream_priorities);
  if (name == "stream_queue") return name_of(kSwitches, o.stream_queue);
  if (name == "binding") return name_of(kBindings, o.binding);
  if (name == "slot_sms")
    return o.slot_sms == 0                ? "layout"
           : o.slot_sms == -1             ? "profile"
           : o.slot_sms == kMoldableSlots ? "moldable"
                                          : std::to_string(o.slot_sms);
  if (name == "block_sms") return o.block_sms == 0 ? "deadlines" : std::to_string(o.block_sms);
  if (name == "block_need") return name_of(kBlockNeeds, o.block_need);
  if (name == "chain") return name_of(kChains, o.chain);
  if (name == "drop_hopeless") return name_of(kDropHopeless, o.drop_hopeless);
  if (name == "priority_first") return name_of(kSwitches, o.priority_first);
  if (name == "reserve_slots") return std::to_string(o.reserve_slots);
  if (name == "units") return name_of(kJobUnits, o.units);
  return "";
}

Json SchedulerOptions::to_json() const {
  Json out = Json::object();
  out["deadline_fraction"] = deadline_fraction;
  out["defer_window"] = defer_window;
  out["no_defer_last"] = no_defer_last;
  out["streams"] = streams;
  out["reserve_slots"] = reserve_slots;
  for (const char* name : {"reference_partition", "scan_order", "completion_estimate", "waiting_order", "miss_policy",
                           "static_assignment", "overrun", "stream_priorities", "binding", "slot_sms",
                           "drop_hopeless", "priority_first"})
    out[name] = get_scheduler_option(*this, name);
  // Only where they apply or differ from the default, so that records made before they existed stay valid.
  if (slot_sms == kMoldableSlots) out["block_sms"] = get_scheduler_option(*this, "block_sms");
  if (block_need != BlockNeed::kProfile) out["block_need"] = get_scheduler_option(*this, "block_need");
  if (chain != Chain::kOff) out["chain"] = get_scheduler_option(*this, "chain");
  if (!stream_queue) out["stream_queue"] = "off";
  if (units != JobUnits::kStages) out["units"] = get_scheduler_option(*this, "units");
  return out;
}

}  // namespace sgprs::sim
