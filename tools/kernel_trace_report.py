#!/usr/bin/env python3
"""Takes a live run apart kernel by kernel, from `sgprs live --kernel-trace FILE`
(simulator/live/kernel_trace.hpp).

Per partition (under `streams`, one partition is one stream), over the traced window (the first
kernel's start to the last one's end):
    task        the task whose units started there most often (from the run's events.jsonl, --events)
    busy        the share of the window with at least one of its kernels running
    gap         between one of its kernels' end and its next kernel's start: median and p90 (us); this
                holds the launch gap and any wait for SMs, which the trace cannot tell apart
    co-run      with --kernel-report: its kernels' summed time over the same kernels' time alone
                (the report's median per kernel name at --sms SMs); kernels the report lacks are left out
With --events, per job too (the trace put on the events' clock by the header's first_launch_ns):
    start wait  launch call to the graph's start event (the events' gpu_start_ns), median (us)
    others      kernels of other partitions that started while the job's graph waited to start
                (from its launch + 30 us to its first kernel), median a job: with the waiting kernel
                at the block scheduler, a strict priority lets no less urgent one start

    tools/kernel_trace_report.py TRACE.jsonl [--events RUN/events.jsonl] [--kernel-report K.json --sms 132]
"""
import argparse
import bisect
import math
import statistics
import sys
from collections import Counter

from event_logs import finish_times, read_event_log
from json_files import load_document, read_json_lines, write_json
from nearest_rank import percentile

SCHEMA = "sgprs.kernel-trace/1"


def fail(message):
    print(f"kernel_trace_report.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_trace(path):
    lines = read_json_lines(path, fail)
    if not lines or not isinstance(lines[0], dict) or lines[0].get("schema") != SCHEMA:
        fail(f"{path}: line 1: field 'schema': expected {SCHEMA}")
    kernels = lines[1:]
    for n, k in enumerate(kernels):
        for field in ("partition", "start_ns", "end_ns", "name"):
            if field not in k:
                fail(f"{path}: line {n + 2}: field '{field}' missing")
        if k["end_ns"] < k["start_ns"]:
            fail(f"{path}: line {n + 2}: field 'end_ns': before start_ns")
    if len(kernels) != lines[0].get("kernels"):
        fail(f"{path}: line 1: field 'kernels': says {lines[0].get('kernels')}, the file has {len(kernels)}")
    return lines[0], kernels


def read_events(path):
    """({partition index: the task started there most often}, [(partition, launch, gpu start)] of each
    finished unit) from an events.jsonl."""
    header, events = read_event_log(path, fail)
    if "partitions" not in header:
        fail(f"{path}: line 1: field 'partitions' missing (not an sgprs events log)")
    index = {p.get("name"): i for i, p in enumerate(header["partitions"])}
    counts, jobs = {}, []
    for number, e in events:
        if e.get("partition") not in index:
            continue
        if e.get("ev") == "start":
            counts.setdefault(index[e["partition"]], Counter())[e.get("task")] += 1
        elif e.get("ev") == "finish":
            launch, start = finish_times(e, ("launch_ns", "gpu_start_ns"), f"{path}: line {number}", fail)
            jobs.append((index[e["partition"]], launch, start))
    return {p: c.most_common(1)[0][0] for p, c in counts.items()}, jobs


def job_waits(kernels, jobs):
    """Per partition, [(launch to graph start, other partitions' kernels started meanwhile)] a job."""
    by_partition = {}
    for k in kernels:
        by_partition.setdefault(k["partition"], []).append(k["start_ns"])
    for starts in by_partition.values():
        starts.sort()
    everyone = sorted((k["start_ns"], k["partition"]) for k in kernels)
    times = [t for t, _ in everyone]
    out = {}
    for p, launch, gpu_start in jobs:
        mine = by_partition.get(p, [])
        i = bisect.bisect_left(mine, launch)
        if i == len(mine):
            continue
        lo, hi = bisect.bisect_left(times, launch + 30_000), bisect.bisect_left(times, mine[i])
        others = sum(1 for _, q in everyone[lo:hi] if q != p)
        out.setdefault(p, []).append(((gpu_start - launch) / 1000.0, others))
    return out


def alone_times(path, sms):
    report = load_document(path, None, fail)
    if not isinstance(report, list):
        fail(f"{path}: expected a list of stages (sgprs profile --kernel-report)")
    times = {}
    for i, stage in enumerate(report):
        if not isinstance(stage, dict) or stage.get("sms") != sms:
            continue
        for k in stage.get("kernels", []):
            if "name" in k and isinstance(k.get("ns"), (int, float)):
                times.setdefault(k["name"], []).append(k["ns"])
    if not times:
        fail(f"{path}: no kernel measured at {sms} SMs")
    return {name: statistics.median(v) for name, v in times.items()}


def union_ns(intervals):
    total, end = 0, -math.inf
    for s, e in sorted(intervals):
        if s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def summarise(kernels, tasks, alone, waits):
    lo = min(k["start_ns"] for k in kernels)
    hi = max(k["end_ns"] for k in kernels)
    rows = []
    for p in sorted({k["partition"] for k in kernels}):
        mine = sorted((k for k in kernels if k["partition"] == p), key=lambda k: k["start_ns"])
        gaps = [b["start_ns"] - a["end_ns"] for a, b in zip(mine, mine[1:])]
        matched = [(k["end_ns"] - k["start_ns"], alone[k["name"]]) for k in mine if alone and k["name"] in alone]
        rows.append({
            "partition": p,
            "task": tasks.get(p, "?"),
            "kernels": len(mine),
            "busy": union_ns([(k["start_ns"], k["end_ns"]) for k in mine]) / (hi - lo) if hi > lo else 0.0,
            "gap_us": statistics.median(gaps) / 1000.0 if gaps else None,
            "gap_p90_us": percentile(gaps, 0.9) / 1000.0 if gaps else None,
            "corun": sum(m for m, _ in matched) / sum(a for _, a in matched) if matched else None,
            "matched": len(matched),
            "start_wait_us": statistics.median(w for w, _ in waits[p]) if waits.get(p) else None,
            "others_started": statistics.median(o for _, o in waits[p]) if waits.get(p) else None,
        })
    return {"window_ms": (hi - lo) / 1e6, "rows": rows}


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace")
    parser.add_argument("--events", help="the run's events.jsonl: which task each partition ran")
    parser.add_argument("--kernel-report", help="sgprs profile --kernel-report file: each kernel's time alone")
    parser.add_argument("--sms", type=int, default=132, help="the kernel report's SM count to compare with")
    parser.add_argument("--json", help="also write the summary here")
    args = parser.parse_args()
    header, kernels = read_trace(args.trace)
    if not kernels:
        fail(f"{args.trace}: no kernel recorded")
    tasks, jobs = read_events(args.events) if args.events else ({}, [])
    waits = {}
    if jobs:
        if not isinstance(header.get("first_launch_ns"), int):
            fail(f"{args.trace}: line 1: field 'first_launch_ns' missing (a trace older than --events needs)")
        shift = min(launch for _, launch, _ in jobs) - header["first_launch_ns"]
        for k in kernels:
            k["start_ns"] += shift
            k["end_ns"] += shift
        waits = job_waits(kernels, jobs)
    alone = alone_times(args.kernel_report, args.sms) if args.kernel_report else {}
    summary = summarise(kernels, tasks, alone, waits)
    print(f"{len(kernels)} kernels on {header.get('partitions', '?')} partitions over {summary['window_ms']:.1f} ms,"
          f" {header.get('dropped', 0)} records dropped")
    print("| partition | task | kernels | busy | gap, median (us) | gap, p90 (us) | co-run (matched kernels) |"
          " start wait, median (us) | others started meanwhile |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in summary["rows"]:
        corun = "-" if r["corun"] is None else f'{r["corun"]:.2f} ({r["matched"]})'
        print(f'| {r["partition"]} | {r["task"]} | {r["kernels"]} | {r["busy"]:.3f} | {fmt(r["gap_us"], ".2f")} |'
              f' {fmt(r["gap_p90_us"], ".2f")} | {corun} | {fmt(r["start_wait_us"], ".1f")} | {fmt(r["others_started"], ".0f")} |')
    if args.json:
        write_json(args.json, summary)


if __name__ == "__main__":
    main()
