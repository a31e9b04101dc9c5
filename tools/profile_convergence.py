#!/usr/bin/env python3
"""Report how the points of sgprs.profile/1 files ended: the share that did not converge
(stopped by the time-out or the sample cap instead of a stopping criterion), and why each
point stopped where the file says (its per-point "stop": spread, plateau, timeout, sample_cap;
files older than that field have only "converged").

    python3 tools/profile_convergence.py traces/profiles/h200-fp32.json
    python3 tools/profile_convergence.py traces/profiles/*.json --json convergence.json

A point is one (stage or op, SM count, isolated or occupied) measurement. Where a profile has
no background partition (occupied_background_sms 0: the largest SM counts) its occupied time
is a copy of the isolated point and is not counted again, as the profiler's own summary does.

Exit status: 0, or 2 with one line naming the file and field on bad input.
"""
import argparse
import json
import pathlib
import statistics
import sys

from compare_profiles import fail, load, precision_of  # same folder


def points_of(doc, path):
    """Yields (kind, curve, sm, converged, stop or None, rel_spread or None) per measured point."""
    sm_counts = doc["sm_counts"]
    background = doc.get("occupied_background_sms")

    def series(kind, curve, entry, prefix, where):
        converged = entry.get(prefix + "converged")
        if converged is None:
            return
        if not isinstance(converged, list) or len(converged) != len(sm_counts):
            fail(f"{path}: field '{where}.{prefix}converged': not an array aligned with sm_counts")
        stops = entry.get(prefix + "stop") or [None] * len(sm_counts)
        spreads = entry.get(prefix + "rel_spread") or [None] * len(sm_counts)
        for i, sm in enumerate(sm_counts):
            if prefix == "occupied_" and isinstance(background, list) and i < len(background) and background[i] == 0:
                continue  # the isolated point again
            yield kind, curve, sm, bool(converged[i]), stops[i], spreads[i]

    for m, model in enumerate(doc["models"]):
        for s, stage in enumerate(model.get("stages", [])):
            curve = f"{model.get('name')}/{stage.get('name')}"
            where = f"models[{m}].stages[{s}]"
            yield from series("stage", curve, stage, "", where)
            yield from series("occupied stage", curve, stage, "occupied_", where)
    for o, op in enumerate(doc.get("ops", [])):
        yield from series("op", op.get("name"), op, "", f"ops[{o}]")


def report(path):
    doc = load(path)
    points = list(points_of(doc, path))
    if not points:
        fail(f"{path}: field 'models': no point records 'converged'")
    unconverged = [p for p in points if not p[3]]
    kinds = {}
    for kind, _, _, converged, _, _ in points:
        total, bad = kinds.get(kind, (0, 0))
        kinds[kind] = (total + 1, bad + (0 if converged else 1))
    stops = {}
    for p in points:
        reason = p[4] or ("converged (no stop field)" if p[3] else "not converged (no stop field)")
        stops[reason] = stops.get(reason, 0) + 1
    spreads = [p[5] for p in unconverged if isinstance(p[5], (int, float))]
    settings = doc.get("settings", {})
    return {
        "file": str(path),
        "device": doc.get("device", {}).get("name"),
        "precision": precision_of(doc),
        "points": len(points),
        "not_converged": len(unconverged),
        "share_not_converged": len(unconverged) / len(points),
        "by_kind": {k: {"points": t, "not_converged": b} for k, (t, b) in kinds.items()},
        "stopped_by": stops,
        "unconverged_spread_median": statistics.median(spreads) if spreads else None,
        "unconverged_spread_max": max(spreads) if spreads else None,
        "threshold": settings.get("rel_spread_threshold"),
        "timeout_s": settings.get("timeout_s"),
        "summary_not_converged": doc.get("summary", {}).get("not_converged"),
    }


def print_report(r):
    print(f"{r['file']} ({r['device']}, precision {r['precision']}): {r['not_converged']} of {r['points']} points "
          f"({r['share_not_converged'] * 100:.1f}%) not converged"
          + (f" (the file's summary says {r['summary_not_converged']})" if r["summary_not_converged"] is not None else ""))
    for kind, k in sorted(r["by_kind"].items()):
        print(f"  {kind:15} {k['not_converged']:5d} of {k['points']:5d} ({k['not_converged'] / k['points'] * 100:5.1f}%)")
    print("  stopped by: " + ", ".join(f"{reason} {count}" for reason, count in sorted(r["stopped_by"].items())))
    if r["unconverged_spread_median"] is not None:
        print(f"  unconverged points' spread: median {r['unconverged_spread_median'] * 100:.2f}%, "
              f"max {r['unconverged_spread_max'] * 100:.2f}% (threshold {(r['threshold'] or 0) * 100:.2f}%, "
              f"time-out {r['timeout_s']} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles", nargs="+", help="sgprs.profile/1 files (gzip-compressed ones too)")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    reports = [report(pathlib.Path(p)) for p in args.profiles]
    for r in reports:
        print_report(r)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(reports, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
