#!/usr/bin/env bash
# Call 5 of the twenty-eighth session (ran as tools/device_call_28e.sh; kept here as the record): green contexts through graphs again (call 4 read some stamps back before
# their grids ended: it waited on the current context only), and long chains (16 ms) in one and in green contexts.
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
  grep -E "^\| queue \| [0-5] \| (0|160) |^\| [0-9]+ \| 132|^launch|^priority_probe" "$OUT/report-$name.md"
  log "$name done"
}
run green-graphs --green-contexts --graphs --scenarios free,queue,chains --delays-us 0,40,160 --repeats 3 --chain-streams 1,2,4 --chain-sm-shares 100
run long-chains --scenarios chains --chain-streams 2 --chain-sm-shares 100 --chain-kernels 400 --chain-repeats 2
run long-chains-green-graphs --green-contexts --graphs --scenarios chains --chain-streams 2 --chain-sm-shares 100 --chain-kernels 400 --chain-repeats 2
ls -la "$OUT"
