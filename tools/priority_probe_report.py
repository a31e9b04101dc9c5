#!/usr/bin/env python3
"""Reads the block stamps of `sgprs-priority-probe` (profiler/priority_probe.hpp) and says how the GPU
ordered an urgent stream's kernel H against the pending blocks of grid L, launched before it on the
least urgent stream.

Per trial (times in %globaltimer ns, relative to L's first block):
    trigger   the start of L's block 0 (the host saw it, waited the trial's delay, launched H)
    latency   per priority gap, the median of (H's start - trigger) in the `free` scenario, where an SM
              is free for H: the host's notice, the launch and the dispatch, with no queue
    arrival   trigger + the host's measured delay + latency: when H would start were a slot free
    pending   L's blocks that start after arrival (still waiting when H came)
    overtaken the share of them that start before H does: 0 when H takes the first slot that frees
              (a strict priority), 1 when H waits behind all of L (first come, first served)
A handicap of A us of launch time per level (tools/block_scheduler_model.py --age-us) predicts
overtaken = 1 when arrival > A x gap and 0 otherwise; the table's last lines bound A from the trials.

Chains trials (U urgent streams, each a chain of kernels of B whole-SM blocks, beside L): over the
window from the first urgent block's start to the last one's end, the share of the SMs' time that
L's blocks and the urgent blocks held (each block holds one SM), the L blocks that started in it,
and the median gap inside a chain between a kernel's last block end and the next kernel's first start.

Crowd trials (N chains of small kernels at the least urgent level, each one graph, beside one chain of
one-block kernels at the most urgent level, room on the SMs for every block at once): per N, the
urgent chain's gap between kernels (median and p90), its time per kernel, and the background chains'
median gap; with enough SMs for all, a gap that grows with N is the GPU's front end, not its SMs.

    tools/priority_probe_report.py PROBE.json[.xz] [--json SUMMARY.json]
"""
import argparse
import statistics
import sys

from json_files import load_document, write_json
from nearest_rank import percentile

SCHEMA = "sgprs.priority-probe/1"


def fail(message):
    print(f"priority_probe_report: {message}", file=sys.stderr)
    sys.exit(2)


def trial_field(trial, name, path, index):
    if name not in trial:
        fail(f"{path}: trials[{index}]: field '{name}' missing")
    return trial[name]


def check_stamped(trial, names, path, index):
    """Times count from L's first block; a block read back before it ran stamps 0, which shifts either it or
    every other block by the whole clock (days), far past any trial's second."""
    for name in names:
        values = trial[name]
        if not values or min(values) < 0 or max(values) > 1e9:
            fail(f"{path}: trials[{index}].{name}: a time outside the trial's first second (a block read back before it ran)")


def free_latency(trials, path):
    """Per gap, the median trigger-to-start time of H when a free SM waits for it (ns)."""
    by_gap = {}
    for i, t in enumerate(trials):
        if trial_field(t, "scenario", path, i) != "free":
            continue
        starts = trial_field(t, "l_start_ns", path, i)
        by_gap.setdefault(t["gap"], []).append(trial_field(t, "h_start_ns", path, i) - starts[0])
    return {gap: statistics.median(v) for gap, v in by_gap.items()}


def measure_trial(trial, latency_ns):
    starts = trial["l_start_ns"]
    h_start = trial["h_start_ns"]
    trigger = starts[0]
    arrival = trigger + trial["host_delay_us"] * 1000.0 + latency_ns
    pending = [s for s in starts if s > arrival]
    overtaking = sum(1 for s in pending if s < h_start)
    return {
        "arrival_us": arrival / 1000.0,
        "wait_us": (h_start - arrival) / 1000.0,
        "pending": len(pending),
        "overtaken": overtaking / len(pending) if pending else None,
        "after_all": h_start >= max(starts),
    }


def most_resident(starts, ends):
    """The most L blocks resident at once (checks the shared-memory sizing: one or four per SM)."""
    events = sorted([(s, 1) for s in starts] + [(e, -1) for e in ends])
    now = most = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def overlap(starts, ends, lo, hi):
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in zip(starts, ends))


def measure_chains(trial, sms, path, index):
    for name in ("u_start_ns", "u_end_ns", "chain_streams", "chain_blocks", "chain_kernels"):
        trial_field(trial, name, path, index)
    check_stamped(trial, ("l_start_ns", "l_end_ns", "u_start_ns", "u_end_ns"), path, index)
    us, ue = trial["u_start_ns"], trial["u_end_ns"]
    lo, hi = min(us), max(ue)
    window = hi - lo
    gaps = chain_gaps(us, ue, trial["chain_kernels"], trial["chain_blocks"], trial["chain_streams"])
    return {
        "window_us": window / 1000.0,
        "l_share": overlap(trial["l_start_ns"], trial["l_end_ns"], lo, hi) / (sms * window),
        "u_share": overlap(us, ue, lo, hi) / (sms * window),
        "l_started": sum(1 for s in trial["l_start_ns"] if lo <= s < hi),
        "chain_gap_us": statistics.median(gaps) / 1000.0 if gaps else None,
    }


def chain_gaps(starts, ends, kernels, blocks, streams):
    gaps = []
    for u in range(streams):
        for k in range(kernels - 1):
            a = (u * kernels + k) * blocks
            gaps.append(min(starts[a + blocks:a + 2 * blocks]) - max(ends[a:a + blocks]))
    return gaps


def summarise_crowd(trials, path):
    cells = {}
    for i, t in enumerate(trials):
        if t.get("scenario") != "crowd":
            continue
        for name in ("u_start_ns", "u_end_ns", "b_start_ns", "b_end_ns", "background_streams", "crowd_kernels", "crowd_blocks"):
            trial_field(t, name, path, i)
        check_stamped(t, ("u_start_ns", "u_end_ns") + (("b_start_ns", "b_end_ns") if t["b_start_ns"] else ()), path, i)
        n, kernels = t["background_streams"], t["crowd_kernels"]
        urgent = chain_gaps(t["u_start_ns"], t["u_end_ns"], kernels, 1, 1)
        background = chain_gaps(t["b_start_ns"], t["b_end_ns"], kernels, t["crowd_blocks"], n) if n else []
        cells.setdefault(n, []).append({
            "urgent_gap_us": statistics.median(urgent) / 1000.0,
            "urgent_gap_p90_us": percentile(urgent, 0.9) / 1000.0,
            "urgent_per_kernel_us": (t["u_end_ns"][-1] - t["u_start_ns"][0]) / kernels / 1000.0,
            "background_gap_us": statistics.median(background) / 1000.0 if background else None,
        })
    rows = []
    for n, ms in sorted(cells.items()):
        row = {"background_streams": n, "trials": len(ms)}
        for key in ("urgent_gap_us", "urgent_gap_p90_us", "urgent_per_kernel_us"):
            row[key] = statistics.median(m[key] for m in ms)
        bg = [m["background_gap_us"] for m in ms if m["background_gap_us"] is not None]
        row["background_gap_us"] = statistics.median(bg) if bg else None
        rows.append(row)
    return rows


def summarise_chains(trials, sms, path):
    cells = {}
    for i, t in enumerate(trials):
        if t.get("scenario") == "chains":
            cells.setdefault((t.get("chain_streams"), t.get("chain_blocks")), []).append(measure_chains(t, sms, path, i))
    rows = []
    for (streams, blocks), ms in sorted(cells.items()):
        row = {"chain_streams": streams, "chain_blocks": blocks, "trials": len(ms)}
        for key in ("window_us", "l_share", "u_share", "l_started"):
            row[key] = statistics.median(m[key] for m in ms)
        gaps = [m["chain_gap_us"] for m in ms if m["chain_gap_us"] is not None]
        row["chain_gap_us"] = statistics.median(gaps) if gaps else None
        rows.append(row)
    return rows


def summarise(doc, path):
    trials = doc.get("trials")
    if not isinstance(trials, list) or not trials:
        fail(f"{path}: field 'trials': expected a non-empty list")
    sms = doc.get("device", {}).get("sms")
    if not isinstance(sms, int) or sms <= 0:
        fail(f"{path}: field 'device.sms': expected a positive whole number")
    latency = free_latency(trials, path)
    if not latency and any(t.get("scenario") in ("queue", "drain") for t in trials):
        fail(f"{path}: no trial of the 'free' scenario, so no launch latency to measure arrivals from")
    cells = {}
    residency = {}
    for i, t in enumerate(trials):
        scenario = trial_field(t, "scenario", path, i)
        if scenario in ("free", "chains", "crowd"):
            continue
        gap = trial_field(t, "gap", path, i)
        if gap not in latency:
            fail(f"{path}: trials[{i}]: gap {gap} has no 'free' trial")
        for name in ("l_start_ns", "l_end_ns", "h_start_ns", "host_delay_us", "delay_us"):
            trial_field(t, name, path, i)
        check_stamped(t, ("l_start_ns", "l_end_ns"), path, i)
        cells.setdefault((scenario, gap, t["delay_us"]), []).append(measure_trial(t, latency[gap]))
        residency[scenario] = max(residency.get(scenario, 0), most_resident(t["l_start_ns"], t["l_end_ns"]))
    rows = []
    for (scenario, gap, delay), ms in sorted(cells.items()):
        shares = [m["overtaken"] for m in ms if m["overtaken"] is not None]
        rows.append({
            "scenario": scenario, "gap": gap, "delay_us": delay, "trials": len(ms),
            "arrival_us": statistics.median(m["arrival_us"] for m in ms),
            "wait_us": statistics.median(m["wait_us"] for m in ms),
            "pending": statistics.median(m["pending"] for m in ms),
            "overtaken": statistics.median(shares) if shares else None,
            "after_all": sum(m["after_all"] for m in ms),
        })
    return {"latency_us": {str(g): v / 1000.0 for g, v in sorted(latency.items())},
            "most_resident": residency, "rows": rows, "handicap_bounds_us": handicap_bounds(rows),
            "chains": summarise_chains(trials, sms, path), "crowd": summarise_crowd(trials, path)}


def handicap_bounds(rows):
    """Per scenario and gap >= 1, the handicap A (us per level) the queue trials allow: H ahead
    (overtaken <= 0.5) at arrival a says A >= a / gap; H behind says A < a / gap."""
    bounds = {}
    for r in rows:
        if r["gap"] == 0 or r["overtaken"] is None:
            continue
        key = f'{r["scenario"]}/{r["gap"]}'
        lo, hi = bounds.get(key, (0.0, None))
        per_level = r["arrival_us"] / r["gap"]
        if r["overtaken"] <= 0.5:
            lo = max(lo, per_level)
        else:
            hi = per_level if hi is None else min(hi, per_level)
        bounds[key] = (lo, hi)
    return {k: {"at_least": lo, "below": hi} for k, (lo, hi) in sorted(bounds.items())}


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def print_report(doc, summary):
    device = doc.get("device", {})
    print(f'{device.get("name", "?")}, {device.get("sms", "?")} SMs, priorities {device.get("least_priority", "?")}'
          f' (least) to {device.get("greatest_priority", "?")}, CUDA driver API {device.get("driver_version", "?")},'
          f' measured {doc.get("measured_utc", "?")}')
    config = doc.get("config", {})
    ways = [w for w, on in (("through CUDA graphs", config.get("graphs")),
                            ("each urgent chain one graph", config.get("chain_one_graph")),
                            ("each stream in its own green context", config.get("green_contexts"))) if on]
    if ways:
        print("launched " + ", ".join(ways))
    low = config.get("low_level", 0)
    if low:
        print(f"L's stream {low} levels above the least urgent; gaps count from it")
    if summary["rows"]:
        print_queue_rows(summary)
    if summary["chains"]:
        print()
        print("| urgent streams | blocks a kernel | trials | window (us) | L's share | urgent share | L blocks started | gap in a chain (us) |")
        print("|---|---|---|---|---|---|---|---|")
        for r in summary["chains"]:
            print(f'| {r["chain_streams"]} | {r["chain_blocks"]} | {r["trials"]} | {r["window_us"]:.0f} | {r["l_share"]:.3f} |'
                  f' {r["u_share"]:.3f} | {r["l_started"]:.0f} | {fmt(r["chain_gap_us"], ".2f")} |')
    if summary["crowd"]:
        print_crowd_rows(summary)


def print_crowd_rows(summary):
    print()
    print("| streams beside the urgent one | trials | urgent gap, median (us) | urgent gap, p90 (us) | urgent time a kernel (us) | background gap, median (us) |")
    print("|---|---|---|---|---|---|")
    for r in summary["crowd"]:
        print(f'| {r["background_streams"]} | {r["trials"]} | {r["urgent_gap_us"]:.2f} | {r["urgent_gap_p90_us"]:.2f} |'
              f' {r["urgent_per_kernel_us"]:.2f} | {fmt(r["background_gap_us"], ".2f")} |')


def print_queue_rows(summary):
    print("launch latency with a free SM (us), by gap: "
          + ", ".join(f"{g}: {v:.1f}" for g, v in summary["latency_us"].items()))
    print("most L blocks resident at once: "
          + ", ".join(f"{s} {n}" for s, n in sorted(summary["most_resident"].items())))
    print()
    print("| scenario | gap | delay (us) | trials | arrival (us) | wait (us) | L pending | overtaken | H after all L |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in summary["rows"]:
        print(f'| {r["scenario"]} | {r["gap"]} | {r["delay_us"]} | {r["trials"]} | {r["arrival_us"]:.1f} |'
              f' {r["wait_us"]:.1f} | {r["pending"]:.0f} | {fmt(r["overtaken"], ".3f")} | {r["after_all"]} of {r["trials"]} |')
    print()
    for key, b in summary["handicap_bounds_us"].items():
        hi = "no upper bound (H ahead at every arrival tried)" if b["below"] is None else f'below {b["below"]:.1f}'
        lo = "no lower bound (H behind at every arrival tried)" if b["at_least"] == 0 else f'at least {b["at_least"]:.1f}'
        if b["below"] is not None and b["at_least"] >= b["below"]:
            lo, hi = "inconsistent", "H ahead at a later arrival than one where it was behind"
        print(f"handicap per level, {key}: {lo}, {hi} us")


def main():
    parser = argparse.ArgumentParser(description="How the GPU orders an urgent kernel against pending blocks")
    parser.add_argument("probe", help="the JSON (.xz) file sgprs-priority-probe wrote")
    parser.add_argument("--json", help="also write the summary here")
    args = parser.parse_args()
    doc = load_document(args.probe, SCHEMA, fail)
    summary = summarise(doc, args.probe)
    print_report(doc, summary)
    if args.json:
        write_json(args.json, summary)


if __name__ == "__main__":
    main()
