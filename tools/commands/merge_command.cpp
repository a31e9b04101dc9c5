// `sgprs merge DIR... --out DIR`: the shards of a sweep (`sgprs sweep --shard I/N`)
// combined into the tables and plots an unsharded sweep writes.
#include "simulator/experiments/sweep_merge.hpp"
#include "tools/commands/commands.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace sgprs::cli {

namespace {

struct MergeArgs {
  std::vector<std::string> shards;
  std::string out;
  bool no_plots = false;
};

void run(const MergeArgs& args) {
  std::string command = "sgprs merge";
  for (const std::string& dir : args.shards) command += " " + dir;
  command += " --out " + args.out;
  const exp::SweepResult result = exp::merge_shards(args.shards, args.out, command);
  std::fprintf(stderr, "merged %zu shards: %zu runs -> %s/runs.csv, %s/summary.csv\n", args.shards.size(),
               result.runs_total, args.out.c_str(), args.out.c_str());
  if (!args.no_plots) draw_sweep_plots(args.out);
}

}  // namespace

void add_merge_subcommand(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand(
      "merge",
      "Combine the shards of a sweep (folders of `sgprs sweep --shard I/N`, all N of them, any order) into "
      "DIR/runs.csv, DIR/summary.csv, DIR/sweep.json and plots, the same bytes an unsharded sweep writes (but "
      "sweep.json's execution fields). Missing, duplicated or unfinished shards, or shards of another experiment: "
      "one line, exit status 2, nothing written.");
  sub->add_option("shards", args->shards, "shard folders")->required();
  sub->add_option("--out", args->out, "output folder")->required();
  sub->add_flag("--no-plots", args->no_plots, "skip tools/plot_sweep.py");
  sub->callback([args] { run(*args); });
}

}  // namespace sgprs::cli
