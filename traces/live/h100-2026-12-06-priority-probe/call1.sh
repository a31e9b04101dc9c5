#!/usr/bin/env bash
# Call 1 of the twenty-eighth session (ran from the repository root as tools/device_call_28a.sh; kept here as the record): build sgprs-priority-probe and run it once with its defaults.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-probe
configure_sgprs $build > /tmp/build28.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-priority-probe >> /tmp/build28.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build28.log; exit 1; }
log "built"
$build/sgprs-priority-probe --out /tmp/probe.json 2>&1 | tail -2
echo "probe rc ${PIPESTATUS[0]}"
log "probed"
xz -6 -T0 -c /tmp/probe.json > "$OUT/priority-probe.json.xz"
ls -la "$OUT"
python3 tools/priority_probe_report.py "$OUT/priority-probe.json.xz" --json "$OUT/summary.json" | tee "$OUT/report.md"
nvidia-smi --query-gpu=clocks.sm,temperature.gpu --format=csv,noheader
log "done"
