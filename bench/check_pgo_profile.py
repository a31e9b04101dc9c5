#!/usr/bin/env python3
"""Checks the shipped profile of the profile-guided build (bench/pgo-profile/, cmake/SgprsPgo.cmake)
against the tree: every profile file names an object of a source that exists, and every source of
the simulator's hot path (HOT_PATH: simulator/sim, core, policy, outputs and the run's driver) has one,
so a renamed or new file shows up here instead of as a silently slower build. Also says how many
of those sources changed since the commit the profile was trained at (their functions build
without it until `bench/pgo_build.sh --ship` is run again). Exit 1 on a mismatch.

    python3 bench/check_pgo_profile.py [REPO]
    python3 bench/check_pgo_profile.py --pick FOLDER   # the profile files of FOLDER on HOT_PATH
                                                       # (what bench/pgo_build.sh --ship keeps)
"""
import pathlib
import subprocess
import sys

# The event chain: folders, and one file of the sweep code (the run's loop is inlined there).
HOT_PATH = ["simulator/sim", "simulator/core", "simulator/policy", "simulator/outputs",
            "simulator/experiments/simulation.cpp"]


def on_hot_path(source: str) -> bool:
    return any(source == p or source.startswith(p + "/") for p in HOT_PATH)


def hot_sources(repo: pathlib.Path) -> list:
    found = []
    for p in HOT_PATH:
        path = repo / p
        found += [str(f.relative_to(repo)) for f in path.glob("*.cpp")] if path.is_dir() else [p]
    return sorted(found)


def source_of(profile_file: pathlib.Path) -> str:
    """'simulator#CMakeFiles#sgprs_sim.dir#sim#gpu_model.cpp.gcda' -> 'simulator/sim/gpu_model.cpp'."""
    parts = profile_file.name[: -len(".gcda")].split("#")
    if "CMakeFiles" not in parts:
        return ""
    at = parts.index("CMakeFiles")
    return "/".join(parts[:at] + parts[at + 2:])


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--pick":
        for f in sorted(pathlib.Path(sys.argv[2]).glob("*.gcda")):
            if on_hot_path(source_of(f)):
                print(f)
        return 0
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    folder = repo / "bench" / "pgo-profile"
    files = sorted(folder.glob("*.gcda"))
    if not files:
        print(f"{folder}: no profile files")
        return 1
    problems = []
    profiled = set()
    for f in files:
        source = source_of(f)
        if not source or not (repo / source).is_file():
            problems.append(f"{f.name}: names no source of this tree ({source or 'no CMakeFiles part'})")
        profiled.add(source)
    hot = hot_sources(repo)
    for source in hot:
        if source not in profiled:
            problems.append(f"{source}: on the hot path but not in the profile (run bench/pgo_build.sh --ship)")
    commit = ""
    for line in (folder / "README.txt").read_text().splitlines():
        if line.startswith("commit: "):
            commit = line.split()[1]
    changed = []
    if commit:
        run = subprocess.run(["git", "-C", str(repo), "diff", "--name-only", commit, "--"] + HOT_PATH + ["common"],
                             capture_output=True, text=True)
        if run.returncode == 0:
            changed = [n for n in run.stdout.split() if n.endswith(".cpp") or n.endswith(".hpp")]
    for p in problems:
        print(p)
    print(f"{len(files)} profile files, trained at {commit or '?'}; {len(hot)} hot-path sources, "
          f"{len(hot) - len([s for s in hot if s not in profiled])} profiled; "
          f"{len(changed)} hot-path or common files changed since the training"
          + (f" ({', '.join(changed[:5])}{', ...' if len(changed) > 5 else ''})" if changed else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
