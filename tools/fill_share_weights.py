#!/usr/bin/env python3
"""Share weights from a kernel report: how much of the GPU's block slots each model's kernels fill.

The packed rule's share weights (simulator/sim/packed_sharing.hpp) say which model gets the SMs
when models share the GPU. Fitted on closed loops they differ from one mix of models to the next
(docs/validation.md, "Pairs of models"). This tool derives them without fitting, from what the
block scheduler sees: for every kernel of a model's stages at SM count S (an `sgprs profile
--kernel-report` file), the blocks it launches over the blocks S SMs can hold at once,

    fill(k) = min(1, blocks(k) / (S x resident(k)))
    resident(k) = min(32, 64 / warps, 65536 / (warps x registers per warp), 233472 / shared bytes)

(the per-SM limits of the GH100 chip, H100 and H200: 32 blocks, 64 warps, 64 Ki registers
allocated 256 at a time per warp, 228 KiB of shared memory), averaged over the model's kernels
weighted by their time, and the weights scaled to a geometric mean of 1. It writes an
sgprs.sharing/1 file holding only the weights (g(k) = 1), for
`tools/fit_sharing_contention.py --share-weights-from`, which fits g(k) under them, or, with
--contention-from, the weights beside another file's g(k) (traces/profiles/h100-tf32.fill.sharing.json:
the H100's shipped g(k), fitted without weights, and its kernel report's weights).

    tools/fill_share_weights.py --kernel-report h100-kernels-tf32.json --profile traces/profiles/h100-tf32.json \
        [--sms 132] --out fill.json
"""
import argparse
import json
import math
import statistics
import sys

from json_files import load_document

MAX_BLOCKS, MAX_WARPS, REGISTERS, SHARED_BYTES, REGISTER_UNIT = 32, 64, 65536, 233472, 256


def fail(message):
    print(f"fill_share_weights.py: {message}", file=sys.stderr)
    sys.exit(2)


def resident_blocks(kernel):
    warps = math.ceil(kernel["threads_per_block"] / 32)
    limits = [MAX_BLOCKS, MAX_WARPS // warps]
    if kernel["registers_per_thread"] > 0:
        per_warp = math.ceil(kernel["registers_per_thread"] * 32 / REGISTER_UNIT) * REGISTER_UNIT
        limits.append(REGISTERS // (per_warp * warps))
    if kernel["shared_bytes"] > 0:
        limits.append(SHARED_BYTES // kernel["shared_bytes"])
    return max(1, min(limits))


def model_fill(report, sms, path):
    sums = {}
    for index, stage in enumerate(report):
        where = f"{path}: [{index}]"
        for field in ("what", "sms", "kernels"):
            if field not in stage:
                fail(f"{where}: field '{field}' missing")
        if stage["sms"] != sms:
            continue
        model = str(stage["what"]).split("/")[0]
        for k, kernel in enumerate(stage["kernels"]):
            for field in ("blocks", "ns", "threads_per_block", "registers_per_thread", "shared_bytes"):
                value = kernel.get(field)
                if not isinstance(value, (int, float)) or value < 0 or (field in ("blocks", "threads_per_block") and value <= 0):
                    fail(f"{where}.kernels[{k}]: field '{field}' missing or not a valid number")
            fill = min(1.0, kernel["blocks"] / (sms * resident_blocks(kernel)))
            weighted, time = sums.get(model, (0.0, 0.0))
            sums[model] = (weighted + kernel["ns"] * fill, time + kernel["ns"])
    fills = {m: w / t for m, (w, t) in sums.items() if t > 0}
    if not fills:
        fail(f"{path}: no kernel measured at {sms} SMs")
    return fills


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernel-report", required=True, help="an `sgprs profile --kernel-report` file")
    parser.add_argument("--sms", type=int, default=132, help="the SM count whose kernels count (default 132)")
    parser.add_argument("--profile", required=True,
                        help="the profile of the same GPU and precision (its device and precision are recorded)")
    parser.add_argument("--contention-from", metavar="FILE",
                        help="copy g(k) from this sgprs.sharing/1 file (default: g(k) = 1, for "
                             "fit_sharing_contention.py --share-weights-from to fit)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    report = load_document(args.kernel_report, None, fail)
    if not isinstance(report, list):
        fail(f"{args.kernel_report}: not a kernel report (a list of stages)")
    profile = load_document(args.profile, "sgprs.profile/1", fail)
    try:
        device, precision = profile["device"]["name"], profile["precision"]
    except (KeyError, TypeError):
        fail(f"{args.profile}: field 'device.name' or 'precision' missing")
    contention, contention_note = [{"units": 1, "factor": 1.0}], ""
    if args.contention_from:
        contention = load_document(args.contention_from, "sgprs.sharing/1", fail).get("contention")
        if not isinstance(contention, list) or not contention:
            fail(f"{args.contention_from}: field 'contention' missing or not a list of points")
        contention_note = f" --contention-from {args.contention_from}"
    fills = model_fill(report, args.sms, args.kernel_report)
    scale = math.exp(statistics.fmean(math.log(f) for f in fills.values()))
    weights = {m: round(f / scale, 4) for m, f in sorted(fills.items())}
    doc = {"schema": "sgprs.sharing/1", "device": device, "precision": precision,
           "source": (f"tools/fill_share_weights.py --kernel-report {args.kernel_report} --sms {args.sms}"
                      f"{contention_note}"),
           "contention": contention,
           "share_weights": weights,
           "share_weights_source": (f"each model's time-weighted share of the block slots of {args.sms} SMs its kernels "
                                    "fill, over the geometric mean")}
    with open(args.out, "w") as out:
        json.dump(doc, out, indent=1)
        out.write("\n")
    print(" ".join(f"{m} {w:.2f} (fill {fills[m]:.2f})" for m, w in weights.items()))


if __name__ == "__main__":
    main()
