#!/usr/bin/env bash
# Call 4 of the twenty-eighth session (ran as tools/device_call_28d.sh; kept here as the record): sgprs-priority-probe as the live mode launches, through CUDA graphs
# and/or with every stream in its own whole-GPU green context.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-probe
configure_sgprs $build > /tmp/build28.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-priority-probe >> /tmp/build28.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build28.log; exit 1; }
log "built"
for variant in graphs green green-graphs; do
  case $variant in graphs) flags=(--graphs);; green) flags=(--green-contexts);; green-graphs) flags=(--green-contexts --graphs);; esac
  timeout 120 $build/sgprs-priority-probe --out /tmp/$variant.json "${flags[@]}" --scenarios free,queue,chains \
    --delays-us 0,40,160 --repeats 3 --chain-streams 1,2,4 --chain-sm-shares 100 2>&1 | tail -1
  echo "probe $variant rc ${PIPESTATUS[0]}"
  xz -6 -T0 -c /tmp/$variant.json > "$OUT/priority-probe-$variant.json.xz"
  python3 tools/priority_probe_report.py "$OUT/priority-probe-$variant.json.xz" --json "$OUT/summary-$variant.json" > "$OUT/report-$variant.md"
  grep -E "^\| queue \| [0-5] \| (0|160) |^\| [0-9]+ \| 132|^launch" "$OUT/report-$variant.md"
  log "$variant done"
done
ls -la "$OUT"
