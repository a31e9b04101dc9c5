#!/usr/bin/env python3
"""Reads the stamps of `sgprs-queue-probe` (profiler/queue_probe.hpp) and says which probes waited for
the blocker B, by launch index after B and by stream.

A probe waited when its block started no earlier than 1 us before B's block ended: it could not start
while B ran, so it sat in B's hardware queue or behind a probe that did. Printed:
    by launch   per launch index j (1 = the first probe launched after B), the share of trials in
                which probe j waited; only indices that ever waited
    first wait  per trial the launch index of the first probe that waited: the number of launches
                after which a launch comes back to B's queue
    period      the median distance between successive waiting probes of a trial
    by stream   streams that waited in every trial that used them, in some, in none: a queue fixed
                per stream puts every stream in the first or the last group
    at once     with probes long enough to overlap (--probe-us): the most blocks (B and probes)
                running at once, and the probes that started more than 100 us after their launch
                (the first such launch index, median over trials)

    tools/queue_probe_report.py PROBE.json[.xz] [PROBE.json ...]
"""
import argparse
import collections
import json
import lzma
import statistics
import sys


def fail(message):
    print(f"queue_probe_report: {message}", file=sys.stderr)
    sys.exit(2)


def read(path):
    opener = lzma.open if path.endswith(".xz") else open
    try:
        with opener(path, "rt") as f:
            doc = json.load(f)
    except (OSError, ValueError, EOFError) as e:
        fail(f"{path}: cannot be read ({e})")
    if not isinstance(doc, dict) or doc.get("schema") != "sgprs.queue-probe/1":
        fail(f"{path}: schema is {doc.get('schema') if isinstance(doc, dict) else None!r}, not 'sgprs.queue-probe/1'")
    return doc


def waits(trial):
    """Launch indices (1-based) of the probes of one trial that waited for B."""
    end = trial["blocker_end_ns"]
    return [j + 1 for j, start in enumerate(trial["probe_start_ns"]) if start >= end - 1000]


def summarise(doc):
    trials = doc["trials"]
    probes = doc["config"]["probes"]
    waited_at = collections.Counter()
    first, periods = [], []
    uses, stream_waits = collections.Counter(), collections.Counter()
    for t in trials:
        w = waits(t)
        waited_at.update(w)
        if w:
            first.append(w[0])
            periods.extend(b - a for a, b in zip(w, w[1:]))
        waited = set(w)
        for j, s in enumerate(t["probe_stream"]):
            uses[s] += 1
            stream_waits[s] += (j + 1) in waited
    most, late_first = [], []
    for t in trials:
        edges = [(0, 1), (t["blocker_end_ns"], -1)]
        edges += [(s, 1) for s in t["probe_start_ns"]] + [(e, -1) for e in t["probe_end_ns"]]
        running = peak = 0
        for _, step in sorted(edges, key=lambda x: (x[0], x[1])):
            running += step
            peak = max(peak, running)
        most.append(peak)
        launch0 = t["probe_start_ns"][0] - t["probe_launch_us"][0] * 1000  # the first probe's launch latency
        late = [j + 1 for j, (s, l) in enumerate(zip(t["probe_start_ns"], t["probe_launch_us"]))
                if s - l * 1000 - launch0 > 100_000]
        if late:
            late_first.append(late[0])
    always = sum(1 for s in uses if stream_waits[s] == uses[s] and uses[s] > 0)
    never = sum(1 for s in uses if stream_waits[s] == 0)
    return {
        "trials": len(trials),
        "probes": probes,
        "by_launch": {j: waited_at[j] / len(trials) for j in sorted(waited_at)},
        "first_wait": first,
        "period": statistics.median(periods) if periods else None,
        "streams_always": always,
        "streams_sometimes": len(uses) - always - never,
        "streams_never": never,
        "trials_without_wait": len(trials) - len(first),
        "most_at_once": statistics.median(most) if most else 0,
        "late_first": late_first,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("probes", nargs="+", help="sgprs-queue-probe JSON files (.xz too)")
    args = parser.parse_args()
    for path in args.probes:
        doc = read(path)
        c = doc["config"]
        s = summarise(doc)
        kind = ("graphs" if c["graphs"] else "kernels") + (", green contexts" if c["green_contexts"] else ", one context")
        if c.get("chain", 1) > 1:
            kind += f", probes of {c['chain']} kernels"
        if c.get("queued_behind"):
            kind += f", {c['queued_behind']} queued behind B on its stream"
        print(f"## {path}: {doc['device']['name']}, CUDA_DEVICE_MAX_CONNECTIONS={c['cuda_device_max_connections'] or 'unset'}, "
              f"{kind}, {s['trials']} trials of {s['probes']} probes")
        print("by launch: " + (" ".join(f"{j}:{share:.2f}" for j, share in s["by_launch"].items()) or "no probe waited"))
        if s["first_wait"]:
            counts = collections.Counter(s["first_wait"])
            print("first wait at launch: median " + f"{statistics.median(s['first_wait']):g} ("
                  + ", ".join(f"{j} in {n}" for j, n in sorted(counts.items())) + f"); {s['trials_without_wait']} trials without a wait")
        print(f"period between waits: {s['period'] if s['period'] is not None else '-'}")
        print(f"at once: median of the most running {s['most_at_once']:g}; trials with a probe starting > 100 us after its launch: "
              f"{len(s['late_first'])}" + (f", the first such launch median {statistics.median(s['late_first']):g}" if s['late_first'] else ""))
        print(f"streams: waited every time {s['streams_always']}, sometimes {s['streams_sometimes']}, never {s['streams_never']}")
        print()


if __name__ == "__main__":
    main()
