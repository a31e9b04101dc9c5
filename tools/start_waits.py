#!/usr/bin/env python3
"""How long a live run's units waited between their launch call and their start on the GPU, and how
many units ran at once, from the run's event log alone (`sgprs live --out RUN`, RUN/events.jsonl).

Each finish event gives a unit's launch call (`launch_ns`), its start event (`gpu_start_ns`, the
first node of its graph under stamps in graphs) and its end (`gpu_end_ns`). Per run:
    jobs/s      finished units over the span from the first launch to the last end
    wait        launch call to start event: p50, p90, p99 (us)
    running     units between their start and end events at once, averaged over that span
With --per-partition, each partition's median wait and unit count too (`name:us/units`).
With --in-flight, after the table a line per run: by the number of graphs in flight (launched and not
ended, itself included) at the instant a graph could start (its launch, or the end of the graph
before it on its partition, whichever is later), how many graphs started more than --late-us (200)
after that instant, of how many: `n: late of graphs`. Graphs queued behind their stream's running
graph hold a hardware queue while they wait (traces/live/h100-tf32-2026-12-06-stream-queue/README.md),
so the late share grows with the graphs in flight rather than with the graphs running.

With too few hardware queues for its busy streams (CUDA_DEVICE_MAX_CONNECTIONS), a live run's graphs
waited milliseconds to start on most partitions while a few started within microseconds, and fewer
graphs ran at once than were in flight (traces/live/h100-tf32-2026-12-06-aligned-trace/README.md).

    tools/start_waits.py RUN... [--per-partition] [--in-flight [--late-us US]]

Exit 2, one line, for a folder without an event log or a finish event without the three times.
"""
import argparse
import bisect
import os
import sys

import event_logs
from event_logs import finish_times
from nearest_rank import percentile


def fail(message):
    print(f"start_waits.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_run_events(run):
    """(path, [(line number, event)]) of a live run folder's event log; one line and exit 2 without one."""
    return event_logs.read_run_events(run, fail)


def read_units(run):
    path, events = read_run_events(run)
    return units_of(events, path)


def units_of(events, path):
    """(partition, launch, start, end) of every finish event of a read event log (`events`: its
    (line number, event) pairs); one line and exit 2 for a finish without the three times."""
    units = []
    for number, event in events:
        if event.get("ev") != "finish":
            continue
        launch, start, end = finish_times(event, ("launch_ns", "gpu_start_ns", "gpu_end_ns"), f"{path}: line {number}", fail)
        if not launch <= start <= end:
            fail(f"{path}: line {number}: times out of order (launch {launch}, start {start}, end {end} ns)")
        units.append((str(event.get("partition", "?")), launch, start, end))
    if not units:
        fail(f"{path}: no finished unit")
    return units


def mean_running(units):
    edges = sorted([(start, 1) for _, _, start, _ in units] + [(end, -1) for _, _, _, end in units])
    running, weighted, last = 0, 0, edges[0][0]
    for t, step in edges:
        weighted += running * (t - last)
        running, last = running + step, t
    span = edges[-1][0] - edges[0][0]
    return weighted / span if span > 0 else float(len(units))


def late_by_in_flight(units, late_ns):
    """{graphs in flight: [late, graphs]} at each graph's could-start instant (see above)."""
    launches = sorted(u[1] for u in units)
    ends = sorted(u[3] for u in units)
    by_partition = {}
    for unit in units:
        by_partition.setdefault(unit[0], []).append(unit)
    counts = {}
    for queue in by_partition.values():
        previous_end = None
        for _, launch, start, end in sorted(queue, key=lambda u: u[2]):
            could = launch if previous_end is None else max(launch, previous_end)
            in_flight = bisect.bisect_right(launches, could) - bisect.bisect_right(ends, could)
            cell = counts.setdefault(in_flight, [0, 0])
            cell[0] += start - could > late_ns
            cell[1] += 1
            previous_end = end
    return counts


def partition_key(name):
    digits = "".join(c for c in name if c.isdigit())
    return (name.rstrip("0123456789"), int(digits) if digits else -1, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--per-partition", action="store_true")
    parser.add_argument("--in-flight", action="store_true", help="late graphs by graphs in flight, a line per run")
    parser.add_argument("--late-us", type=float, default=200.0, help="--in-flight: late beyond this wait (us)")
    args = parser.parse_args()
    if args.late_us < 0:
        fail(f"--late-us must be at least 0, not {args.late_us:g}")
    flights = []
    rows = []  # every run read before the first line is printed: a bad one leaves no half table
    for run in args.runs:
        units = read_units(run)
        waits = sorted((start - launch) / 1e3 for _, launch, start, _ in units)
        span_ns = max(u[3] for u in units) - min(u[1] for u in units)
        rate = len(units) / (span_ns / 1e9) if span_ns > 0 else float("nan")
        row = (f"| {os.path.basename(os.path.normpath(run))} | {len(units)} | {rate:.0f} | {percentile(waits, 0.5):.1f} | "
               f"{percentile(waits, 0.9):.1f} | {percentile(waits, 0.99):.1f} | {mean_running(units):.2f} |")
        if args.per_partition:
            by_partition = {}
            for name, launch, start, _ in units:
                by_partition.setdefault(name, []).append((start - launch) / 1e3)
            row += " " + " ".join(f"{name}:{percentile(sorted(w), 0.5):.0f}/{len(w)}"
                                  for name, w in sorted(by_partition.items(), key=lambda kv: partition_key(kv[0]))) + " |"
        rows.append(row)
        if args.in_flight:
            counts = late_by_in_flight(units, args.late_us * 1e3)
            flights.append(f"{os.path.basename(os.path.normpath(run))}: late (> {args.late_us:g} us after it could start) by "
                           "graphs in flight: " + " ".join(f"{n}: {late} of {total}" for n, (late, total) in sorted(counts.items())))
    print("| run | units | jobs/s | wait p50 (us) | p90 | p99 | running at once |" +
          (" per partition: median wait (us) / units |" if args.per_partition else ""))
    print("|---|---|---|---|---|---|---|" + ("---|" if args.per_partition else ""))
    print("\n".join(rows))
    if flights:
        print("\n" + "\n".join(flights))


if __name__ == "__main__":
    main()
