#!/usr/bin/env python3
"""Do the live mode's late completion notices come with the virtual machine's steal?

A unit that ends on the GPU is noticed by a polling thread tens of microseconds later
(`live.gpu_end_to_noticed_us` in summary.json). Some runs also hold a few notices 0.5-8 ms late,
enough to make a 3-ms job miss (docs/live.md, twenty-first session). The same summary records
`live.host_steal_us`: the CPU time the virtual machine's host took from this guest during the run
(/proc/stat, counted in 10-ms ticks). This tool groups runs by that steal and counts, per group,
the runs whose largest notice delay passed --stall-us.

  python3 tools/notice_stalls.py RUNS.jsonl [RUNS.jsonl.xz ...] [--stall-us 500] [--runs]

Each input holds one summary.json per line, as tools/gpu_policy_session.sh and
tools/gpu_validation_session.sh write them (`run` names the run); .xz and .gz files are read as
they are. Bad input: one line naming the file, line and field, exit status 2.
"""
import argparse
import gzip
import json
import lzma
import statistics
import sys

# Steal per run, in ms: none counted (below one 10-ms tick), some, and a tenth of a 1-s run or more.
GROUPS = ((0, 10, "0 ms (under one tick)"), (10, 100, "10-90 ms"), (100, float("inf"), ">= 100 ms"))


class BadInput(Exception):
    pass


def open_text(path):
    if path.endswith(".xz"):
        return lzma.open(path, "rt")
    if path.endswith(".gz"):
        return gzip.open(path, "rt")
    return open(path)


def field(record, where, *names):
    value = record
    for name in names:
        if not isinstance(value, dict) or name not in value:
            raise BadInput(f"{where}: field '{'.'.join(names)}' missing")
        value = value[name]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise BadInput(f"{where}: field '{'.'.join(names)}' is not a number")
    return value


def read_runs(paths):
    runs = []
    for path in paths:
        try:
            with open_text(path) as f:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    where = f"{path}:{number}"
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as e:
                        raise BadInput(f"{where}: not JSON ({e.msg})")
                    if "live" not in record:
                        continue  # a simulated run: no host, no notices
                    runs.append({
                        "run": str(record.get("run", where)),
                        "steal_ms": field(record, where, "live", "host_steal_us") / 1000,
                        "notice_max_us": field(record, where, "live", "gpu_end_to_noticed_us", "max"),
                        "notice_p99_us": field(record, where, "live", "gpu_end_to_noticed_us", "p99"),
                        "missed": field(record, where, "jobs_released") - field(record, where, "jobs_on_time"),
                    })
        except (OSError, lzma.LZMAError, EOFError, UnicodeDecodeError) as e:
            raise BadInput(f"{path}: cannot be read ({e})")
    if not runs:
        raise BadInput(f"{', '.join(paths)}: no live run (no summary with a 'live' object)")
    return runs


def table(runs, stall_us):
    lines = [f"| host steal in the run | runs | runs with a notice later than {stall_us / 1000:g} ms "
             "| largest notice delay | notice p99, median over runs |",
             "|---|---|---|---|---|"]
    for low, high, label in GROUPS:
        group = [r for r in runs if low <= r["steal_ms"] < high]
        if not group:
            continue
        late = sum(r["notice_max_us"] > stall_us for r in group)
        lines.append(f"| {label} | {len(group)} | {late} ({100 * late / len(group):.0f}%) "
                     f"| {max(r['notice_max_us'] for r in group) / 1000:.2f} ms | {statistics.median(r['notice_p99_us'] for r in group):.0f} us |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="runs.jsonl files (.xz, .gz read as they are)")
    parser.add_argument("--stall-us", type=float, default=500, help="a notice later than this is a stall (default 500)")
    parser.add_argument("--runs", action="store_true", help="also list every run")
    args = parser.parse_args()
    try:
        runs = read_runs(args.inputs)
    except BadInput as e:
        print(f"notice_stalls: {e}", file=sys.stderr)
        return 2
    print(table(runs, args.stall_us))
    if args.runs:
        print()
        for r in sorted(runs, key=lambda r: -r["notice_max_us"]):
            print(f"{r['run']}: steal {r['steal_ms']:.0f} ms, largest notice {r['notice_max_us'] / 1000:.2f} ms, "
                  f"p99 {r['notice_p99_us']:.0f} us, {r['missed']} jobs missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
