#!/usr/bin/env bash
# Call 4 of the thirtieth session (the build of a1f8e25, the simulator's hardware-queue limit): periodic runs where
# the limit binds, to test it outside the closed loops it was fitted on. The tight family at 0.5 and 0.6 of its
# bound on 32 whole-GPU streams without priorities, with 8, 16 and 32 hardware queues (CUDA_DEVICE_MAX_CONNECTIONS,
# which sgprs live keeps when set, with a warning below the stream count). Each run's event log xz-packed.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-queues
configure_sgprs $build > /tmp/build-q.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-q.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-q.log; exit 1; }
log "built"
if grep -q H200 "$OUT/card.txt"; then P=traces/profiles/h200-tf32.json; tight=1.299; else P=traces/profiles/h100-tf32.json; tight=1.301; fi
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p $OUT/runs
for frac in 0.5 0.6; do
  file=/tmp/tight-$frac.json; scaled traces/tasksets/mixed-tight.json $(python3 -c "print(round($frac * $tight, 3))") $file
  for q in 8 16 32; do
    name=tight-$frac-streams32-q$q
    CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet \
      --out $OUT/runs/$name --profile $P --scheduler streams --streams 32 > $OUT/runs/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/runs/$name/timeline.json; cp $file $OUT/runs/$name/taskset.json
  done
done
log "runs done"
python3 tools/start_waits.py $(ls -d $OUT/runs/tight* | sort -V) | tee $OUT/start-waits.md
for f in $OUT/runs/*/events.jsonl; do xz -T4 $f; done
(cd "$OUT" && tar -cf runs.tar runs && rm -rf runs); du -sh $OUT/runs.tar
