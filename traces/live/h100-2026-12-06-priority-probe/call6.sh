#!/usr/bin/env bash
# Call 6 of the twenty-eighth session (ran as tools/device_call_28f.sh; kept here as the record): the crowd scenario of sgprs-priority-probe (an urgent chain of
# one-block kernels beside 0-31 chains of small ones, every chain one graph, SMs to spare).
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-probe
configure_sgprs $build > /tmp/build28.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs-priority-probe >> /tmp/build28.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build28.log; exit 1; }
log "built"
run() {  # name, flags...
  local name=$1; shift
  timeout 150 $build/sgprs-priority-probe --out /tmp/$name.json "$@" 2>&1 | tail -1
  echo "probe $name rc ${PIPESTATUS[0]}"
  xz -6 -T0 -c /tmp/$name.json > "$OUT/priority-probe-$name.json.xz"
  python3 tools/priority_probe_report.py "$OUT/priority-probe-$name.json.xz" > "$OUT/report-$name.md"
  tail -9 "$OUT/report-$name.md"
  log "$name done"
}
run crowd --scenarios crowd
run crowd-green --scenarios crowd --green-contexts
run crowd-green-32 --scenarios crowd --green-contexts --crowd-blocks 32
ls -la "$OUT"
