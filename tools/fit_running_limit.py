#!/usr/bin/env python3
"""The hardware-queue limit's r(Q) (simulator/sim/running_limit.hpp) from closed-loop live runs: for each
count of hardware queues Q, the mean number of units running at once (between their start and end
events, tools/start_waits.py) in the loops that were saturated, i.e. whose busy streams were at least
`--saturated` (1.25) times that mean, so that more graphs were launched than ran.

Per run: Q from its notes (CUDA_DEVICE_MAX_CONNECTIONS=N, as `sgprs live` writes them; "default" is
the driver's 8); k, the units it kept in flight, the smaller of its slots (partitions x max_parallel
of its pool) and its tasks; its mean running at once. r(Q) is the mean over the saturated runs at Q.

    tools/fit_running_limit.py RUN... [--saturated 1.25] [--into SHARING.json [--source TEXT]]

Prints one row per run and one per Q. With --into, writes r(Q) as the "running_limit" of that
sgprs.sharing/1 file (and "running_limit_source": the runs it came from), leaving its other fields as
they are (--source: what to record instead of the runs' paths); the file is replaced whole, never
half written. Exit 2, one line, for a folder that is not
a live run, a run whose notes do not name its queues, or no saturated run at all.
"""
import argparse
import os
import sys

from json_files import load_document, write_json
from start_waits import mean_running, read_run_events, units_of

DRIVER_DEFAULT_QUEUES = 8
DRIVER_MOST_QUEUES = 32


def fail(message):
    print(f"fit_running_limit.py: {message}", file=sys.stderr)
    sys.exit(2)


def queues_in_notes(notes):
    key = "CUDA_DEVICE_MAX_CONNECTIONS="
    at = notes.find(key)
    if at < 0:
        return 0
    value = notes[at + len(key):].split(",")[0].strip()
    if value.startswith("default"):
        return DRIVER_DEFAULT_QUEUES
    return min(int(value), DRIVER_MOST_QUEUES) if value.isdigit() and int(value) > 0 else 0


def read_run(run):
    """(Q, k, mean running at once) of one live run folder."""
    path = os.path.join(run, "summary.json")
    summary = load_document(path, None, fail)
    live = summary.get("live") if isinstance(summary, dict) else None
    if not isinstance(live, dict):
        fail(f"{path}: field 'live': missing (not a live run)")
    queues = queues_in_notes(str(live.get("notes", "")))
    if queues == 0:
        fail(f"{path}: field 'live.notes': does not name CUDA_DEVICE_MAX_CONNECTIONS")
    pool = summary.get("provenance", {}).get("pool")
    if not isinstance(pool, dict) or not isinstance(pool.get("partitions"), list):
        fail(f"{path}: field 'provenance.pool': missing")
    slots = sum(int(p.get("max_parallel", pool.get("max_parallel", 1))) for p in pool["partitions"])
    log, events = read_run_events(run)
    tasks = len({e.get("task") for _, e in events if e.get("ev") == "finish"})
    return queues, min(slots, tasks), mean_running(units_of(events, log))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--saturated", type=float, default=1.25)
    parser.add_argument("--into")
    parser.add_argument("--source", help="what to record as running_limit_source (default: the runs' paths)")
    args = parser.parse_args()
    if not args.saturated >= 1:
        fail("--saturated must be at least 1")
    rows, by_queues = [], {}
    for run in args.runs:
        queues, k, running = read_run(run)
        saturated = k >= args.saturated * running
        rows.append(f"| {os.path.basename(os.path.normpath(run))} | {queues} | {k} | {running:.2f} | {'yes' if saturated else 'no'} |")
        if saturated:
            by_queues.setdefault(queues, []).append((run, running))
    print("| run | queues Q | units in flight k | running at once | saturated |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    if not by_queues:
        fail(f"no run kept {args.saturated} x its mean running at once in flight: nothing saturated")
    points = [{"queues": q, "running": round(sum(r for _, r in v) / len(v), 3)} for q, v in sorted(by_queues.items())]
    print()
    print("| Q | saturated runs | r(Q) | r(Q) / Q |")
    print("|---|---|---|---|")
    for p in points:
        print(f"| {p['queues']} | {len(by_queues[p['queues']])} | {p['running']:.2f} | {p['running'] / p['queues']:.3f} |")
    if args.into:
        doc = load_document(args.into, "sgprs.sharing/1", fail)
        doc["running_limit"] = points
        doc["running_limit_source"] = args.source or ("tools/fit_running_limit.py --saturated %g: %s" % (
            args.saturated, ", ".join(os.path.normpath(r) for v in by_queues.values() for r, _ in v)))
        temporary = args.into + ".part"
        write_json(temporary, doc)
        os.replace(temporary, args.into)


if __name__ == "__main__":
    main()
