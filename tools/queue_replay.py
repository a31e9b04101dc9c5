#!/usr/bin/env python3
"""Replays a live run's graphs under a hardware-queue rule, each graph taking its own measured GPU time,
to see which rule reproduces the run's start waits and late jobs (traces/live/h100-tf32-2026-12-06-stream-queue).

Every finish event of the run's event log is one graph: its partition (stream), launch (`launch_ns`),
release and deadline, and its duration (`gpu_end_ns - gpu_start_ns`), which the replay keeps. Graphs
are taken in launch order. A graph may start once it is launched, its stream's previous graph has
ended (in the replay), and the rule lets it:
    none      nothing else holds it back
    slots:S   the queue probe's rule (profiler/queue_probe.hpp) with S places: at its launch a graph
              takes a free place if there is one (looking round-robin from the place after the last one
              taken), else the round-robin next place, behind the graphs already there (first in, first
              out), and holds its place until it ends, also while it waits for its stream
Per rule: the graphs that started more than 200 us after they could (their launch or their stream's
previous end), and the graphs that ended past their job's deadline (a job skipped live has no graph and
is not counted). The first row is the run itself, live.

    tools/queue_replay.py RUN [--rules none,slots:16,slots:19]

Exit 2, one line, for a folder without an event log or a finish event without its times.
"""
import argparse
import collections
import heapq
import os
import sys

from event_logs import finish_times, read_run_events


def fail(message):
    print(f"queue_replay.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_graphs(run):
    path, events = read_run_events(run, fail)
    graphs = []
    for number, event in events:
        if event.get("ev") != "finish":
            continue
        where = f"{path}: line {number}"
        launch, start, end, release, deadline = finish_times(
            event, ("launch_ns", "gpu_start_ns", "gpu_end_ns", "release_ns", "deadline_ns"), where, fail)
        if not launch <= start <= end:
            fail(f"{where}: times out of order (launch {launch}, start {start}, end {end} ns)")
        graphs.append({"partition": str(event.get("partition", "?")), "launch": launch, "start": start, "end": end,
                       "deadline": deadline, "release": release})
    if not graphs:
        fail(f"{path}: no finished graph")
    graphs.sort(key=lambda g: (g["launch"], g["start"]))
    return graphs


def parse_rule(text):
    if text == "none":
        return ("none", 0)
    kind, _, places = text.partition(":")
    if kind != "slots" or not places.isdigit() or int(places) < 1:
        fail(f"--rules: '{text}' is not none or slots:S with S >= 1")
    return ("slots", int(places))


def replay(graphs, rule):
    """(start, end) per graph under the rule."""
    kind, places = rule
    n = len(graphs)
    previous = [None] * n  # the graph before it on its stream
    last = {}
    for i, g in enumerate(graphs):
        previous[i] = last.get(g["partition"])
        last[g["partition"]] = i
    follower = [None] * n
    for i in range(n):
        if previous[i] is not None:
            follower[previous[i]] = i
    start, end = [None] * n, [None] * n
    queues = [collections.deque() for _ in range(places)]
    place_of = [None] * n
    pointer = 0
    events = [(g["launch"], 0, i) for i, g in enumerate(graphs)]  # (time, 0 launch / 1 end, graph)
    heapq.heapify(events)

    def ready(i):
        return start[i] is None and (previous[i] is None or end[previous[i]] is not None)

    def may_start(i):
        return ready(i) and (kind == "none" or queues[place_of[i]][0] == i)

    def begin(i, now):
        start[i] = now
        heapq.heappush(events, (now + graphs[i]["end"] - graphs[i]["start"], 1, i))

    launched = [False] * n
    while events:
        now, what, i = heapq.heappop(events)
        if what == 0:
            launched[i] = True
            if kind == "slots":
                free = next((p % places for p in range(pointer, pointer + places) if not queues[p % places]), None)
                place = pointer if free is None else free
                queues[place].append(i)
                place_of[i] = place
                pointer = (place + 1) % places
            if may_start(i):
                begin(i, now)
            continue
        end[i] = now
        if kind == "slots":
            queue = queues[place_of[i]]
            queue.popleft()
            if queue and launched[queue[0]] and may_start(queue[0]):
                begin(queue[0], now)
        j = follower[i]
        if j is not None and launched[j] and may_start(j):
            begin(j, now)
    return start, end


def count(graphs, start, end):
    """(late starts, graphs past their deadline)."""
    late = past = 0
    previous_end = {}
    order = sorted(range(len(graphs)), key=lambda i: start[i])
    for i in order:
        g = graphs[i]
        could = max(g["launch"], previous_end.get(g["partition"], g["launch"]))
        late += start[i] - could > 200_000
        past += end[i] > g["deadline"]
        previous_end[g["partition"]] = end[i]
    return late, past


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run")
    parser.add_argument("--rules", default="none,slots:16,slots:19", help="comma-separated: none, slots:S")
    args = parser.parse_args()
    rules = [parse_rule(r) for r in args.rules.split(",") if r]
    graphs = read_graphs(args.run)
    n = len(graphs)
    rows = []
    late, past = count(graphs, [g["start"] for g in graphs], [g["end"] for g in graphs])
    rows.append(("live", late, past))
    for rule in rules:
        late, past = count(graphs, *replay(graphs, rule))
        rows.append((rule[0] if rule[0] == "none" else f"slots:{rule[1]}", late, past))
    print(f"{os.path.basename(os.path.normpath(args.run))}: {n} graphs")
    print("| rule | started > 200 us late | past their deadline |")
    print("|---|---|---|")
    for name, late, past in rows:
        print(f"| {name} | {late} ({late / n:.1%}) | {past} ({past / n:.1%}) |")


if __name__ == "__main__":
    main()
