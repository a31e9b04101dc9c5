#!/usr/bin/env python3
"""One table of every shipped `sgprs validate` result, with the validation issue's targets.

Scans the given folders (default traces/live) for validation.json files (schema
sgprs.validation/1), prints a markdown table, one row per run, and how many runs meet each target:
response p50 error <= 5% and p99 <= 10% (medians over tasks), miss ratio within 2 points,
throughput within 3% (5% for closed-loop calibration runs, which release every job at once and
have no deadlines to miss), decision agreement >= 90% (by block width in pieces, else by SM count, where validate recorded
them: moldable blocks of one width are interchangeable). docs/validation.md carries the output.

    python3 tools/validation_index.py [FOLDER ...] [--out FILE]

Bad input (a validation.json that is not JSON or lacks a field): one line naming the file and the
field, exit 2.
"""
import argparse
import json
import pathlib
import sys

TARGETS = ("p50 <= 5%", "p99 <= 10%", "misses within 2 points", "throughput within 3% (calibration 5%)",
           "agreement >= 90%")


def fail(message):
    print(f"validation_index: {message}", file=sys.stderr)
    sys.exit(2)


def field(doc, name, path):
    if name not in doc:
        fail(f"{path}: field '{name}' is missing")
    return doc[name]


def row(path, root):
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        fail(f"{path}: not a readable JSON file ({error})")
    if doc.get("schema") != "sgprs.validation/1":
        fail(f"{path}: field 'schema' is not sgprs.validation/1")
    name = str(path.parent.relative_to(root))
    calibration = "calibration" in path.parts
    p50 = field(doc, "response_p50_rel_error", path)
    p99 = field(doc, "response_p99_rel_error", path)
    miss_gap = abs(field(doc, "miss_ratio_live", path) - field(doc, "miss_ratio_sim", path))
    throughput = field(doc, "throughput_rel_error", path)
    # By block class where validate recorded it (moldable blocks of one width in pieces are the same
    # request), else by SM count, else by partition.
    agreement = doc.get("decision_agreement_block",
                        doc.get("decision_agreement_width", field(doc, "decision_agreement", path)))
    met = (p50 <= 0.05, p99 <= 0.10, miss_gap <= 0.02, abs(throughput) <= (0.05 if calibration else 0.03),
           agreement >= 0.90)
    text = (f"| {name} | {100 * p50:.1f}% | {100 * p99:.1f}% | {100 * doc['miss_ratio_live']:.2f} / "
            f"{100 * doc['miss_ratio_sim']:.2f}% | {100 * throughput:+.1f}% | {100 * agreement:.1f}% | "
            f"{sum(met)} of 5 |")
    return text, met


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=["traces/live"])
    parser.add_argument("--out", help="write the table here instead of printing it")
    args = parser.parse_args()
    lines = ["| run | p50 err | p99 err | misses live / sim | throughput sim vs live | agreement | targets met |",
             "|---|---|---|---|---|---|---|"]
    counts = [0] * len(TARGETS)
    runs = 0
    for folder in args.folders:
        root = pathlib.Path(folder)
        if not root.is_dir():
            fail(f"{folder}: not a folder")
        for path in sorted(root.rglob("validation.json")):
            text, met = row(path, root)
            lines.append(text)
            counts = [c + int(m) for c, m in zip(counts, met)]
            runs += 1
    if runs == 0:
        fail(f"{', '.join(args.folders)}: no validation.json found")
    lines.append("")
    lines.append(f"{runs} validated runs; meeting each target: " +
                 "; ".join(f"{target}: {count}" for target, count in zip(TARGETS, counts)) + ".")
    text = "\n".join(lines) + "\n"
    if args.out:
        pathlib.Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
