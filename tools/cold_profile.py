#!/usr/bin/env python3
"""A profile whose stage times are a shipped profile's, each slowed by the L2 it would find cold.

`sgprs profile --flush-l2 --no-occupied` measures every stage with the L2 evicted before each replay;
the same command without --flush-l2, minutes apart, measures it warm. Their ratio per stage and SM
count (the mean over the pairs given, never below 1: a cold replay is not faster) scales the base
profile's isolated and occupied times. The result is for `sgprs simulate|validate
--gpu-times-profile`: the simulated GPU runs it while the scheduler still predicts from the base.

  tools/cold_profile.py --base traces/profiles/h200-tf32.json \
      --pair COLD1.json WARM1.json --pair COLD2.json WARM2.json --out traces/profiles/h200-tf32.l2cold.json
"""
import argparse
import json
import sys

from json_files import load_document


def fail(message):
    print(f"cold_profile.py: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    return load_document(path, "sgprs.profile/1", fail)


def stages(profile):
    return {(m["name"], s["name"]): s for m in profile["models"] for s in m["stages"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="the profile whose times are scaled")
    ap.add_argument("--pair", nargs=2, action="append", required=True, metavar=("COLD", "WARM"),
                    help="a --flush-l2 profile and its warm twin, measured minutes apart (repeatable)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    base = load(a.base)
    counts = base["sm_counts"]
    ratios = {}
    for cold_path, warm_path in a.pair:
        cold, warm = load(cold_path), load(warm_path)
        for path, p in ((cold_path, cold), (warm_path, warm)):
            if p["sm_counts"] != counts or p["device"]["name"] != base["device"]["name"] or p["precision"] != base["precision"]:
                fail(f"{path}: not measured like {a.base} (device, precision or sm_counts differ)")
        if "cold" not in cold["settings"].get("l2", ""):
            fail(f"{cold_path}: settings.l2 does not say cold (measure it with sgprs profile --flush-l2)")
        C, W = stages(cold), stages(warm)
        for key in stages(base):
            if key not in C or key not in W:
                fail(f"{cold_path}: no stage {key[0]}/{key[1]}")
            for i in range(len(counts)):
                ratios.setdefault((key, i), []).append(C[key]["median_ns"][i] / W[key]["median_ns"][i])
    for model in base["models"]:
        for stage in model["stages"]:
            key = (model["name"], stage["name"])
            scale = [max(1.0, sum(ratios[(key, i)]) / len(ratios[(key, i)])) for i in range(len(counts))]
            for field in ("median_ns", "occupied_median_ns", "p5_ns", "p95_ns", "occupied_p5_ns", "occupied_p95_ns"):
                if field in stage:
                    stage[field] = [int(round(t * f)) for t, f in zip(stage[field], scale)]
            stage["l2_cold_scale"] = [round(f, 4) for f in scale]
    base.setdefault("provenance", {})["l2_cold"] = {
        "base": a.base,
        "pairs": [list(p) for p in a.pair],
        "rule": "each stage's times x mean over the pairs of cold/warm median at that SM count, at least 1",
        "command": " ".join(sys.argv),
    }
    with open(a.out, "w") as f:
        json.dump(base, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
