#!/usr/bin/env python3
"""Where the op library spends GPU time against PyTorch, kernel by kernel.

Reads the kernel reports of `sgprs profile --kernel-report` (one per precision) and the report of
tools/torch_kernels.py, and writes a Markdown table per model, precision and SM count: the sum of
kernel times and the kernel count on both sides, and the time per kernel class (convolution,
layout transposes, normalisation, elementwise, pooling, matrix products, attention, other), so
that the class where sgprs loses stands out.

    python3 tools/compare_kernels.py --sgprs sgprs-kernels-tf32.json sgprs-kernels-fp16.json \\
        --torch torch-kernels.json > kernels.md

Files may be xz-compressed (.xz). Only stage reports (model/stage) count; op benchmarks are left out.
"""
import argparse
import collections
import json
import lzma
import pathlib
import sys

# First match wins: (class, substrings of the kernel name, lower case).
CLASSES = [
    ("layout", ("nchwtonhwc", "nhwctonchw", "transpose")),
    ("attention", ("softmax", "fmha", "flash", "attention")),
    ("norm", ("bn_fw", "batch_norm", "batchnorm", "layer_norm", "layernorm")),
    ("conv", ("conv", "fprop", "implicit_gemm", "dgrad", "wgrad", "depthwise", "winograd", "precomputed")),
    ("matmul", ("gemm", "gemv", "cutlass", "matmul")),
    ("pool", ("pool",)),
    ("elementwise", ("elementwise", "op_generic_tensor", "vectorized", "unrolled", "add", "relu", "gelu")),
]


def kernel_class(name):
    lower = name.lower()
    for label, keys in CLASSES:
        if any(k in lower for k in keys):
            return label
    return "other"


def load(path):
    raw = lzma.open(path, "rt") if str(path).endswith(".xz") else open(path)
    with raw as f:
        return json.load(f)


def sgprs_side(paths):
    """(model, precision, sms) -> list of kernels, from reports named by precision in the file name."""
    out = collections.defaultdict(list)
    for path in paths:
        precision = next((p for p in ("tf32", "fp16", "fp32") if p in pathlib.Path(path).name), None)
        if precision is None:
            sys.exit(f"compare_kernels: {path}: the file name does not say the precision (tf32, fp16 or fp32)")
        for entry in load(path):
            what = entry.get("what", "")
            if what.startswith("op/") or "/" not in what:
                continue
            out[(what.split("/")[0], precision, int(entry["sms"]))] += entry.get("kernels", [])
    return out


def torch_side(path):
    return {(r["model"], r["precision"], int(r["sms"])): r["kernels"] for r in load(path)}


def by_class(kernels):
    sums = collections.Counter()
    for k in kernels:
        sums[kernel_class(k.get("name", ""))] += k.get("ns", 0)
    return sums


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sgprs", nargs="+", required=True, help="kernel reports of sgprs profile, one per precision")
    parser.add_argument("--torch", required=True, help="the report of tools/torch_kernels.py")
    args = parser.parse_args()
    ours, theirs = sgprs_side(args.sgprs), torch_side(args.torch)
    labels = [label for label, _ in CLASSES] + ["other"]
    print("| model | precision | SMs | sgprs us (kernels) | PyTorch us (kernels) | ratio | "
          + " | ".join(f"{c} us sgprs/torch" for c in labels) + " |")
    print("|---|---|---:|---:|---:|---:|" + "---:|" * len(labels))
    for key in sorted(ours):
        if key not in theirs:
            continue
        a, b = ours[key], theirs[key]
        sa, sb = sum(k["ns"] for k in a), sum(k["ns"] for k in b)
        ca, cb = by_class(a), by_class(b)
        cells = [f"{ca[c] / 1000:.0f}/{cb[c] / 1000:.0f}" for c in labels]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {sa / 1000:.1f} ({len(a)}) | {sb / 1000:.1f} ({len(b)}) | "
              f"{sa / sb if sb else float('nan'):.2f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
