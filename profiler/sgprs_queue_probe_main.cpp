// sgprs-queue-probe: which launched kernels or graphs wait for which in the GPU's hardware queues
// (profiler/queue_probe.hpp); writes the stamps for tools/queue_probe_report.py.
#include "common/command_line.hpp"
#include "profiler/queue_probe.hpp"

#include <cstdint>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"sgprs-queue-probe: which launches share a hardware queue, launch by launch", "sgprs-queue-probe"};
  sgprs::profiler::QueueProbeConfig config;
  std::string out;
  std::int64_t blocker_us = config.blocker_ns / 1000;
  std::int64_t probe_us = config.probe_ns / 1000;
  app.add_option("--out", out, "the JSON file to write (sgprs.queue-probe/1)")->required();
  sgprs::integer_flag(&app, "--streams", config.streams, 1, 512, "probe streams made (at least --probes)");
  sgprs::integer_flag(&app, "--probes", config.probes, 1, 512, "probes launched after the blocker in a trial");
  sgprs::integer_flag(&app, "--repeats", config.repeats, 1, 1000, "trials");
  sgprs::integer_flag(&app, "--blocker-us", blocker_us, 100, 1'000'000, "the blocker's one block, in us");
  sgprs::integer_flag(&app, "--probe-us", probe_us, 1, 1'000'000,
                      "each probe's one block, in us (long probes overlap: how many run at once)");
  sgprs::integer_flag(&app, "--spacing-us", config.spacing_us, 5, 10'000, "host time between two probes' launches");
  sgprs::integer_flag(&app, "--chain", config.chain, 1, 1000, "kernels a probe, one after another (one graph with --graphs)");
  sgprs::integer_flag(&app, "--queued-behind", config.queued_behind, 0, 64,
                      "launches queued on the blocker's busy stream before the probes (as stream_queue=on)");
  sgprs::integer_flag(&app, "--seed", config.seed, 0, UINT64_MAX, "seed of the streams each trial's probes use");
  app.add_flag("--green-contexts", config.green_contexts,
               "every stream the one stream of its own whole-GPU green context, as `streams` runs live");
  app.add_flag("--graphs", config.graphs, "every launch a captured graph (event record, kernel, event record), as live units");
  app.callback([&] {
    config.blocker_ns = blocker_us * 1000;
    config.probe_ns = probe_us * 1000;
    sgprs::profiler::run_queue_probe(config, out);
  });
  return sgprs::run_command_line(app, argc, argv);
}
