#include "simulator/experiments/sweep_runner.hpp"

#include "common/errors.hpp"
#include "common/progress_bar.hpp"
#include "simulator/experiments/sweep_summary.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace sgprs::exp {

namespace {

namespace fs = std::filesystem;

RunRow row_for(const PreparedExperiment& prep, const RunKey& key, const RunMetrics& metrics) {
  const std::size_t set = prep.set_index(key.load, key.repetition);
  RunRow row;
  row.experiment = prep.experiment.name;
  row.layout = prep.layouts[key.layout].name;
  row.scheduler = prep.experiment.schedulers[key.scheduler].label;
  row.load = load_text(prep.loads[key.load]);
  row.repetition = key.repetition;
  row.seed = prep.seeds[set];
  for (const TaskSpec& spec : prep.task_sets[set].specs) row.tasks += spec.count;
  row.utilisation = total_utilisation(prep.profile, prep.task_sets[set]);
  row.offered_jobs_per_s = prep.bounds[set].offered_jobs_per_s;
  row.bound_jobs_per_s = prep.bounds[set].sustainable_jobs_per_s;
  row.metrics = metrics;
  return row;
}

/// Complete rows already in `path`, by run identity. A row counts only when its line ends with
/// '\n': a sweep stopped in the middle of an append leaves a cut last line, dropped here and
/// recomputed (a cut number could otherwise still parse).
std::map<std::string, RunRow> read_done_rows(const std::string& path, const std::string& experiment) {
  std::map<std::string, RunRow> done;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return done;
  if (line != run_csv_header())
    throw InputError(path, "", "has another header than this build writes; cannot resume (use a new --out)");
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no '\n' after it: cut
    auto row = parse_run_row(line);
    if (!row) continue;
    if (row->experiment != experiment)
      throw InputError(path, "experiment",
                       "holds rows of experiment '" + row->experiment + "', not '" + experiment + "'; use a new --out");
    done.emplace(run_identity(*row), *row);
  }
  return done;
}

/// `record_path` (sweep.json, or shard.json of a shard) left by an earlier execution must describe
/// the same experiment (and the same shard) as `record`.
void check_resumable(const Json& record, const std::string& record_path) {
  if (!fs::exists(record_path)) return;
  Json previous;
  try {
    std::ifstream in(record_path);
    previous = Json::parse(in);
  } catch (const std::exception&) {
    return;  // an unreadable record cannot contradict us; the rows' identities still must match
  }
  const bool shard = record.contains("shard");
  const Json& experiment = shard ? record["sweep"]["experiment"] : record["experiment"];
  const Json* earlier = shard ? (previous.contains("sweep") ? &previous["sweep"] : nullptr) : &previous;
  if (earlier && earlier->contains("experiment") && (*earlier)["experiment"] != experiment)
    throw InputError(record_path, "experiment",
                     "this folder holds a sweep of another experiment (other file, loads or profile); use a new --out");
  if (shard && previous.contains("shard") && previous["shard"] != record["shard"])
    throw InputError(record_path, "shard", "this folder holds another shard (" + previous["shard"].dump() +
                                               "); use a new --out");
}


/// The outputs a sweep writes into its folder, and the plots tools/plot_sweep.py draws there (.png, .svg).
const char* const kSweepFiles[] = {"runs.csv", "summary.csv", "sweep.json"};
const char* const kPlotNames[] = {"throughput_vs_load", "miss_ratio_vs_load", "schedulability_vs_utilisation"};

}  // namespace

void check_sweep_folder(const PreparedExperiment& prep, const SweepOptions& options) {
  const fs::path dir(options.out_dir);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError("--out", "", "'" + options.out_dir + "' exists and is not a folder");
  for (const char* name : kSweepFiles)
    if (fs::exists(dir / name, ec) && !fs::is_regular_file(dir / name, ec))
      throw InputError("--out", "", "'" + (dir / name).string() + "' exists and is not a file");
  if (!options.resume) return;
  if (!options.shard.whole()) {  // the shard's record, before the plan is printed
    check_resumable(shard_record(prep, options.shard, shard_runs(prep, options.shard).size()),
                    (dir / "shard.json").string());
    return;
  }
  const fs::path runs = dir / "runs.csv";
  const fs::path sweep_json = dir / "sweep.json";
  if (!fs::exists(sweep_json, ec)) {
    if (fs::exists(runs, ec) && fs::file_size(runs, ec) > run_csv_header().size() + 1)
      throw InputError(sweep_json.string(), "",
                       "is missing, so the rows of runs.csv cannot be matched to this experiment; "
                       "run without --resume or into a new --out");
    return;
  }
  std::ifstream in(sweep_json, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const Json previous = parse_json_text(text.str(), sweep_json.string());
  if (!previous.is_object() || !previous.contains("experiment"))
    throw InputError(sweep_json.string(), "experiment", "missing; cannot tell which experiment this folder holds");
  if (previous["experiment"] != experiment_identity(prep))
    throw InputError(sweep_json.string(), "experiment",
                     "this folder holds a sweep of another experiment (other file, loads or profile); use a new --out");
  read_done_rows(runs.string(), prep.experiment.name);
}

std::vector<RunKey> shard_runs(const PreparedExperiment& prep, const ShardSpec& shard) {
  std::vector<RunKey> keys = enumerate_runs(prep);
  if (shard.whole()) return keys;
  const RunGrid grid = run_grid(prep);
  std::erase_if(keys, [&](const RunKey& key) { return shard_of(grid, key, shard.count) != shard.index; });
  return keys;
}

std::vector<RunKey> enumerate_runs(const PreparedExperiment& prep) {
  std::vector<RunKey> keys;
  keys.reserve(prep.runs());
  for (std::size_t l = 0; l < prep.layouts.size(); ++l)
    for (std::size_t s = 0; s < prep.experiment.schedulers.size(); ++s)
      for (std::size_t load = 0; load < prep.loads.size(); ++load)
        for (int rep = 0; rep < prep.experiment.repetitions; ++rep)
          keys.push_back({keys.size(), l, s, load, rep});
  return keys;
}

SweepResult run_sweep(const PreparedExperiment& prep, const SweepOptions& options, const RunFunction& run,
                      const RunSignature& signature) {
  const auto start = std::chrono::steady_clock::now();
  check_sweep_folder(prep, options);
  const std::string runs_path = (fs::path(options.out_dir) / "runs.csv").string();
  const bool shard = !options.shard.whole();
  const std::string record_path = (fs::path(options.out_dir) / (shard ? "shard.json" : "sweep.json")).string();

  const std::vector<RunKey> keys = shard_runs(prep, options.shard);
  std::vector<std::optional<RunRow>> rows(prep.runs());  // by RunKey::index
  SweepResult result;
  result.runs_total = keys.size();
  Json record = shard ? shard_record(prep, options.shard, keys.size()) : sweep_record(prep);

  if (options.resume) {
    check_resumable(record, record_path);
    std::map<std::string, RunRow> done = read_done_rows(runs_path, prep.experiment.name);
    for (const RunKey& key : keys) {
      RunRow expected = row_for(prep, key, {});
      auto it = done.find(run_identity(expected));
      if (it != done.end() && it->second.seed == expected.seed) {
        rows[key.index] = it->second;
        ++result.runs_resumed;
      }
    }
  }

  // From here the folder holds this sweep: the outputs of an earlier one that the final step
  // would replace go first, so an interrupted sweep never leaves them beside the new rows.
  fs::create_directories(options.out_dir);
  std::error_code ec;
  fs::remove(fs::path(options.out_dir) / "summary.csv", ec);
  for (const char* plot : kPlotNames)
    for (const char* extension : {".png", ".svg"})
      fs::remove(fs::path(options.out_dir) / (std::string(plot) + extension), ec);

  // Record the experiment before any run, so an interrupted folder can be resumed safely.
  write_file_atomic(record_path, dump_pretty(record));

  // Start runs.csv afresh with the kept rows; new rows are appended as they finish.
  {
    std::string text = run_csv_header() + "\n";
    for (const auto& row : rows)
      if (row) text += format_run_row(*row) + "\n";
    write_file_atomic(runs_path, text);
  }
  std::FILE* append = std::fopen(runs_path.c_str(), "a");
  if (!append) throw InputError(runs_path, "", "cannot be opened for writing");
  bool append_failed = false;

  // One work item per distinct signature; a pending run whose twin is already
  // in runs.csv (resume) takes its metrics from there.
  std::vector<std::vector<RunKey>> pending;
  std::map<std::string, std::size_t> item_of;
  std::map<std::string, RunMetrics> resumed_by_signature;
  std::vector<std::string> signatures(prep.runs());  // by RunKey::index
  if (signature)
    for (const RunKey& key : keys) {
      signatures[key.index] = signature(key);
      if (rows[key.index]) resumed_by_signature.emplace(signatures[key.index], rows[key.index]->metrics);
    }
  std::vector<RunKey> copied;
  for (const RunKey& key : keys) {
    if (rows[key.index]) continue;
    if (!signature) {
      pending.push_back({key});
      continue;
    }
    if (resumed_by_signature.count(signatures[key.index])) {
      copied.push_back(key);
      continue;
    }
    auto [it, fresh] = item_of.emplace(signatures[key.index], pending.size());
    if (fresh) pending.emplace_back();
    pending[it->second].push_back(key);
  }
  // Largest loads first: they take longest, so the pool ends with short runs
  // and no thread is left alone with a long one. Order does not change results.
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return a.front().load > b.front().load; });

  ProgressBar progress(keys.size(), result.runs_resumed, stderr, options.progress);
  std::mutex write_mutex;
  auto record_row = [&](const RunKey& key, const RunMetrics& metrics) {
    RunRow row = row_for(prep, key, metrics);
    const std::string line = format_run_row(row) + "\n";
    {
      std::lock_guard lock(write_mutex);
      if (std::fputs(line.c_str(), append) < 0 || std::fflush(append) != 0) append_failed = true;
      rows[key.index] = std::move(row);
    }
    progress.advance();
  };
  for (const RunKey& key : copied) record_row(key, resumed_by_signature.at(signatures[key.index]));

  std::vector<RunKey> representatives;
  representatives.reserve(pending.size());
  for (const auto& item : pending) representatives.push_back(item.front());
  const ItemDone item_done = [&](std::size_t item, const RunMetrics& metrics) {
    for (const RunKey& key : pending[item]) record_row(key, metrics);
  };
  WorkQueue queue(representatives, run, item_done);
  try {
    if (options.executor) {
      result.threads = options.executor(queue);
    } else {
      const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
      result.threads = run_on_threads(queue, options.jobs > 0 ? options.jobs : static_cast<int>(hw));
    }
  } catch (...) {
    std::fclose(append);
    throw;
  }
  if (std::fclose(append) != 0) append_failed = true;
  if (append_failed)
    throw InputError(runs_path, "", "could not be written completely (disk full?); --resume redoes the lost rows");
  progress.finish();
  result.runs_simulated = pending.size();
  result.runs_executed = keys.size() - result.runs_resumed;

  std::vector<RunRow> ordered;
  ordered.reserve(keys.size());
  std::string text = run_csv_header() + "\n";
  for (const RunKey& key : keys) {
    text += format_run_row(*rows[key.index]) + "\n";
    ordered.push_back(std::move(*rows[key.index]));
  }
  write_file_atomic(runs_path, text);
  if (!shard)
    write_file_atomic((fs::path(options.out_dir) / "summary.csv").string(), summary_csv(summarise(ordered)));

  result.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  add_execution(record, result, options.command_line);
  write_file_atomic(record_path, dump_pretty(record));
  return result;
}

}  // namespace sgprs::exp
