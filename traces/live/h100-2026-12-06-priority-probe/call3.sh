#!/usr/bin/env bash
# Call 3 of the twenty-eighth session (ran as tools/device_call_28c.sh; kept here as the record): sgprs-priority-probe with L above the least urgent level (--low-level 1, 3, 4).
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-probe
configure_sgprs $build > /tmp/build28.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-priority-probe >> /tmp/build28.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build28.log; exit 1; }
log "built"
for low in 1 3 4; do
  $build/sgprs-priority-probe --out /tmp/low$low.json --scenarios free,queue --low-level $low --delays-us 0,40,160 --repeats 3 2>&1 | tail -1
  echo "probe low $low rc ${PIPESTATUS[0]}"
  xz -6 -T0 -c /tmp/low$low.json > "$OUT/priority-probe-low$low.json.xz"
  python3 tools/priority_probe_report.py "$OUT/priority-probe-low$low.json.xz" --json "$OUT/summary-low$low.json" > "$OUT/report-low$low.md"
  grep -E "^\| queue|^handicap|^L's" "$OUT/report-low$low.md"
done
ls -la "$OUT"
log "done"
