#!/usr/bin/env bash
# Call 2 of the twenty-eighth session (ran as tools/device_call_28b.sh; kept here as the record): the chains scenario of sgprs-priority-probe.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-probe
configure_sgprs $build > /tmp/build28.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-priority-probe >> /tmp/build28.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build28.log; exit 1; }
log "built"
$build/sgprs-priority-probe --out /tmp/chains.json --scenarios chains --chain-sm-shares 50,100,200 2>&1 | tail -2
echo "probe rc ${PIPESTATUS[0]}"
log "probed"
xz -6 -T0 -c /tmp/chains.json > "$OUT/priority-probe-chains.json.xz"
ls -la "$OUT"
python3 tools/priority_probe_report.py "$OUT/priority-probe-chains.json.xz" --json "$OUT/summary-chains.json" | tee "$OUT/report-chains.md"
log "done"
