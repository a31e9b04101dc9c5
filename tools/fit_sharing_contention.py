#!/usr/bin/env python3
"""Fits the packed sharing rule's contention g(k) (simulator/sim/packed_sharing.hpp) from live
closed-loop runs of the `streams` scheduler, one run or more per stream count k (several runs at one
k, such as pairs of models, are pooled), and writes an sgprs.sharing/1 file.

For every unit run in a live log, the rule without contention (shares by demand, the isolated
curve joined linearly at the fractional share, less the whole-GPU saving) is integrated over the units the live GPU really
ran beside it, piece by piece; g(k) is the median of measured time over that prediction in the
runs with k streams. Only the live logs and the profile are read. --by-model also prints each model's
own median (and p90) per run, and how far apart the models' medians are: in a crowd of several models they differ far more than the fit's one number
per k says (docs/validation.md, "The H100's sharing contention"). --spread also writes the spread of
the units around g(k) (simulator/sim/sharing_spread.hpp): per run, the quantiles of every unit's
ratio over its own model's median. --share-weights also fits and writes each model's share weight
w(m) (simulator/sim/packed_sharing.hpp) from the runs that mix models: by fixed-point iteration,
each model's weight divided by the median over those runs of its units' median ratio over the run's,
the weights scaled to a geometric mean of 1, until no weight moves by 0.1%; g(k) is then fitted
under them. --share-weights-from FILE takes them from another fit instead (weights fitted on one set
of runs, tested on another: docs/validation.md, "Pairs of models").

  tools/fit_sharing_contention.py --profile traces/profiles/h200-tf32.json \\
      --out traces/profiles/h200-tf32.sharing.json RUN_streams1 RUN_streams2 ...
"""
import argparse
import bisect
import json
import math
import os
import statistics
import sys

from json_files import load_document
from start_waits import mean_running as mean_running_at_once


def whole_model_curves(profile):
    counts = profile["sm_counts"]
    curves = {}
    for model in profile["models"]:
        times = [sum(stage["median_ns"][i] for stage in model["stages"]) for i in range(len(counts))]
        curves[model["name"]] = times
    return counts, curves


def fractional_time(counts, times, share):
    if share <= counts[0]:
        return times[0] * counts[0] / share
    if share >= counts[-1]:
        return times[-1]
    i = bisect.bisect_right(counts, share) - 1
    return times[i] + (times[i + 1] - times[i]) * (share - counts[i]) / (counts[i + 1] - counts[i])


def demand(counts, times, partition_sms):
    work = min(s * t for s, t in zip(counts, times))
    return min(partition_sms, work / fractional_time(counts, times, partition_sms))


def whole_gpu_saving(counts, times, partition_sms):
    if len(counts) < 3 or partition_sms < counts[-1]:
        return 0.0
    slope = (times[-2] - times[-3]) / (counts[-2] - counts[-3])
    return max(0.0, times[-2] + slope * (counts[-1] - counts[-2]) - times[-1])


def nearest_rank(values, q):
    """The q-quantile of values by nearest rank (as sgprs validate reads its percentiles)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


SPREAD_LEVELS = 50


def spread_quantiles(values):
    """The sample's quantiles at the levels (i + 0.5) / SPREAD_LEVELS, linear between order
    statistics (the sample's i-th smallest value at level (i + 0.5) / n), as the simulator's
    SharingSpread reads them."""
    ordered = sorted(values)
    n = len(ordered)
    out = []
    for i in range(SPREAD_LEVELS):
        x = (i + 0.5) / SPREAD_LEVELS * n - 0.5
        j = min(max(int(math.floor(x)), 0), n - 1)
        f = min(max(x - j, 0.0), 1.0)
        upper = ordered[min(j + 1, n - 1)]
        out.append(round(ordered[j] + (upper - ordered[j]) * f, 4))
    return out


def read_units(run, begin_at_launch=True):
    """(begin, GPU end, model) of each unit, and the run's mean number of units between their GPU
    start and end stamps (tools/start_waits.py's "running at once", for --k running): a unit begins
    at its launch call when it was launched on an idle stream (its first kernel may then wait for
    SMs its co-runners hold: sharing, which g must carry), as simulator/validation/run_log.hpp's
    busy_start has it. Closed-loop runs queue nothing on a stream (each job is released when the
    previous one is noticed); a queued unit, should one appear, keeps its GPU start stamp here. With
    `begin_at_launch` false, every unit begins at its GPU start stamp (--begin gpu-start)."""
    with open(run + "/events.jsonl") as log:
        log.readline()
        units, started, on_gpu = [], {}, []
        for line in log:
            event = json.loads(line)
            key = (event.get("task"), event.get("job"), event.get("stage"))
            if event["ev"] == "start":
                started[key] = event["t_ns"]
            elif event["ev"] == "finish" and "gpu_start_ns" in event:
                begin = event["gpu_start_ns"]
                launch = event.get("launch_ns", -1)
                if begin_at_launch and key in started and launch >= started[key]:
                    begin = min(launch, begin)
                units.append((begin, event["gpu_end_ns"], event["stage"]))
                on_gpu.append((None, None, event["gpu_start_ns"], event["gpu_end_ns"]))
    return units, (mean_running_at_once(on_gpu) if on_gpu else 0.0)


def predicted_over_live(units, counts, curves, gpu_sms, weights=None):
    """Measured / predicted time of each unit run, the prediction integrated over its live co-runners;
    `weights`: each model's share weight (absent: 1)."""
    edges = sorted([(s, 1, i) for i, (s, _, _) in enumerate(units)] + [(e, -1, i) for i, (_, e, _) in enumerate(units)])
    times = [edge[0] for edge in edges]
    running, sets = set(), []
    for _, step, i in edges:
        (running.add if step > 0 else running.discard)(i)
        sets.append(frozenset(running))
    demands = {m: demand(counts, t, gpu_sms) * (weights or {}).get(m, 1.0) for m, t in curves.items()}
    ratios = []
    for i, (start, end, model) in enumerate(units):
        j = bisect.bisect_left(times, start)
        work, now = 0.0, start
        while True:
            together = sets[j] if j < len(sets) else frozenset([i])
            together = together | {i}
            if len(together) == 1:
                duration = curves[model][-1] if gpu_sms >= counts[-1] else fractional_time(counts, curves[model], gpu_sms)
            else:
                total = sum(demands[units[o][2]] for o in together)
                duration = (fractional_time(counts, curves[model], gpu_sms * demands[model] / total) -
                            whole_gpu_saving(counts, curves[model], gpu_sms))
            following = times[j + 1] if j + 1 < len(times) and times[j + 1] <= end else None
            if following is None or work + (following - now) / duration >= 1:
                now += (1 - work) * duration
                break
            work += (following - now) / duration
            now, j = following, j + 1
        ratios.append((end - start) / (now - start))
    return ratios


def ratios_by_model(units, ratios):
    by_model = {}
    for unit, ratio in zip(units, ratios):
        by_model.setdefault(unit[2], []).append(ratio)
    return by_model


def fail(message):
    print(f"fit_sharing_contention.py: {message}", file=sys.stderr)
    sys.exit(2)


def given_share_weights(path):
    """The share weights of an sgprs.sharing/1 file; one line and exit 2 when it has none."""
    weights = load_document(path, "sgprs.sharing/1", fail).get("share_weights")
    if not isinstance(weights, dict) or not weights or not all(
            isinstance(w, (int, float)) and w > 0 for w in weights.values()):
        fail(f"{path}: share_weights: missing, empty or not all positive numbers")
    return {m: float(w) for m, w in weights.items()}


def fit_share_weights(mixed_runs, counts, curves, gpu_sms, log):
    """Each model's share weight from `mixed_runs` ([units] of runs with two models or more)."""
    weights = {m: 1.0 for m in sorted({u[2] for units in mixed_runs for u in units})}
    for iteration in range(1, 51):
        offsets = {m: [] for m in weights}
        for units in mixed_runs:
            ratios = predicted_over_live(units, counts, curves, gpu_sms, weights)
            run_median = statistics.median(ratios)
            for model, r in ratios_by_model(units, ratios).items():
                offsets[model].append(statistics.median(r) / run_median)
        moved = {m: weights[m] / statistics.median(offsets[m]) for m in weights}
        scale = math.exp(statistics.fmean(math.log(w) for w in moved.values()))
        moved = {m: w / scale for m, w in moved.items()}
        change = max(abs(moved[m] / weights[m] - 1) for m in weights)
        weights = moved
        log(f"share weights, iteration {iteration}: " + ", ".join(f"{m} {w:.3f}" for m, w in weights.items()) +
            f" (largest move {100 * change:.2f}%)")
        if change < 0.001:
            return weights, iteration
    sys.exit("the share weights did not settle in 50 iterations")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--source", help="what to record as the file's source (default: this command line)")
    parser.add_argument("--by-model", action="store_true",
                        help="also print, per run, the median and p90 ratio of each model's units (the fit uses all units)")
    parser.add_argument("--spread", action="store_true",
                        help="also write each run's spread around g(k): the quantiles of every unit's ratio over its "
                             "model's median (simulator/sim/sharing_spread.hpp)")
    parser.add_argument("--share-weights", action="store_true",
                        help="also fit and write each model's share weight from the runs that mix models, and "
                             "fit g(k) under them (simulator/sim/packed_sharing.hpp)")
    parser.add_argument("--share-weights-from", metavar="FILE",
                        help="use the share weights of this sgprs.sharing/1 file instead of fitting them (a test of "
                             "weights fitted on other runs); g(k) is fitted under them")
    parser.add_argument("--begin", choices=("launch", "gpu-start"), default="launch",
                        help="where a unit launched on an idle stream begins: its launch call (as validate's "
                             "busy_start), or its graph's start event, leaving out the wait before it; runs made "
                             "before 16bb83a waited there for a hardware queue from 5-6 streams on (docs/validation.md)")
    parser.add_argument("--k", choices=("streams", "running"), default="streams",
                        help="which k a run's units give g(k) at: its stream count, or its mean number of units "
                             "running at once, rounded (tools/start_waits.py): a loop with more streams than the "
                             "hardware queues let run (simulator/sim/running_limit.hpp) ran fewer units side by side "
                             "than it had streams, and the simulated GPU with that limit never runs more")
    parser.add_argument("runs", nargs="+", help="live run folders of the streams scheduler, closed loop")
    args = parser.parse_args()
    if args.share_weights and args.share_weights_from:
        sys.exit("fit_sharing_contention.py: --share-weights and --share-weights-from exclude each other")
    profile = json.load(open(args.profile))
    counts, curves = whole_model_curves(profile)
    gpu_sms = counts[-1]
    points = {1: 1.0}
    spread = {}
    ratios_at = {}  # k -> every unit's ratio over the runs at k (several runs at one k are pooled)
    within_at = {}  # k -> every unit's ratio over its own model's median in its run
    shared = []  # (run, k, units) of the runs with two streams or more
    for run in args.runs:
        summary = json.load(open(run + "/summary.json"))
        prov = summary["provenance"]
        if prov["scheduler"] != "streams":
            sys.exit(f"{run}/summary.json: provenance.scheduler is not streams")
        streams = int(prov["scheduler_options"]["streams"])
        if streams == 1:
            continue  # alone: g(1) = 1 by definition
        units, running = read_units(run, args.begin == "launch")
        k = streams if args.k == "streams" else max(1, round(running))
        if k == 1:
            continue
        shared.append((run, k, units))
    weights = None
    if args.share_weights_from:
        weights = given_share_weights(args.share_weights_from)
    if args.share_weights:
        mixed = [units for _, _, units in shared if len({u[2] for u in units}) > 1]
        if not mixed:
            sys.exit("--share-weights: no run mixes two models or more")
        weights, iterations = fit_share_weights(mixed, counts, curves, gpu_sms,
                                                lambda line: print(line, file=sys.stderr))
    for run, streams, units in shared:
        ratios = predicted_over_live(units, counts, curves, gpu_sms, weights)
        ratios_at.setdefault(streams, []).extend(ratios)
        by_model = ratios_by_model(units, ratios)
        if args.spread:
            within = []
            for r in by_model.values():
                median = statistics.median(r)
                within += [x / median for x in r]
            within_at.setdefault(streams, []).extend(within)
        if args.by_model:
            medians = [statistics.median(r) for r in by_model.values()]
            print(f"k = {streams} ({os.path.basename(os.path.normpath(run))}): " +
                  ", ".join(f"{model} {statistics.median(r):.3f} (p90 {nearest_rank(r, 0.9):.3f}, {len(r)} units)"
                            for model, r in sorted(by_model.items())) +
                  f"; largest over smallest model median {max(medians) / min(medians):.2f}")
    for streams, ratios in ratios_at.items():
        points[streams] = round(statistics.median(ratios), 4)
    for streams, within in within_at.items():
        spread[streams] = spread_quantiles(within)
    doc = {"schema": "sgprs.sharing/1", "device": profile["device"]["name"], "precision": profile["precision"],
           "source": args.source or ("tools/fit_sharing_contention.py --profile " + args.profile + " " + " ".join(args.runs)),
           "contention": [{"units": k, "factor": g} for k, g in sorted(points.items())]}
    if spread:
        doc["spread"] = [{"units": k, "quantiles": q} for k, q in sorted(spread.items())]
        doc["spread_source"] = (f"each unit's ratio over its model's median in the run, {SPREAD_LEVELS} quantiles "
                                f"at the levels (i + 0.5) / {SPREAD_LEVELS}")
    if weights:
        doc["share_weights"] = {m: round(w, 4) for m, w in weights.items()}
    if args.share_weights_from:
        doc["share_weights_source"] = f"taken from {args.share_weights_from}; g(k) fitted under them"
    elif weights:
        doc["share_weights_source"] = (f"fixed point of each model's weight over the median, across the {len(mixed)} "
                                       f"runs that mix models, of its units' median ratio over the run's "
                                       f"({iterations} iterations; geometric mean 1); g(k) fitted under them")
    with open(args.out, "w") as out:
        json.dump(doc, out, indent=1)
        out.write("\n")
    print(json.dumps(doc["contention"]))


if __name__ == "__main__":
    main()
