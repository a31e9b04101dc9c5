#!/usr/bin/env bash
# Call 8 of the twenty-eighth session (ran as tools/device_call_28g.sh, edited from call 7; kept here as the record): chains of 1-16 urgent streams, each chain one graph launched once (no host
# launch rate in the way), in one context and in green contexts.
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
  tail -8 "$OUT/report-$name.md"
  log "$name done"
}
run many-chains-one-graph --scenarios chains --chain-one-graph --chain-streams 1,2,4,8,12,16 --chain-sm-shares 25,50 --chain-repeats 2
run many-chains-one-graph-green --green-contexts --scenarios chains --chain-one-graph --chain-streams 1,2,4,8,12,16 --chain-sm-shares 25,50 --chain-repeats 2
ls -la "$OUT"
