// A hand-made live run of two chain3 tasks (tests/data/sim: a 2 us, b 4 us, c 1 us at 8 SMs), each
// pinned by `static` to its own 8-SM partition, two jobs each. The "GPU" took every stage 10% longer
// than the profile, started it 100 ns after its launch and was noticed 100 ns after its end; the
// host released each job 300-700 ns late. Every figure below is worked out by hand from that.
#include "common/errors.hpp"
#include "common/file_fingerprint.hpp"
#include "common/json_io.hpp"
#include "simulator/policy/block_name.hpp"
#include "simulator/validation/live_replay.hpp"
#include "simulator/validation/run_comparison.hpp"
#include "simulator/validation/run_log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <utility>
#include <vector>
#include <string>

namespace fs = std::filesystem;
using namespace sgprs;
using namespace sgprs::validation;

namespace {

const std::string kHeader =
    R"({"schema":"sgprs.events/1","scheduler":"static","seed":1,"duration_ns":40000,"max_parallel":1,)"
    R"("tasks":[{"name":"x","stages":["a","b","c"]},{"name":"y","stages":["a","b","c"]}],)"
    R"("partitions":[{"name":"p0","sms":8},{"name":"p1","sms":8}]})";

std::string fmt_job(const std::string& task, int job, long release, long deadline) {
  return "\"task\":\"" + task + "\",\"job\":" + std::to_string(job) + ",\"release_ns\":" + std::to_string(release) +
         ",\"deadline_ns\":" + std::to_string(deadline);
}

/// One job of `task` on `partition`: released at `at`, stages a, b, c back to back, each GPU time
/// 1.1 x the profile, launched 100 ns after its start, on the GPU at once, and noticed 100 ns after
/// its end. With `wait_for_sms_b`, stage b is launched at its start and its first kernel waits that
/// long for SMs before its GPU start stamp (a stamp inside the graph).
std::string live_job(const std::string& task, int job, long release, long at, const std::string& partition,
                     long wait_for_sms_b = 0) {
  const long deadline = release + 20000;
  const std::string common = fmt_job(task, job, release, deadline);
  std::string out = "{\"t_ns\":" + std::to_string(at) + ",\"ev\":\"release\"," + common + "}\n";
  long t = at;
  const char* stages[] = {"a", "b", "c"};
  const long gpu_times[] = {2200, 4400, 1100};
  for (int s = 0; s < 3; ++s) {
    const std::string stage = ",\"stage\":\"" + std::string(stages[s]) + "\",\"partition\":\"" + partition + "\"";
    out += "{\"t_ns\":" + std::to_string(t) + ",\"ev\":\"decision\"," + common + stage + "}\n";
    out += "{\"t_ns\":" + std::to_string(t) + ",\"ev\":\"start\"," + common + stage + "}\n";
    const bool waits = s == 1 && wait_for_sms_b > 0;
    const long launch = waits ? t : t + 100;
    const long gpu_start = waits ? t + wait_for_sms_b : t + 100, gpu_end = gpu_start + gpu_times[s];
    t = gpu_end + 100;
    out += "{\"t_ns\":" + std::to_string(t) + ",\"ev\":\"finish\"," + common + stage + ",\"launch_ns\":" +
           std::to_string(launch) + ",\"gpu_start_ns\":" + std::to_string(gpu_start) +
           ",\"gpu_end_ns\":" + std::to_string(gpu_end) + "}\n";
  }
  out += "{\"t_ns\":" + std::to_string(t) + ",\"ev\":\"job_end\"," + common +
         ",\"outcome\":\"on_time\",\"response_ns\":" + std::to_string(t - release) + "}\n";
  return out;
}

}  // namespace

namespace {

/// x: job 0 released at 500, ends 8800 (response 8800); job 1 at 20300, ends 28600 (8600).
/// y: job 0 released at 700, ends 9000; job 1 at 20100, ends 28400 (8400).
std::string live_events() {
  return kHeader + "\n" + live_job("x", 0, 0, 500, "p0") + live_job("y", 0, 0, 700, "p1") +
         live_job("x", 1, 20000, 20300, "p0") + live_job("y", 1, 20000, 20100, "p1");
}

struct LiveFolder {
  fs::path dir;
  fs::path profile;
  explicit LiveFolder(const std::string& name, const std::string& events = live_events()) {
    dir = fs::temp_directory_path() / ("sgprs-validation-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    profile = dir / "profile.json";
    fs::copy_file(fs::path(SGPRS_SOURCE_DIR) / "tests/data/sim/profile.json", profile);
    write("events.jsonl", events);
    write("taskset.json", R"({"schema":"sgprs.taskset/1","name":"two-chains","tasks":[
      {"name":"x","model":"chain3","period_ns":20000,"offset_ns":0},
      {"name":"y","model":"chain3","period_ns":20000,"offset_ns":0}]})");
    const Json pool = {{"schema", "sgprs.layout/1"}, {"name", "two"}, {"max_parallel", 1},
                       {"partitions", {{{"name", "p0"}, {"pieces", {0, 1}}}, {{"name", "p1"}, {"pieces", {2, 3}}}}}};
    summary = {{"schema", "sgprs.summary/1"},
               {"jobs_released", 4},
               {"jobs_completed", 4},
               {"miss_ratio", 0.0},
               {"throughput_jobs_per_s", 100000.0},
               {"live", {{"interrupted", false}}},
               {"provenance",
                {{"world", "live"},
                 {"scheduler", "static"},
                 {"scheduler_options", Json::object()},
                 {"layout", pool},
                 {"pool", pool},
                 {"seed", 1},
                 {"taskset_seed", 1},
                 {"duration_ns", 40000},
                 {"predicted_times", "occupied"},
                 {"curve", "step"},
                 {"profile", {{"source", profile.string()}, {"device", "test-gpu (synthetic)"}, {"sm_count", 16},
                              {"precision", "fp32"}, {"fingerprint", file_fingerprint(profile.string())}}},
                 {"taskset", {{"name", "two-chains"}, {"source", (dir / "taskset.json").string()}, {"tasks", 2}}}}}};
    write_summary();
  }
  ~LiveFolder() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  void write_summary() const { write("summary.json", summary.dump(2)); }
  /// `sgprs validate --live DIR --out DIR/v`: exit status, stderr in `err`.
  int validate(std::string& err, const std::string& extra = "") const {
    const fs::path err_file = dir / "stderr.txt";
    const std::string cmd = std::string(SGPRS_BINARY) + " validate --no-plot --live " + dir.string() + " --out " +
                            (dir / "v").string() + " --models " + SGPRS_SOURCE_DIR + "/tests/data/sim/models " +
                            extra + " > /dev/null 2> " + err_file.string();
    const int status = std::system(cmd.c_str());
    std::ifstream in(err_file);
    err.assign(std::istreambuf_iterator<char>(in), {});
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  Json validation() const { return Json::parse(std::ifstream(dir / "v" / "validation.json")); }
  Json summary;
};

}  // namespace

TEST(RunLog, ReadsJobsAndStagesOfALiveLog) {
  LiveFolder f("reader");
  const RunLog log = read_run_log((f.dir / "events.jsonl").string());
  ASSERT_EQ(log.tasks.size(), 2u);
  EXPECT_EQ(log.releases, 4);
  ASSERT_EQ(log.jobs.size(), 4u);
  const JobRun& x1 = log.jobs[static_cast<std::size_t>(log.find_job(0, 1))];
  EXPECT_EQ(x1.released_at_ns, 20300);
  EXPECT_EQ(x1.response_ns, 8600);
  EXPECT_EQ(x1.end, JobEnd::kOnTime);
  ASSERT_EQ(log.stage_runs.size(), 12u);
  EXPECT_EQ(log.stage_runs[0].gpu_start_ns, 600);
  EXPECT_EQ(log.stage_runs[0].gpu_end_ns, 2800);
  EXPECT_EQ(log.stage_runs[0].finish_ns, 2900);
}

TEST(RunLog, AUnitQueuedOnItsStreamIsTheGpusFromTheEndOfTheUnitAheadOfIt) {
  // x's job 1 is put on p0's stream at 1000 while job 0 runs there (600..2800); the core starts it
  // at 2900, when job 0's end is noticed; its stamp inside the graph reads 3000 (it waited for SMs).
  const std::string x0 = fmt_job("x", 0, 0, 20000), x1 = fmt_job("x", 1, 500, 20500);
  const std::string a = R"(,"stage":"a","partition":"p0")";
  const std::string events = kHeader + "\n" +
      R"({"t_ns":0,"ev":"release",)" + x0 + "}\n" + R"({"t_ns":500,"ev":"start",)" + x0 + a + "}\n" +
      R"({"t_ns":500,"ev":"release",)" + x1 + "}\n" +
      R"({"t_ns":2900,"ev":"finish",)" + x0 + a + R"(,"launch_ns":500,"gpu_start_ns":600,"gpu_end_ns":2800})" + "\n" +
      R"({"t_ns":2900,"ev":"start",)" + x1 + a + "}\n" +
      R"({"t_ns":5300,"ev":"finish",)" + x1 + a + R"(,"launch_ns":1000,"gpu_start_ns":3000,"gpu_end_ns":5200})" + "\n";
  LiveFolder f("queued", events);
  const RunLog log = read_run_log((f.dir / "events.jsonl").string());
  ASSERT_EQ(log.stage_runs.size(), 2u);
  EXPECT_EQ(log.stage_runs[0].stream_ready_ns, -1);  // launched on an idle stream
  EXPECT_EQ(log.stage_runs[0].busy_start(), 500);    // from its launch call
  EXPECT_EQ(log.stage_runs[1].stream_ready_ns, 2800);
  EXPECT_EQ(log.stage_runs[1].busy_start(), 2800);
  EXPECT_EQ(log.stage_runs[1].busy_end(), 5200);
  EXPECT_FALSE(log.stage_runs[0].was_queued());
  EXPECT_TRUE(log.stage_runs[1].was_queued());  // launched at 1000, started at 2900
}

TEST(RunLog, AStartMarkedQueuedIsReadAndAnyOtherValueIsRefused) {
  // A simulated start of a unit that was on its stream already says so ("queued": true, from the
  // run core): validate charges it no stage overhead.
  const std::string x0 = fmt_job("x", 0, 0, 20000);
  const std::string a = R"(,"stage":"a","partition":"p0")";
  const auto log_with = [&](const std::string& flag) {
    return kHeader + "\n" + R"({"t_ns":0,"ev":"release",)" + x0 + "}\n" + R"({"t_ns":0,"ev":"start",)" + x0 + a + flag +
           "}\n" + R"({"t_ns":2000,"ev":"finish",)" + x0 + a + "}\n";
  };
  std::istringstream queued(log_with(R"(,"queued":true)")), plain(log_with(""));
  const RunLog marked = read_run_log(queued, "events.jsonl"), unmarked = read_run_log(plain, "events.jsonl");
  EXPECT_TRUE(marked.stage_runs.at(0).queued);
  EXPECT_FALSE(unmarked.stage_runs.at(0).queued);
  const auto none = [](int, int, int, bool) -> Ns { return 0; };
  const Validation v = compare_runs(unmarked, marked, {}, {}, {"chain3", "chain3"}, none);
  EXPECT_EQ(v.stages_queued_live, 0);
  EXPECT_EQ(v.stages_queued_sim, 1);
  EXPECT_EQ(v.to_json()["stages"]["queued_sim"], 1);
  std::istringstream bad(log_with(R"(,"queued":1)"));
  try {
    (void)read_run_log(bad, "events.jsonl");
    ADD_FAILURE() << "queued: 1 was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("events.jsonl: field 'line 3.queued': must be true or false"), std::string::npos)
        << error.what();
  }
}

TEST(RunLog, RefusesTimesAndSizesPastTheLimitsNamingLineAndField) {
  // Found by tools/hostile_campaign.py: a release_ns of 2^63 was read as -2^63 and the job's
  // response (end - release) overflowed int64 (UBSan).
  const std::string job = live_job("x", 0, 0, 500, "p0");
  const auto replaced = [](std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
  };
  for (const auto& [log, field] : std::vector<std::pair<std::string, std::string>>{
           {kHeader + "\n" + replaced(job, "\"release_ns\":0", "\"release_ns\":9223372036854775808"), "line 2.release_ns"},
           {kHeader + "\n" + replaced(job, "\"t_ns\":500", "\"t_ns\":-9223372036854775808"), "line 2.t_ns"},
           {replaced(kHeader, "\"max_parallel\":1", "\"max_parallel\":1099511627776") + "\n" + job, "line 1.max_parallel"},
           {replaced(kHeader, "\"sms\":8", "\"sms\":-8") + "\n" + job, "line 1.sms"}}) {
    std::istringstream in(log);
    try {
      (void)read_run_log(in, "events.jsonl");
      ADD_FAILURE() << field << " was accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("events.jsonl: field '" + field + "': must be from"), std::string::npos)
          << error.what();
    }
  }
}

TEST(LiveReplay, ReleaseLatencyIsMeasuredFromMaxOfReleaseAndPreviousEnd) {
  LiveFolder f("replay");
  const auto latencies = release_latencies(read_run_log((f.dir / "events.jsonl").string()));
  ASSERT_EQ(latencies.size(), 2u);
  EXPECT_EQ(latencies[0], (std::vector<Ns>{500, 300}));  // x: 500 - 0; 20300 - max(20000, 8800)
  EXPECT_EQ(latencies[1], (std::vector<Ns>{700, 100}));
}

TEST(Validate, ReSimulationReproducesTheLoggedReleasesAndHandComputedErrors) {
  LiveFolder f("cli");
  std::string err;
  ASSERT_EQ(f.validate(err, "--stage-overhead none"), 0) << err;
  const Json v = f.validation();
  EXPECT_EQ(v["schema"], "sgprs.validation/1");
  // Every release at the same nanosecond: the simulated jobs end earlier than the live ones,
  // so max(r, f) is r in both, plus the replayed latency.
  EXPECT_EQ(v["releases"]["compared"], 4);
  EXPECT_EQ(v["releases"]["equal"], 4);
  // Simulated responses: x 7500 and 7300, y 7700 and 7100 (2 + 4 + 1 us after each release).
  // p50 (nearest rank of two: the smaller): x (7300 - 8600) / 8600, y (7100 - 8400) / 8400.
  const double x50 = (7300.0 - 8600) / 8600, y50 = (7100.0 - 8400) / 8400;
  const double x99 = (7500.0 - 8800) / 8800, y99 = (7700.0 - 9000) / 9000;
  EXPECT_NEAR(v["response_p50_rel_error"].get<double>(), (std::abs(x50) + std::abs(y50)) / 2, 1e-12);
  EXPECT_NEAR(v["response_p99_rel_error"].get<double>(), (std::abs(x99) + std::abs(y99)) / 2, 1e-12);
  EXPECT_NEAR(v["tasks"][0]["p50_rel_error"].get<double>(), x50, 1e-12);
  // Static pinning: both runs put every stage on the same partition.
  EXPECT_DOUBLE_EQ(v["decision_agreement"].get<double>(), 1.0);
  EXPECT_EQ(v["stages"]["both"], 12);
  // Every live stage took 1.1 x the profile, which the simulated GPU ran: error -1/11 each.
  EXPECT_NEAR(v["stage_time_rel_error"]["median_signed"].get<double>(), -1.0 / 11, 1e-12);
  EXPECT_NEAR(v["stage_time_rel_error"]["p90"].get<double>(), 1.0 / 11, 1e-12);
  EXPECT_EQ(v["profile_time_rel_error"]["isolated"]["count"], 12);
  EXPECT_NEAR(v["profile_time_rel_error"]["isolated"]["median_signed"].get<double>(), -1.0 / 11, 1e-12);
  // The occupied times are twice the isolated ones in this profile: (2 - 1.1) / 1.1.
  EXPECT_NEAR(v["profile_time_rel_error"]["occupied"]["median_signed"].get<double>(), 0.9 / 1.1, 1e-12);
  EXPECT_DOUBLE_EQ(v["miss_ratio_live"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(v["miss_ratio_sim"].get<double>(), 0.0);
  EXPECT_NEAR(v["throughput_rel_error"].get<double>(),
              (v["throughput_sim"].get<double>() - 100000.0) / 100000.0, 1e-12);
  for (const char* file : {"report.md", "responses.csv", "sim-events.jsonl", "timeline.json", "layout.json"})
    EXPECT_TRUE(fs::exists(f.dir / "v" / file)) << file;
  const Json trace = Json::parse(std::ifstream(f.dir / "v" / "timeline.json"));
  int slices = 0;
  for (const Json& e : trace["traceEvents"]) slices += e["ph"] == "X";
  EXPECT_EQ(slices, 24);  // 12 stage runs in each world
}

TEST(Validate, MeasuredStageOverheadDelaysEveryStageOnTheSimulatedGpu) {
  LiveFolder f("overhead");
  std::string err;
  ASSERT_EQ(f.validate(err), 0) << err;
  const Json v = f.validation();
  // Median start-to-launch-call (100 ns), launch latency (none) and GPU-end-to-noticed (100 ns): 200
  // ns per stage, 600 per job.
  EXPECT_EQ(v["provenance"]["stage_overhead_ns"], 200);
  EXPECT_NEAR(v["tasks"][0]["p50_rel_error"].get<double>(), (7900.0 - 8600) / 8600, 1e-12);
  // The simulated busy time still excludes the overhead: -1/11 as without it.
  EXPECT_NEAR(v["stage_time_rel_error"]["median_signed"].get<double>(), -1.0 / 11, 1e-12);
  EXPECT_EQ(v["releases"]["equal"], 4);
}

TEST(Validate, WaitingForSmsAfterTheLaunchIsGpuTimeNotHostTime) {
  // Stage b of every job is launched at its start and waits 3000 ns for SMs before its stamp.
  const std::string events = kHeader + "\n" + live_job("x", 0, 0, 500, "p0", 3000) +
                             live_job("y", 0, 0, 700, "p1", 3000) + live_job("x", 1, 20000, 20300, "p0", 3000) +
                             live_job("y", 1, 20000, 20100, "p1", 3000);
  LiveFolder f("wait", events);
  std::string err;
  ASSERT_EQ(f.validate(err), 0) << err;
  const Json v = f.validation();
  // Start to launch: 100 ns for a and c, 0 for b (median 100); launch to stamp 0, 0 and 3000 (5th
  // percentile 0: the wait is not latency); notice 100. Without the rule b's wait would be overhead.
  EXPECT_EQ(v["provenance"]["stage_overhead_ns"], 200);
  // b's measured time runs from its launch: 3000 + 4400 against the simulated 4000 (the profile's).
  const RunLog live = read_run_log((f.dir / "events.jsonl").string());
  int b_runs = 0;
  for (const StageRun& s : live.stage_runs) {
    if (s.stage != 1) continue;
    ++b_runs;
    EXPECT_EQ(s.busy_end() - s.busy_start(), 7400);
    EXPECT_EQ(s.gpu_end_ns - s.gpu_start_ns, 4400);
  }
  EXPECT_EQ(b_runs, 4);
}

TEST(Validate, TheRunsHardwareQueuesFromItsNotesSetTheRunningLimit) {
  // The run's notes say 16 hardware queues; a calibration whose running_limit is 2 units at 32
  // queues gives C(16) = 1 (simulator/sim/running_limit.hpp): the re-simulated stages of x and y,
  // on their own partitions, run one at a time, first come first started. Job 0 (x at 500, y at
  // 700): x.a [500, 2500], y.a [2500, 4500], x.b [4500, 8500], y.b [8500, 12500], x.c [12500,
  // 13500], y.c [13500, 14500]. Job 1 (y at 20100, x at 20300): y.a [20100, 22100], x.a [22100,
  // 24100], y.b [24100, 28100], x.b [28100, 32100], y.c [32100, 33100], x.c [33100, 34100].
  LiveFolder f("queues");
  f.summary["live"]["notes"] = "tf32, CUDA_DEVICE_MAX_CONNECTIONS=16, split 2 x 8";
  f.write_summary();
  f.write("limit.sharing.json", R"json({"schema": "sgprs.sharing/1", "device": "test-gpu (synthetic)", "precision": "fp32",
    "contention": [{"units": 1, "factor": 1.0}], "running_limit": [{"queues": 32, "running": 2.0}]})json");
  const std::string packed = "--stage-overhead none --sharing packed --sharing-calibration " + (f.dir / "limit.sharing.json").string();
  std::string err;
  ASSERT_EQ(f.validate(err, packed), 0) << err;
  Json v = f.validation();
  EXPECT_EQ(v["provenance"]["running_limit"]["hardware_queues"], 16);
  EXPECT_EQ(v["provenance"]["running_limit"]["units"], 1);
  // x: responses 13500 and 14100 against the live 8800 and 8600; nearest-rank p50 of two, the smaller.
  EXPECT_NEAR(v["tasks"][0]["p50_rel_error"].get<double>(), (13500.0 - 8600) / 8600, 1e-12);
  EXPECT_NEAR(v["tasks"][0]["p99_rel_error"].get<double>(), (14100.0 - 8800) / 8800, 1e-12);
  // --hardware-queues overrides the notes: 32 queues run both partitions' stages side by side.
  ASSERT_EQ(f.validate(err, packed + " --hardware-queues 32"), 0) << err;
  v = f.validation();
  EXPECT_EQ(v["provenance"]["running_limit"]["units"], 2);
  EXPECT_NEAR(v["tasks"][0]["p50_rel_error"].get<double>(), (7300.0 - 8600) / 8600, 1e-12);
}

TEST(Comparison, DecisionAgreementCountsStagesOnlyOneRunStartedAsDisagreements) {
  LiveFolder f("agreement");
  const RunLog live = read_run_log((f.dir / "events.jsonl").string());
  // The "simulated" run: the same log with y's job 1 on p0 instead of p1 and x's job 1 never run.
  std::string other = kHeader + "\n" + live_job("x", 0, 0, 500, "p0") + live_job("y", 0, 0, 700, "p1") +
                      live_job("y", 1, 20000, 20100, "p0");
  f.write("other.jsonl", other);
  const RunLog sim = read_run_log((f.dir / "other.jsonl").string());
  const auto none = [](int, int, int, bool) -> Ns { return 0; };
  const Validation v = compare_runs(live, sim, {}, {}, {"chain3", "chain3"}, none);
  // 12 live stages, 9 simulated, 9 in both, 6 of them on the same partition: 6 / (12 + 9 - 9).
  EXPECT_EQ(v.stages_both, 9);
  EXPECT_EQ(v.stages_same_partition, 6);
  EXPECT_DOUBLE_EQ(v.decision_agreement, 6.0 / 12);
  EXPECT_DOUBLE_EQ(v.decision_agreement_matched, 6.0 / 9);
  // p0 and p1 both have 8 SMs: by width the three moved stages agree, the three unrun ones do not.
  EXPECT_EQ(v.stages_same_width, 9);
  EXPECT_DOUBLE_EQ(v.decision_agreement_width, 9.0 / 12);
  // The same, with y's job 1 on a 16-SM partition p2: neither its name nor its width agrees.
  std::string header16 = kHeader;
  header16.replace(header16.find(R"({"name":"p1","sms":8}]})"), std::string(R"({"name":"p1","sms":8}]})").size(),
                   R"({"name":"p1","sms":8},{"name":"p2","sms":16}]})");
  f.write("wide.jsonl", header16 + "\n" + live_job("x", 0, 0, 500, "p0") + live_job("y", 0, 0, 700, "p1") +
                            live_job("y", 1, 20000, 20100, "p2"));
  const Validation wide = compare_runs(live, read_run_log((f.dir / "wide.jsonl").string()), {}, {}, {"chain3", "chain3"}, none);
  EXPECT_EQ(wide.stages_same_width, 6);
  EXPECT_DOUBLE_EQ(wide.decision_agreement_width, 6.0 / 12);
  EXPECT_EQ(v.to_json()["stages"]["same_width"], 9);
}

TEST(Comparison, BlockAgreementTakesTheRemainderBlockForTheOnePieceClassItIs) {
  // Moldable blocks as slot_plan.cpp names them: two one-piece blocks of 8 SMs, the one-piece block
  // that holds the remainder (20 SMs) and a two-piece block (16). x's stages run on p0.0+1 live;
  // simulated, job 0 on p0.14+1 (same class, other width) and job 1 on p0.0+2 (another class).
  LiveFolder f("blocks");
  std::string header = kHeader;
  const std::string two = R"({"name":"p0","sms":8},{"name":"p1","sms":8}]})";
  header.replace(header.find(two), two.size(),
                 R"({"name":"p0.0+1","sms":8},{"name":"p0.1+1","sms":8},{"name":"p0.14+1","sms":20},{"name":"p0.0+2","sms":16}]})");
  f.write("live.jsonl", header + "\n" + live_job("x", 0, 0, 500, "p0.0+1") + live_job("x", 1, 20000, 20500, "p0.1+1"));
  f.write("sim.jsonl", header + "\n" + live_job("x", 0, 0, 500, "p0.14+1") + live_job("x", 1, 20000, 20500, "p0.0+2"));
  const auto none = [](int, int, int, bool) -> Ns { return 0; };
  const Validation v = compare_runs(read_run_log((f.dir / "live.jsonl").string()), read_run_log((f.dir / "sim.jsonl").string()),
                                    {}, {}, {"chain3", "chain3"}, none);
  EXPECT_EQ(v.stages_both, 6);
  EXPECT_EQ(v.stages_same_partition, 0);
  EXPECT_EQ(v.stages_same_width, 0);
  EXPECT_EQ(v.stages_same_block, 3);  // job 0's three stages: one piece each side
  EXPECT_DOUBLE_EQ(v.decision_agreement_block, 0.5);
  EXPECT_EQ(v.to_json()["stages"]["same_block"], 3);
  EXPECT_NE(validation_report(v, "t").find("by block width in pieces) | | | 0.0% / 0.0%; 0.0%; 50.0% |"), std::string::npos)
      << validation_report(v, "t");
}

TEST(Comparison, BlockWidthIsReadOnlyFromAMoldableBlocksName) {
  EXPECT_EQ(sgprs::sim::moldable_block_width(sgprs::sim::moldable_block_name("p0", 14, 1)), 1);
  EXPECT_EQ(sgprs::sim::moldable_block_width("p0.12+4"), 4);
  EXPECT_EQ(sgprs::sim::moldable_block_width("big.part.0+16"), 16);
  for (const char* other : {"p0", "p0+1", "p0.+1", "p0.1+", "p0.1+x", "p0.x+1", "p0.1+0", "p0.1+2b", ""})
    EXPECT_EQ(sgprs::sim::moldable_block_width(other), 0) << other;
}

TEST(Validate, RefusesAFolderThatIsNotALiveRun) {
  LiveFolder f("notlive");
  f.summary["provenance"]["world"] = "sim";
  f.write_summary();
  std::string err;
  EXPECT_EQ(f.validate(err), 2);
  EXPECT_NE(err.find("provenance.world"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(f.dir / "v" / "validation.json"));
}

TEST(Validate, SummaryFieldsOfTheWrongTypeOrMissingAreOneLineAndLeaveNoOutFolder) {
  // Found by tools/hostile_campaign.py: these were "internal error" (exit 1), and a missing total
  // left sim-events.jsonl in --out.
  for (const auto& [label, change] : std::vector<std::pair<std::string, std::function<void(Json&)>>>{
           {"provenance.world", [](Json& s) { s["provenance"]["world"] = 4611686018427387904LL; }},
           {"throughput_jobs_per_s", [](Json& s) { s.erase("throughput_jobs_per_s"); }},
           {"live", [](Json& s) { s["live"] = "yes"; }},
           {"seed", [](Json& s) { s["provenance"]["seed"] = "one"; }},
           {"pool", [](Json& s) { s["provenance"].erase("pool"); }},
           {"provenance.layout", [](Json& s) { s["provenance"]["layout"] = 3; }}}) {
    LiveFolder f("types");
    change(f.summary);
    f.write_summary();
    std::string err;
    EXPECT_EQ(f.validate(err), 2) << label << ": " << err;
    EXPECT_NE(err.find(label), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_FALSE(fs::exists(f.dir / "v")) << label;
  }
}

TEST(Validate, ReSimulatesFromTheRequestedLayoutNotThePool) {
  // The scheduler makes its pool from the layout it is given (moldable blocks cut each partition
  // into blocks), so the re-simulation is given what the live run was given: here a one-partition
  // layout whose recorded pool (two partitions) the re-simulation does not see.
  LiveFolder f("requested");
  f.summary["provenance"]["layout"] = {{"schema", "sgprs.layout/1"}, {"name", "one"}, {"max_parallel", 2},
                                       {"partitions", {{{"name", "all"}, {"pieces", {0, 1, 2, 3}}}}}};
  f.write_summary();
  std::string err;
  ASSERT_EQ(f.validate(err, "--stage-overhead none"), 0) << err;
  std::ifstream events(f.dir / "v" / "sim-events.jsonl");
  std::string header;
  std::getline(events, header);
  const Json partitions = Json::parse(header)["partitions"];
  ASSERT_EQ(partitions.size(), 1u) << header;
  EXPECT_EQ(partitions[0]["name"], "all");
  EXPECT_DOUBLE_EQ(f.validation()["decision_agreement"].get<double>(), 0.0);  // the live run used p0 and p1
}

TEST(Validate, AFailureAfterTheOutFolderWasMadeRemovesIt) {
  // --gpu-times occupied with the default --interference is refused only when the re-simulation
  // starts, after --out was created: the folder goes again.
  LiveFolder f("late");
  std::string err;
  EXPECT_EQ(f.validate(err, "--gpu-times occupied"), 2) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(f.dir / "v"));
}

TEST(Validate, RefusesALogCutShort) {
  const std::string full = live_events();
  LiveFolder f("cut", full.substr(0, full.rfind("{\"t_ns\"", full.size() - 2) - 40));
  std::string err;
  EXPECT_EQ(f.validate(err), 2);
  EXPECT_NE(err.find("events.jsonl"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(f.dir / "v" / "validation.json"));
}

TEST(Validate, RefusesATaskSetWhosePeriodsChangedSinceTheRun) {
  // Found by tools/hostile_campaign.py: a period of 3 ns re-simulated for minutes without a word.
  LiveFolder f("period");
  f.write("taskset.json", R"({"schema":"sgprs.taskset/1","name":"two-chains","tasks":[
    {"name":"x","model":"chain3","period_ns":20000,"offset_ns":0},
    {"name":"y","model":"chain3","period_ns":3,"offset_ns":0}]})");
  std::string err;
  EXPECT_EQ(f.validate(err), 2);
  EXPECT_NE(err.find("taskset.json"), std::string::npos) << err;
  EXPECT_NE(err.find("task 'y' has period 3 ns"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(f.dir / "v"));
}

TEST(Validate, RefusesAProfileThatChangedSinceTheRun) {
  LiveFolder f("changed");
  std::ofstream(f.profile, std::ios::app) << "\n";
  std::string err;
  EXPECT_EQ(f.validate(err), 2);
  EXPECT_NE(err.find("changed since the live run"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

// A profile measured again replaces the file the run recorded; the run's own profile, kept under
// another name, is given with --profile and checked by its fingerprint like the recorded one.
TEST(Validate, TakesTheRunsProfileFromWhereItMovedAndRefusesAnotherOne) {
  LiveFolder f("moved");
  const fs::path kept = f.dir / "profile-kept.json";
  fs::copy_file(f.profile, kept);
  std::ofstream(f.profile, std::ios::app) << "\n";  // the recorded path now holds another measurement
  std::string err;
  EXPECT_EQ(f.validate(err, "--profile " + kept.string()), 0) << err;
  EXPECT_TRUE(fs::exists(f.dir / "v" / "validation.json"));
  fs::remove_all(f.dir / "v");
  EXPECT_EQ(f.validate(err, "--profile " + f.profile.string()), 2);
  EXPECT_NE(err.find("changed since the live run"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(f.dir / "v"));
  // Kept where measured-again profiles are kept (runs/ beside the recorded file), it is named.
  fs::create_directories(f.dir / "runs");
  fs::rename(kept, f.dir / "runs" / "profile-kept.json");
  EXPECT_EQ(f.validate(err), 2);
  EXPECT_NE(err.find("add --profile " + (f.dir / "runs" / "profile-kept.json").string()), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(Validate, RefusesARecordedInputThatIsNotAFileNamingTheSummaryField) {
  // Found by tools/hostile_campaign.py (seed 2): a task set source of "#" was refused as
  // "#: cannot open file", naming neither summary.json nor the field (and "" named the working folder).
  for (const std::string input : {"taskset", "profile"})
    for (const std::string source : {"#", "", "gone.json"}) {
      LiveFolder f("source");
      fs::remove(f.dir / "taskset.json");  // the folder's own copy would win over the recorded path
      if (input == "profile")  // a task set that loads, whichever input validate checks first
        f.summary["provenance"]["taskset"]["source"] = SGPRS_SOURCE_DIR "/tests/data/sim/taskset-small.json";
      f.summary["provenance"][input]["source"] = source;
      f.write_summary();
      std::string err;
      EXPECT_EQ(f.validate(err), 2) << input << " '" << source << "': " << err;
      EXPECT_NE(err.find("summary.json"), std::string::npos) << err;
      EXPECT_NE(err.find("provenance." + input + ".source"), std::string::npos) << err;
      EXPECT_NE(err.find("'" + source + "' is not a file here"), std::string::npos) << err;
      EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
      EXPECT_FALSE(fs::exists(f.dir / "v")) << input << " '" << source << "'";
    }
}
