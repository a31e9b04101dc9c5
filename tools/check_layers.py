#!/usr/bin/env python3
"""Fails when an #include runs against the layer order of the C++ code, or when a CMake file
globs its sources (every target lists its files, so a file's layer is a reviewed choice).

Each folder may include only from the folders listed for it (its own included);
the same order the CMake targets link in (simulator/CMakeLists.txt):
    common <- policy <- core <- sim | outputs <- experiments <- validation <- tools
    common <- profiler; core, outputs, profiler <- live <- tools
Usage: tools/check_layers.py [repo root]   (exit 1 and one line per wrong include)
"""
import pathlib
import re
import sys

ALLOWED = {
    "common": {"common"},
    "profiler": {"common", "profiler"},
    "simulator/policy": {"common", "simulator/policy"},
    "simulator/core": {"common", "simulator/policy", "simulator/core"},
    "simulator/sim": {"common", "simulator/policy", "simulator/core", "simulator/sim"},
    "simulator/outputs": {"common", "simulator/policy", "simulator/core", "simulator/outputs"},
    "simulator/experiments": {"common", "simulator/policy", "simulator/core", "simulator/sim",
                              "simulator/outputs", "simulator/experiments"},
    "simulator/validation": {"common", "simulator/policy", "simulator/core", "simulator/sim",
                             "simulator/outputs", "simulator/experiments", "simulator/validation"},
    "simulator/live": {"common", "profiler", "simulator/policy", "simulator/core", "simulator/outputs",
                       "simulator/live"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
GLOB = re.compile(r'^\s*file\s*\(\s*GLOB', re.IGNORECASE)


def layer_of(path: str):
    """The longest ALLOWED key that `path` lies under, or None (tools/, tests/, bench/: unconstrained)."""
    best = None
    for layer in ALLOWED:
        if path == layer or path.startswith(layer + "/"):
            if best is None or len(layer) > len(best):
                best = layer
    return best


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    bad = []
    checked = 0
    for file in sorted(root.rglob("*")):
        if file.suffix not in {".hpp", ".cpp", ".cu", ".cuh", ".h"} or any(p.startswith("build") for p in file.parts):
            continue
        rel = file.relative_to(root).as_posix()
        layer = layer_of(rel)
        if layer is None:
            continue
        checked += 1
        for number, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or "/" not in m.group(1):
                continue
            target = layer_of(m.group(1))
            if target is None:
                if m.group(1).split("/")[0] in {"simulator", "tools", "tests", "bench"}:
                    bad.append(f"{rel}:{number}: includes {m.group(1)}, which no layer owns")
                continue
            if target not in ALLOWED[layer]:
                bad.append(f"{rel}:{number}: {layer} may not include {m.group(1)} ({target} is not below it)")
    for file in sorted(root.rglob("*")):
        if (file.name != "CMakeLists.txt" and file.suffix != ".cmake") or any(p.startswith("build") for p in file.parts):
            continue
        rel = file.relative_to(root).as_posix()
        if rel.startswith("tests/data/"):
            continue  # the check's own bad examples
        for number, line in enumerate(file.read_text(errors="replace").splitlines(), 1):
            if GLOB.match(line):
                bad.append(f"{rel}:{number}: globs its sources; list them")
    for line in bad:
        print(line)
    if not checked:
        print(f"check_layers: no source files under {root}")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
