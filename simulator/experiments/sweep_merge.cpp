#include "simulator/experiments/sweep_merge.hpp"

#include "common/errors.hpp"
#include "common/limits.hpp"
#include "common/temp_files.hpp"
#include "simulator/experiments/sweep_summary.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sgprs::exp {

namespace {

namespace fs = std::filesystem;

struct Shard {
  std::string dir;
  std::string record_path;
  ShardSpec spec;
  std::size_t runs = 0;
  Json record;
};

Shard read_shard(const std::string& dir) {
  Shard shard;
  shard.dir = dir;
  shard.record_path = (fs::path(dir) / "shard.json").string();
  if (!fs::exists(shard.record_path))
    throw InputError(shard.record_path, "", "missing: not a shard folder (sgprs sweep --shard I/N writes one)");
  shard.record = load_json_document(shard.record_path, kShardSchema, 1);
  const JsonView view(shard.record, shard.record_path);
  const JsonView spec = view.object("shard");
  shard.spec.index = spec.get<int>("index");
  shard.spec.count = spec.get<int>("count");
  if (shard.spec.count < 1 || shard.spec.index < 0 || shard.spec.index >= shard.spec.count)
    view.fail("shard", "index " + std::to_string(shard.spec.index) + " of " + std::to_string(shard.spec.count) +
                           " shards is out of range");
  shard.runs = static_cast<std::size_t>(view.get<std::int64_t>("runs"));
  view.object("grid");
  view.object("sweep");
  if (!view.has("wall_time_s"))
    view.fail("wall_time_s", "missing: the shard did not finish; finish it with sgprs sweep --shard " +
                                 shard.spec.text() + " --resume");
  return shard;
}

/// The run grid's axes, to place each row of a shard at its canonical index.
class GridIndex {
 public:
  GridIndex(const Json& grid, const std::string& source) {
    const JsonView view(grid, source, "grid");
    axis(view, "layouts", layouts_);
    axis(view, "schedulers", schedulers_);
    axis(view, "loads", loads_);
    grid_ = RunGrid{layouts_.size(), schedulers_.size(), loads_.size(), view.get<int>("repetitions")};
  }
  std::size_t runs() const {
    return grid_.layouts * grid_.schedulers * grid_.loads * static_cast<std::size_t>(grid_.repetitions);
  }
  const RunGrid& grid() const { return grid_; }
  /// The row's key; nullopt when the grid has no such run.
  std::optional<RunKey> key_of(const RunRow& row) const {
    const auto l = layouts_.find(row.layout);
    const auto s = schedulers_.find(row.scheduler);
    const auto load = loads_.find(row.load);
    if (l == layouts_.end() || s == schedulers_.end() || load == loads_.end() || row.repetition < 0 ||
        row.repetition >= grid_.repetitions)
      return std::nullopt;
    RunKey key{0, l->second, s->second, load->second, row.repetition};
    key.index = ((key.layout * grid_.schedulers + key.scheduler) * grid_.loads + key.load) *
                    static_cast<std::size_t>(grid_.repetitions) + static_cast<std::size_t>(key.repetition);
    return key;
  }

 private:
  static void axis(const JsonView& view, std::string_view name, std::map<std::string, std::size_t>& out) {
    for (const JsonView& entry : view.array(name)) out.emplace(entry.as<std::string>(), out.size());
  }
  std::map<std::string, std::size_t> layouts_, schedulers_, loads_;
  RunGrid grid_;
};

/// Places the shard's rows into `rows` (by canonical index); every row must be one of this shard's runs.
void read_shard_rows(const Shard& shard, const GridIndex& index, std::vector<std::optional<RunRow>>& rows) {
  const std::string path = (fs::path(shard.dir) / "runs.csv").string();
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) throw InputError(path, "", "missing or empty");
  if (line != run_csv_header()) throw InputError(path, "", "has another header than this build writes");
  std::size_t found = 0;
  for (int number = 2; std::getline(in, line); ++number) {
    const std::optional<RunRow> row = parse_run_row(line);
    const std::string where = "line " + std::to_string(number);
    if (!row) throw InputError(path, where, "not a complete row; finish the shard with sgprs sweep --shard " +
                                                shard.spec.text() + " --resume");
    const std::optional<RunKey> key = index.key_of(*row);
    if (!key) throw InputError(path, where, "run " + run_identity(*row) + " is not in the experiment's grid");
    if (shard_of(index.grid(), *key, shard.spec.count) != shard.spec.index)
      throw InputError(path, where, "run " + run_identity(*row) + " is not one of shard " + shard.spec.text() + "'s");
    if (rows[key->index]) throw InputError(path, where, "run " + run_identity(*row) + " appears twice");
    rows[key->index] = *row;
    ++found;
  }
  if (found != shard.runs)
    throw InputError(path, "", "holds " + std::to_string(found) + " of the " + std::to_string(shard.runs) +
                                   " runs of shard " + shard.spec.text() + "; finish it with sgprs sweep --shard " +
                                   shard.spec.text() + " --resume");
}

}  // namespace

SweepResult merge_shards(const std::vector<std::string>& shard_dirs, const std::string& out_dir,
                         const std::string& command_line) {
  if (shard_dirs.empty()) throw InputError("sgprs merge", "", "no shard folder given");
  const char* const outputs[] = {"runs.csv", "summary.csv", "sweep.json"};
  for (const char* name : outputs) {  // before anything is written: all three are replaced, or none
    std::error_code ec;
    const fs::path path = fs::path(out_dir) / name;
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
      throw InputError("--out", "", "'" + path.string() + "' exists and is not a file");
  }
  std::vector<Shard> shards;
  for (const std::string& dir : shard_dirs) shards.push_back(read_shard(dir));

  const Shard& first = shards.front();
  // By index, only the shards given: shard.json's count can be anything up to INT_MAX, and a table
  // or a list of every missing index that long took minutes (found by tools/hostile_campaign.py).
  std::map<int, const Shard*> by_index;
  for (const Shard& shard : shards) {
    if (shard.record["sweep"] != first.record["sweep"] || shard.record["grid"] != first.record["grid"])
      throw InputError(shard.record_path, "sweep", "a shard of another experiment than " + first.record_path);
    if (shard.spec.count != first.spec.count)
      throw InputError(shard.record_path, "shard.count",
                       "cut into " + std::to_string(shard.spec.count) + " shards, " + first.record_path + " into " +
                           std::to_string(first.spec.count));
    const Shard*& slot = by_index[shard.spec.index];
    if (slot)
      throw InputError(shard.record_path, "shard.index",
                       "shard " + shard.spec.text() + " given twice (also " + slot->record_path + ")");
    slot = &shard;
  }
  const std::int64_t missing_count = std::int64_t{first.spec.count} - static_cast<std::int64_t>(by_index.size());
  if (missing_count > 0) {
    constexpr int kNamed = 10;  // missing indices the message lists
    std::string missing;
    int named = 0;
    for (int i = 0; i < first.spec.count && named < kNamed; ++i)  // at most kNamed + shards given steps
      if (!by_index.contains(i)) missing += (named++ ? ", " : "") + std::to_string(i);
    if (missing_count > kNamed) missing += ", ... (" + std::to_string(missing_count) + " in all)";
    throw InputError(first.record_path, "shard.count",
                     "shard(s) " + missing + " of " + std::to_string(first.spec.count) +
                         " missing: give every shard's folder (" + std::to_string(shards.size()) + " given)");
  }

  const GridIndex index(first.record["grid"], first.record_path);
  std::vector<std::optional<RunRow>> rows(index.runs());
  SweepResult result;
  std::int64_t threads = 0;
  for (const Shard& shard : shards) {
    read_shard_rows(shard, index, rows);
    const JsonView view(shard.record, shard.record_path);
    // Each count within a sweep's limit, so that the sums below cannot overflow (a threads of
    // INT_MAX did, found by tools/hostile_campaign.py).
    const auto count = [&](const char* field) {
      const auto value = view.get<std::int64_t>(field);
      if (value < 0 || value > static_cast<std::int64_t>(limits::kMaxSweepRuns))
        view.fail(field, "must be from 0 to " + std::to_string(limits::kMaxSweepRuns));
      return value;
    };
    threads += count("threads");
    result.runs_resumed += static_cast<std::size_t>(count("runs_resumed"));
    result.runs_executed += static_cast<std::size_t>(count("runs_executed"));
    result.runs_simulated += static_cast<std::size_t>(count("runs_simulated"));
    result.wall_time_s = std::max(result.wall_time_s, view.get<double>("wall_time_s"));
  }
  result.threads = static_cast<int>(std::min<std::int64_t>(threads, std::numeric_limits<int>::max()));
  // Complete shards of one grid cover it exactly; a hole means a shard.json lies about its runs.
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!rows[i])
      throw InputError(first.record_path, "runs", "run " + std::to_string(i) + " is in no shard's runs.csv");

  std::vector<RunRow> ordered;
  ordered.reserve(rows.size());
  std::string text = run_csv_header() + "\n";
  for (auto& row : rows) {
    text += format_run_row(*row) + "\n";
    ordered.push_back(std::move(*row));
  }
  result.runs_total = ordered.size();
  Json record = first.record["sweep"];
  add_execution(record, result, command_line);
  fs::create_directories(out_dir);
  PendingFile runs((fs::path(out_dir) / outputs[0]).string()), summary((fs::path(out_dir) / outputs[1]).string()),
      sweep((fs::path(out_dir) / outputs[2]).string());
  runs.write(text);
  summary.write(summary_csv(summarise(ordered)));
  sweep.write(dump_pretty(record));
  runs.close();  // every write error surfaces before any output is replaced
  summary.close();
  sweep.close();
  runs.publish();
  summary.publish();
  sweep.publish();
  return result;
}

}  // namespace sgprs::exp
