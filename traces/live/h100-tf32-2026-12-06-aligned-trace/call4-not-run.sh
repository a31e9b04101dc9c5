#!/usr/bin/env bash
# Call 4 of the twenty-ninth session, the build of 16bb83a (32 hardware queues): the closed loops the
# card's shipped g(k) was fitted from (H200: ResNet-18 at 1-32 streams; H100: the six models in turn at
# 1-32), then DM streams-16 at the tight and deadlines families' edges while time is left. One archive back.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-queues
configure_sgprs $build > /tmp/build-q.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-q.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-q.log; exit 1; }
log "built"
# The card's own profile and the families' bounds on it (the H100's and the H200's, docs/experiments.md).
if grep -q H200 "$OUT/card.txt"; then P="--profile traces/profiles/h200-tf32.json"; tight=1.299; deadlines=4.338
else P="--profile traces/profiles/h100-tf32.json"; tight=1.301; deadlines=4.346; fi
# The loops each card's shipped g(k) was fitted from: ResNet-18 on the H200, the six models in turn on the H100.
if grep -q H200 "$OUT/card.txt"; then models=resnet18; streams="1 2 4 8 16 32"; else models=mixed; streams="1 2 4 6 8 12 16 24 32"; fi
OUT=$OUT/loops SGPRS=$build/sgprs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_MODELS=$models \
  CALIBRATION_STREAMS="$streams" BUDGET=100 LIVE_ARGS="$P" bash tools/gpu_validation_session.sh > /dev/null 2>&1
grep -E "exited" $OUT/loops/session.log | sed 's/.*calibration/calibration/'
log "calibrations done"
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p $OUT/runs
for spec in "tight $tight 0.65 0.7" "deadlines $deadlines 0.55 0.6 0.65"; do
  set -- $spec; f=$1; bound=$2; shift 2
  for frac in "$@"; do
    (( SECONDS - t0 < 150 )) || { log "skipped $f-$frac: time"; continue; }
    file=/tmp/$f-$frac.json; scaled traces/tasksets/mixed-$f.json $(python3 -c "print(round($frac * $bound, 3))") $file
    name=$f-$frac-streams16-dm
    timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet --out $OUT/runs/$name $P \
      --scheduler streams --streams 16 --option stream_priorities=deadline-monotonic > $OUT/runs/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/runs/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/runs/$name/timeline.json; cp $file $OUT/runs/$name/taskset.json
  done
done
log "families done"
(cd "$OUT" && tar -cf all.tar loops runs && rm -rf loops runs)
du -sh "$OUT"; ls -la "$OUT"
