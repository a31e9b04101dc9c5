// sgprs-priority-probe: measures how the GPU's block scheduler orders an urgent stream's kernel
// against the pending blocks of a less urgent one (profiler/priority_probe.hpp), and writes the
// block stamps for tools/priority_probe_report.py.
#include "common/command_line.hpp"
#include "common/errors.hpp"
#include "profiler/priority_probe.hpp"

#include <cstdint>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"sgprs-priority-probe: stream priorities against pending blocks, block by block", "sgprs-priority-probe"};
  sgprs::profiler::PriorityProbeConfig config;
  std::string out;
  app.add_option("--out", out, "the JSON file to write (sgprs.priority-probe/1)")->required();
  sgprs::integer_flag(&app, "--waves", config.waves, 2, 200, "waves of grid L in the queue scenario");
  sgprs::integer_flag(&app, "--repeats", config.repeats, 1, 100, "trials per scenario, priority gap and delay");
  sgprs::integer_flag(&app, "--seed", config.seed, 0, UINT64_MAX, "seed of the trials' order");
  app.add_option("--delays-us", config.delays_us, "host delays between L's first block and H's launch (queue)")
      ->check(CLI::Range(0, 100'000))
      ->delimiter(',');
  app.add_option("--scenarios", config.scenarios, "which scenarios to run (free, queue, drain, chains, crowd)")
      ->check(CLI::IsMember({"free", "queue", "drain", "chains", "crowd"}))
      ->delimiter(',');
  sgprs::integer_flag(&app, "--chain-kernels", config.chain_kernels, 1, 1000, "kernels per urgent stream (chains)");
  app.add_option("--chain-streams", config.chain_streams, "urgent streams (chains)")->check(CLI::Range(1, 32))->delimiter(',');
  app.add_option("--chain-sm-shares", config.chain_sm_shares, "an urgent kernel's blocks, % of the SMs (chains)")
      ->check(CLI::Range(1, 1000))
      ->delimiter(',');
  sgprs::integer_flag(&app, "--low-level", config.low_level, 0, 64,
                      "L's stream this many levels above the least urgent (free, queue, drain)");
  sgprs::integer_flag(&app, "--chain-repeats", config.chain_repeats, 1, 100, "trials per chain shape (chains)");
  sgprs::integer_flag(&app, "--chain-waves", config.chain_waves, 2, 10000, "waves of grid L (chains)");
  app.add_option("--crowd-streams", config.crowd_streams, "streams beside the urgent one (crowd)")
      ->check(CLI::Range(0, 31))
      ->delimiter(',');
  sgprs::integer_flag(&app, "--crowd-blocks", config.crowd_blocks, 1, 1024, "blocks of a background kernel (crowd)");
  app.add_flag("--chain-one-graph", config.chain_one_graph,
               "each urgent chain one captured graph, launched once (chains; else one launch a kernel)");
  app.add_flag("--green-contexts", config.green_contexts,
               "every stream the one stream of its own whole-GPU green context, as `streams` runs live");
  app.add_flag("--graphs", config.graphs, "every grid launched through a captured CUDA graph, as live units are");
  app.callback([&] { sgprs::profiler::run_priority_probe(config, out); });
  return sgprs::run_command_line(app, argc, argv);
}
