#!/usr/bin/env bash
# Validates every live run shipped in a traces/live folder (its *.tar.xz archives of run folders) and
# writes, beside the archives, validation/<run>/{validation.json,report.md} and validation.md: one
# table of all runs under three GPU models: plain (the simulator's defaults: processor sharing
# with the even split and the step curve alone), even-step (plus interference from the profile and
# the measured per-stage host overhead) and validated (the same with the packed sharing rule,
# sim/packed_sharing.hpp; the default of `sgprs validate`, whose outputs are the ones kept).
#   tools/validate_shipped_runs.sh traces/live/h200-tf32-2026-12-02-validation [build/sgprs [PROFILE]]
# PROFILE: the runs' profile where it has moved since they ran (`sgprs validate --profile`; the runs
# before 2026-12-04 afternoon used traces/profiles/runs/h200-tf32-kernels-2026-12-03.json).
set -euo pipefail
folder="$1"
sgprs="${2:-build/sgprs}"
profile_args=()
[[ -n "${3:-}" ]] && profile_args=(--profile "$3")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for archive in "$folder"/*.tar.xz; do
  [[ "$(basename "$archive")" == inputs.tar.xz ]] && continue
  tar -xJf "$archive" -C "$work"
done
table="$work/table.md"
echo "| run | GPU model | throughput live / sim | miss live / sim | p50 err | p99 err | agreement | stage time err (bias) |" > "$table"
echo "|---|---|---|---|---|---|---|---|" >> "$table"
for run in "$work"/*/*; do
  [[ -f "$run/summary.json" ]] || continue
  name="$(basename "$(dirname "$run")")/$(basename "$run")"
  for model in plain even-step validated; do
    flags=(--interference profile --stage-overhead measured --sharing packed)
    [[ $model == even-step ]] && flags=(--interference profile --stage-overhead measured --sharing even-step)
    [[ $model == plain ]] && flags=(--interference none --stage-overhead none --sharing even-step)
    out="$work/out/$name-$model"
    "$sgprs" validate --live "$run" --out "$out" --no-plot "${profile_args[@]}" "${flags[@]}" > /dev/null
    if [[ $model == validated ]]; then
      mkdir -p "$folder/validation/$name"
      cp "$out/validation.json" "$out/report.md" "$folder/validation/$name/"
      # the run's path inside the archives, not this script's temporary folder: a rerun writes the same bytes
      sed -i "s#$work/##g" "$folder/validation/$name/validation.json" "$folder/validation/$name/report.md"
    fi
    python3 - "$out/validation.json" "$name" "$model" >> "$table" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
s = v["stage_time_rel_error"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {v['throughput_live']:.0f} / {v['throughput_sim']:.0f} "
      f"({100 * v['throughput_rel_error']:+.1f}%) | {v['miss_ratio_live']:.3f} / {v['miss_ratio_sim']:.3f} | "
      f"{100 * v['response_p50_rel_error']:.1f}% | {100 * v['response_p99_rel_error']:.1f}% | "
      f"{100 * v['decision_agreement']:.1f}% | {100 * s['median']:.1f}% ({100 * s['median_signed']:+.1f}%) |")
PY
  done
done
cp "$table" "$folder/validation.md"
cat "$table"
