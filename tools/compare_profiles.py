#!/usr/bin/env python3
"""Compare two sgprs.profile/1 files point by point: the same GPU measured twice (how
repeatable is a point?), two GPUs, or two library policies.

    python3 tools/compare_profiles.py A.json B.json                 # every stage and op both files hold
    python3 tools/compare_profiles.py A.json B.json --models resnet18 --worst 5
    python3 tools/compare_profiles.py A.json B.json --json out.json # the same numbers, machine-readable
    python3 tools/compare_profiles.py traces/profiles/runs/h200-fp32-resnet18-rerun.json.gz \
        traces/profiles/h200-fp32.json --models resnet18               # gzip-compressed files are read as they are

For each model stage (and op) present in both files, at each SM count both measured, it
takes the relative difference of the medians, |a - b| / b, and prints per stage the
times at the smallest and largest common SM count and the largest difference; then the
median, 90th percentile and maximum over all points, and the worst points. A point's
difference is counted against the larger of the two files' own spreads (p5..p95 over the
median), so a difference inside the noise of the measurement is visible as such.

Exit status: 0, or 2 with one line naming the file and field on bad input.
"""
import argparse
import gzip
import json
import pathlib
import sys


def fail(message):
    # Named after the script that runs (profile_convergence.py and plot_profile.py use this too).
    print(f"{pathlib.Path(sys.argv[0]).stem}: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    path = pathlib.Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip (traces/profiles/runs/*.json.gz)
            raw = gzip.decompress(raw)
        doc = json.loads(raw.decode("utf-8"))
    except OSError as error:
        fail(f"{path}: cannot read ({error.strerror or error})")
    except (UnicodeDecodeError, EOFError) as error:
        fail(f"{path}: not a JSON or gzip-compressed JSON file ({error})")
    except json.JSONDecodeError as error:
        fail(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})")
    if not isinstance(doc, dict) or doc.get("schema") != "sgprs.profile/1":
        fail(f"{path}: field 'schema': expected sgprs.profile/1, got {doc.get('schema') if isinstance(doc, dict) else doc!r}")
    for field in ("sm_counts", "models"):
        if not isinstance(doc.get(field), list):
            fail(f"{path}: field '{field}': missing or not an array")
    return doc


def precision_of(doc):
    """The profile's "precision", or for files older than the field fp16 when the dtype is fp16,
    else fp32 (they were measured strict); as common/profile.hpp reads it."""
    return doc.get("precision") or ("fp16" if doc.get("dtype") == "fp16" else "fp32")


def curves(doc, path, model_filter):
    """{(kind, name): {sm: (median, spread)}} for stages ('model/stage') and ops."""
    sm_counts = doc["sm_counts"]
    out = {}

    def add(kind, name, entry, where):
        medians = entry.get("median_ns")
        if not isinstance(medians, list) or len(medians) != len(sm_counts):
            fail(f"{path}: field '{where}.median_ns': missing or not aligned with sm_counts")
        p5, p95 = entry.get("p5_ns"), entry.get("p95_ns")
        points = {}
        for i, sm in enumerate(sm_counts):
            median = medians[i]
            if not isinstance(median, (int, float)) or median <= 0:
                continue
            spread = 0.0
            if isinstance(p5, list) and isinstance(p95, list) and len(p5) == len(p95) == len(sm_counts):
                spread = (p95[i] - p5[i]) / median
            points[sm] = (float(median), spread)
        out[(kind, name)] = points

    for m, model in enumerate(doc["models"]):
        if model_filter and model.get("name") not in model_filter:
            continue
        for s, stage in enumerate(model.get("stages", [])):
            add("stage", f"{model.get('name')}/{stage.get('name')}", stage, f"models[{m}].stages[{s}]")
    if not model_filter:
        for o, op in enumerate(doc.get("ops", [])):
            add("op", op.get("name"), op, f"ops[{o}]")
    return out


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="first profile (its name heads the 'a' columns)")
    parser.add_argument("b", help="second profile (the reference: differences are relative to it)")
    parser.add_argument("--models", help="comma-separated model names (default: all, and the ops)")
    parser.add_argument("--worst", type=int, default=5, help="how many of the largest differences to list")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()

    model_filter = set(args.models.split(",")) if args.models else None
    a, b = load(args.a), load(args.b)
    ca, cb = curves(a, args.a, model_filter), curves(b, args.b, model_filter)
    common = [key for key in ca if key in cb]
    if not common:
        fail(f"{args.a}, {args.b}: no stage or op is in both files" + (f" for --models {args.models}" if model_filter else ""))

    for label, path, doc in (("a", args.a, a), ("b", args.b, b)):
        print(f"{label}: {path} ({doc.get('device', {}).get('name', '?')}, precision {precision_of(doc)}, "
              f"{doc.get('provenance', {}).get('created', '?')})")
    if precision_of(a) != precision_of(b):
        print(f"note: the files measured different precisions ({precision_of(a)} and {precision_of(b)})")
    print(f"{'curve':36} {'SMs':>4} {'a us':>9} {'b us':>9} {'SMs':>4} {'a us':>9} {'b us':>9}  {'max diff':>8}")
    points = []
    rows = []
    for key in common:
        sms = sorted(set(ca[key]) & set(cb[key]))
        if not sms:
            continue
        diffs = []
        for sm in sms:
            (ma, sa), (mb, sb) = ca[key][sm], cb[key][sm]
            diff = abs(ma - mb) / mb
            diffs.append(diff)
            points.append({"curve": key[1], "kind": key[0], "sm": sm, "a_ns": ma, "b_ns": mb, "rel_diff": diff,
                           "within_spread": diff <= max(sa, sb)})
        lo, hi = sms[0], sms[-1]
        rows.append({"curve": key[1], "max_rel_diff": max(diffs)})
        print(f"{key[1]:36} {lo:4d} {ca[key][lo][0] / 1e3:9.1f} {cb[key][lo][0] / 1e3:9.1f} "
              f"{hi:4d} {ca[key][hi][0] / 1e3:9.1f} {cb[key][hi][0] / 1e3:9.1f}  {max(diffs) * 100:7.2f}%")

    if not points:
        fail(f"{args.a}, {args.b}: the files share curves but no SM count with a measured time in both")
    diffs = [p["rel_diff"] for p in points]
    inside = sum(p["within_spread"] for p in points)
    summary = {"points": len(points), "median_rel_diff": percentile(diffs, 0.5), "p90_rel_diff": percentile(diffs, 0.9),
               "max_rel_diff": max(diffs), "within_own_spread": inside}
    print(f"\n{len(points)} points: |a-b|/b median {summary['median_rel_diff'] * 100:.2f}%, "
          f"p90 {summary['p90_rel_diff'] * 100:.2f}%, max {summary['max_rel_diff'] * 100:.2f}%; "
          f"{inside} of {len(points)} within the larger p5..p95 spread of the two")
    worst = sorted(points, key=lambda p: p["rel_diff"], reverse=True)[: max(0, args.worst)]
    if worst:
        print("largest differences:")
        for p in worst:
            print(f"  {p['curve']} @ {p['sm']} SMs: a {p['a_ns'] / 1e3:.1f} us, b {p['b_ns'] / 1e3:.1f} us "
                  f"({p['rel_diff'] * 100:.1f}%)")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"a": args.a, "b": args.b, "summary": summary, "curves": rows,
                                                       "worst": worst}, indent=2) + "\n")


if __name__ == "__main__":
    main()
