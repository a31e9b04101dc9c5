#!/usr/bin/env python3
"""Largest miss-free load per scheduler of one or more `sgprs sweep` folders, as a Markdown table.

    python3 tools/miss_free_table.py DIR [DIR...] [--by-layout]

For each scheduler (its best layout unless --by-layout) the largest load such that every task set
of it and of every smaller load met every deadline (schedulability ratio 1), that load as a share
of the bound's largest load (sweep.json: bound_max_scale or bound_max_tasks, when recorded), and
the first load with a miss. A last column divides each scheduler's miss-free load by the best
`streams*` scheduler's. Reads only summary.csv and sweep.json (no plotting library needed).
"""
import argparse
import csv
import json
import os


def miss_free(points):
    """(largest miss-free load or None, first missing load or None) of sorted (load, ratio) points."""
    last = None
    for load, ratio in points:
        if ratio < 1:
            return last, load
        last = load
    return last, None


def table(folder, by_layout):
    with open(os.path.join(folder, "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    record = json.load(open(os.path.join(folder, "sweep.json")))
    bound = record.get("bound_max_scale") or record.get("bound_max_tasks") or None
    results = {}
    for layout in dict.fromkeys(r["layout"] for r in rows):
        for sched in dict.fromkeys(r["scheduler"] for r in rows):
            pts = sorted((float(r["load"]), float(r["schedulability_ratio"])) for r in rows
                         if r["layout"] == layout and r["scheduler"] == sched)
            if pts:
                results[(layout, sched)] = miss_free(pts)
    best = {}
    for (layout, sched), (ok, first) in results.items():
        key = (layout, sched) if by_layout else sched
        if key not in best or (ok or 0) > (best[key][1] or 0):
            best[key] = (layout, ok, first)
    streams = max((ok or 0 for key, (_, ok, _) in best.items()
                   if (key[1] if by_layout else key).startswith("streams")), default=0)
    name = rows[0]["experiment"] if rows else os.path.basename(folder)
    print(f"\n{name}" + (f" (bound's largest load: {bound:g})" if bound else ""))
    print("| scheduler | layout | largest miss-free load | share of bound | first load with a miss | x best streams |")
    print("|---|---|---|---|---|---|")
    for key, (layout, ok, first) in best.items():
        sched = key[1] if by_layout else key
        share = f"{ok / bound:.2f}" if ok and bound else "-"
        ratio = f"{ok / streams:.2f}" if ok and streams else "-"
        print(f"| {sched} | {layout} | {ok if ok is not None else 'none'} | {share} | "
              f"{first if first is not None else 'none'} | {ratio} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--by-layout", action="store_true", help="one row per layout and scheduler")
    args = parser.parse_args()
    for folder in args.folders:
        table(folder, args.by_layout)


if __name__ == "__main__":
    main()
