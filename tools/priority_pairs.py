#!/usr/bin/env python3
"""How two models split the GPU under stream priorities: live against simulated, per pair of models.

Reads `sgprs validate` folders of closed loops of two models in turn (tools/gpu_validation_session.sh
with CALIBRATION_MODELS=a+b, named streams<k>-<a>+<b>, and with CALIBRATION_PRIORITIES=1
streams<k>-<a>+<b>-dm: a's tasks on the more urgent streams). Task i of a loop runs model a when i is
even and b when it is odd (the script's task names end in i). For each loop it prints each model's
median response time over its time alone on the whole GPU (the sum of its stages' times at the
profile's largest SM count), live and simulated; with --plain, the same models' live slowdown in the
loop without priorities, so that what the priorities change on the GPU shows beside what the
simulated rule says; and the median over loops of |ln(simulated / live)| for the urgent and the less
urgent model.

    tools/priority_pairs.py --profile traces/profiles/h100-tf32.json VALIDATIONS_DIR [--plain PLAIN_DIR]
"""
import argparse
import math
import os
import re
import statistics
import sys

from json_files import load_document

RUN = re.compile(r"^streams(\d+)-(\w+)\+(\w+?)(-dm)?$")


def fail(message):
    print(f"priority_pairs.py: {message}", file=sys.stderr)
    sys.exit(2)


def alone_times(profile_path):
    doc = load_document(profile_path, "sgprs.profile/1", fail)
    try:
        return {m["name"]: sum(s["median_ns"][-1] for s in m["stages"]) for m in doc["models"]}
    except (KeyError, TypeError, IndexError):
        fail(f"{profile_path}: field 'models': each model needs stages with median_ns")


def loops(folder, priorities, alone):
    """{(k, a, b): {model: (live slowdown, simulated slowdown)}} of the loops in `folder`."""
    if not os.path.isdir(folder):
        fail(f"{folder}: not a folder")
    out = {}
    for name in sorted(os.listdir(folder)):
        match = RUN.match(name)
        if not match or bool(match[4]) != priorities:
            continue
        k, models = int(match[1]), (match[2], match[3])
        for m in models:
            if m not in alone:
                fail(f"{folder}/{name}: model '{m}' is not in the profile")
        path = os.path.join(folder, name, "validation.json")
        doc = load_document(path, "sgprs.validation/1", fail)
        times = {m: ([], []) for m in models}
        for t, task in enumerate(doc.get("tasks", [])):
            try:
                index = int(re.sub(r"^\D+", "", task["task"]))
                live, sim = task["response_p50_ns"]["live"], task["response_p50_ns"]["sim"]
            except (KeyError, TypeError, ValueError):
                fail(f"{path}: tasks[{t}]: field 'task' or 'response_p50_ns' missing or not as written by sgprs validate")
            times[models[index % 2]][0].append(live)
            times[models[index % 2]][1].append(sim)
        if any(not live for live, _ in times.values()):
            fail(f"{path}: field 'tasks': both models need at least one task")
        out[(k, *models)] = {m: (statistics.median(l) / alone[m], statistics.median(s) / alone[m])
                             for m, (l, s) in times.items()}
    if not out:
        fail(f"{folder}: no validation folder named streams<k>-<a>+<b>{'-dm' if priorities else ''}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", required=True, help="the profile the runs were validated with (times alone)")
    parser.add_argument("--plain", help="validation folders of the same pairs without priorities (either order)")
    parser.add_argument("validations", help="validation folders of the loops with priorities (streams<k>-<a>+<b>-dm)")
    args = parser.parse_args()
    alone = alone_times(args.profile)
    urgent_loops = loops(args.validations, True, alone)
    plain = loops(args.plain, False, alone) if args.plain else {}

    def plain_slowdown(k, model, other):
        """The model's live slowdown beside `other` without priorities, in either order; None if not run."""
        loop = plain.get((k, model, other)) or plain.get((k, other, model))
        return loop[model][0] if loop else None

    header = "| k | urgent | less urgent | urgent live | sim | less urgent live | sim |"
    if plain:
        header += " urgent live, no priorities | less urgent live, no priorities |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    errors = {"urgent": [], "less urgent": []}
    for (k, a, b), by_model in sorted(urgent_loops.items()):
        (ul, us), (ll, ls) = by_model[a], by_model[b]
        row = f"| {k} | {a} | {b} | {ul:.2f} | {us:.2f} | {ll:.2f} | {ls:.2f} |"
        if plain:
            cells = [plain_slowdown(k, a, b), plain_slowdown(k, b, a)]
            row += "".join(f" {c:.2f} |" if c is not None else " |" for c in cells)
        print(row)
        errors["urgent"].append(abs(math.log(us / ul)))
        errors["less urgent"].append(abs(math.log(ls / ll)))
    print()
    print("slowdown = median response time over the model's time alone (profile, whole GPU)")
    for role, values in errors.items():
        print(f"{role}: median |ln(sim / live)| {statistics.median(values):.3f} over {len(values)} loops")


if __name__ == "__main__":
    main()
