#!/usr/bin/env python3
"""How long the machine takes CPUs away from a thread that never gives them up.

One process per CPU asked for, pinned to it, reads the monotonic clock in a tight loop for
--seconds and records every gap between two readings longer than --threshold-us: time in which
the process did not run (the guest kernel ran something else, or, in a virtual machine, the
hypervisor did not run this virtual CPU: steal). Beside it, each CPU's steal time from /proc/stat
over the same interval. Written to tell apart the causes of the live mode's late releases
(docs/live.md, fifteenth session): a control thread that is not descheduled by the guest can still
be away for milliseconds when its virtual CPU is.

  python3 tools/host_hiccups.py --cpus all --seconds 2 --out hiccups.json
  python3 tools/host_hiccups.py --cpus 3 --seconds 2        # one CPU busy, the others idle
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time

BUCKETS_US = (20, 100, 500, 1000, 5000)


def per_cpu_steal_ticks():
    """{cpu: steal ticks} from /proc/stat; {} where it cannot be read."""
    steal = {}
    try:
        with open("/proc/stat") as f:
            for line in f:
                fields = line.split()
                if fields and fields[0].startswith("cpu") and fields[0] != "cpu" and len(fields) > 8:
                    steal[int(fields[0][3:])] = int(fields[8])
    except OSError:
        pass
    return steal


def spin(cpu, seconds, threshold_ns, results):
    os.sched_setaffinity(0, {cpu})
    clock = time.perf_counter_ns
    gaps = []
    start = clock()
    end = start + int(seconds * 1e9)
    last = start
    while last < end:
        now = clock()
        if now - last > threshold_ns:
            gaps.append(now - last)
        last = now
    results.put((cpu, gaps, last - start))


def parse_cpus(text):
    usable = sorted(os.sched_getaffinity(0))
    if text == "all":
        return usable
    try:
        cpus = [int(c) for c in text.split(",")]
    except ValueError:
        sys.exit(f"host_hiccups: --cpus: '{text}' is not 'all' or a comma-separated list of CPU numbers")
    bad = [c for c in cpus if c not in usable]
    if bad:
        sys.exit(f"host_hiccups: --cpus: {bad} not usable here (usable: {usable})")
    return cpus


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpus", default="all", help="'all' or a list such as 0,3,7 (default all)")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threshold-us", type=float, default=20.0, help="shortest gap counted (default 20)")
    parser.add_argument("--out", help="JSON file for the per-CPU results")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.threshold_us <= 1e6:
        sys.exit("host_hiccups: --seconds must be in (0, 600] and --threshold-us in (0, 1e6]")
    cpus = parse_cpus(args.cpus)
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    results = mp.Queue()
    steal_before = per_cpu_steal_ticks()
    procs = [mp.Process(target=spin, args=(c, args.seconds, int(args.threshold_us * 1000), results)) for c in cpus]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    steal_after = per_cpu_steal_ticks()
    rows = []
    for cpu, gaps, spun_ns in sorted(got):
        row = {"cpu": cpu, "spun_s": spun_ns / 1e9, "gaps": len(gaps), "away_ms": sum(gaps) / 1e6,
               "max_us": max(gaps) / 1e3 if gaps else 0.0,
               "steal_ms": (steal_after.get(cpu, 0) - steal_before.get(cpu, 0)) * 1000.0 / ticks_per_s
               if cpu in steal_before else None}
        for b in BUCKETS_US:
            row[f"over_{b}us"] = sum(1 for g in gaps if g > b * 1000)
        rows.append(row)
    print(f"{'cpu':>4} {'gaps':>6} {'>100us':>7} {'>500us':>7} {'>1ms':>5} {'away ms':>8} {'max us':>8} {'steal ms':>9}")
    for r in rows:
        steal = f"{r['steal_ms']:9.1f}" if r["steal_ms"] is not None else "        -"
        print(f"{r['cpu']:>4} {r['gaps']:>6} {r['over_100us']:>7} {r['over_500us']:>7} {r['over_1000us']:>5} "
              f"{r['away_ms']:8.2f} {r['max_us']:8.1f} {steal}")
    total_away = sum(r["away_ms"] for r in rows)
    print(f"all: {sum(r['gaps'] for r in rows)} gaps over {args.threshold_us:g} us, {total_away:.1f} ms away in "
          f"{args.seconds:g} s x {len(rows)} CPUs")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"schema": "sgprs.host_hiccups/1", "seconds": args.seconds, "threshold_us": args.threshold_us,
                       "cpus": rows}, f, indent=1)


if __name__ == "__main__":
    main()
