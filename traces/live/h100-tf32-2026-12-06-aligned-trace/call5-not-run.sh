#!/usr/bin/env bash
# For a later session (not run: no device time left on 2026-12-06): the queues' rule. Closed loops of
# the six models on k whole-GPU streams with Q hardware queues (the user's CUDA_DEVICE_MAX_CONNECTIONS
# is kept by sgprs live, with a warning when below k), k = 4-32, Q = 8, 16, 32, and one context
# (naive on full) at Q = 12 and 32; tools/start_waits.py then gives the graphs running at once for
# each (k, Q). About 150 s of runs after the build.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-queues
configure_sgprs $build > /tmp/build-q.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-q.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-q.log; exit 1; }
log "built"
if grep -q H200 "$OUT/card.txt"; then P=traces/profiles/h200-tf32.json; else P=traces/profiles/h100-tf32.json; fi
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
python3 -c "
import json
base = json.load(open('$in/closed12-mixed-dm.json')); six = base['tasks'][:6]
for k in (24,):
    tasks = [dict(six[i % 6], name=six[i % 6]['name'][:3] + str(i)) for i in range(k)]
    json.dump(dict(base, tasks=tasks, name=base['name'].rsplit('-', 1)[0] + f'-{k}'), open(f'/tmp/closed{k}-mixed-dm.json', 'w'))"
cp $in/closed*-mixed-dm.json /tmp/
loop() {  # NAME QUEUES TASKS ARGS...
  local name=$1 q=$2 k=$3; shift 3
  CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs live --taskset /tmp/closed$k-mixed-dm.json --layout full \
    --duration 0.5 --quiet --out "$OUT/runs/$name" --overrun release-late --allow-deadline-over-period --profile $P "$@" \
    > "$OUT/stdout-$name.txt" 2>&1
  echo "$name rc $? $(grep -E '^total' "$OUT/stdout-$name.txt" | sed 's/.*aborted; //')"
  rm -f "$OUT/runs/$name/timeline.json"
}
for q in 8 16 32; do
  for k in 4 6 8 12 16 24 32; do
    (( k > 2 * q )) && continue
    loop streams$k-q$q $q $k --scheduler streams --streams $k
  done
done
for q in 12 32; do loop one-context12-q$q $q 12 --scheduler naive --max-parallel 12; done
log "loops done"
python3 tools/start_waits.py $(ls -d "$OUT"/runs/* | sort -V) | tee "$OUT/start-waits.md"
(cd "$OUT" && tar -cJf runs.tar.xz runs stdout-*.txt && rm -rf runs stdout-*.txt)
ls -la "$OUT"
