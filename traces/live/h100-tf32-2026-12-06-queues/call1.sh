#!/usr/bin/env bash
# Call 1 of the thirtieth session, the build of HEAD (32 hardware queues since 16bb83a), in three parts, each
# packed as it ends so that a cut-off call still returns the parts before it:
#   A. the queues' rule (call5-not-run.sh of traces/live/h100-tf32-2026-12-06-aligned-trace): closed loops
#      of the six models on k whole-GPU streams with Q hardware queues (CUDA_DEVICE_MAX_CONNECTIONS, which
#      sgprs live keeps when the user set it), k = 4-32, Q = 8, 16, 32; one context (naive on full) at
#      Q = 12 and 32. tools/start_waits.py gives the graphs running at once for each (k, Q).
#   B. the closed loops the card's shipped g(k) was fitted from, again with 32 queues (call4-not-run.sh):
#      H200: ResNet-18 at 1-32 streams; H100: the six models in turn at 1-32.
#   C. DM streams-16 at the tight and deadlines families' edges while time is left.
set -uo pipefail
t0=$SECONDS; root="$(pwd)"
log() { echo "[+$((SECONDS - t0)) s] $*"; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu --format=csv | tee "$OUT/card.txt"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-queues
configure_sgprs $build > /tmp/build-q.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build-q.log 2>&1 \
  || { echo "build failed"; tail -30 /tmp/build-q.log; exit 1; }
log "built"
if grep -q H200 "$OUT/card.txt"; then P=traces/profiles/h200-tf32.json; tight=1.299; deadlines=4.338
else P=traces/profiles/h100-tf32.json; tight=1.301; deadlines=4.346; fi
# --- A ---
in=traces/live/h100-tf32-2026-12-06-aligned-trace/inputs
cp $in/closed*-mixed-dm.json /tmp/
python3 -c "
import json
base = json.load(open('$in/closed12-mixed-dm.json')); six = base['tasks'][:6]
for k in (24,):
    tasks = [dict(six[i % 6], name=six[i % 6]['name'][:3] + str(i)) for i in range(k)]
    json.dump(dict(base, tasks=tasks, name=base['name'].rsplit('-', 1)[0] + f'-{k}'), open(f'/tmp/closed{k}-mixed-dm.json', 'w'))"
mkdir -p $OUT/A/runs
loop() {  # NAME QUEUES TASKS ARGS...
  local name=$1 q=$2 k=$3; shift 3
  CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs live --taskset /tmp/closed$k-mixed-dm.json --layout full \
    --duration 0.5 --quiet --out "$OUT/A/runs/$name" --overrun release-late --allow-deadline-over-period --profile $P "$@" \
    > "$OUT/A/stdout-$name.txt" 2>&1
  echo "$name rc $? $(grep -E '^total' "$OUT/A/stdout-$name.txt" | sed 's/.*aborted; //')"
  rm -f "$OUT/A/runs/$name/timeline.json"
}
for q in 8 16 32; do
  for k in 4 6 8 12 16 24 32; do
    (( k > 2 * q )) && continue
    loop streams$k-q$q $q $k --scheduler streams --streams $k
  done
done
for q in 12 32; do loop one-context12-q$q $q 12 --scheduler naive --max-parallel 12; done
log "A done"
python3 tools/start_waits.py $(ls -d "$OUT"/A/runs/* | sort -V) > "$OUT/start-waits.md" 2>&1; cat "$OUT/start-waits.md"
(cd "$OUT/A" && tar -cJf ../A.tar.xz . ) && rm -rf "$OUT/A"
log "A packed"
# --- B ---
if grep -q H200 "$OUT/card.txt"; then models=resnet18; streams="1 2 4 8 16 32"; else models=mixed; streams="1 2 4 6 8 12 16 24 32"; fi
OUT=$OUT/B SGPRS=$build/sgprs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_MODELS=$models \
  CALIBRATION_STREAMS="$streams" BUDGET=110 LIVE_ARGS="--profile $P" bash tools/gpu_validation_session.sh > /dev/null 2>&1
grep -E "exited" $OUT/B/session.log | sed 's/.*calibration/calibration/'
(cd "$OUT/B" && tar -cf ../B.tar . ) && rm -rf "$OUT/B"
log "B done"
# --- C ---
scaled() {  # BASE SCALE FILE, as tools/gpu_policy_session.sh
  python3 -c "
import json, math; d = json.load(open('$1')); k = $2
for t in d['tasks']: t['count'] = int(math.floor(t['count'] * k + 0.5))
d['tasks'] = [t for t in d['tasks'] if t['count'] > 0]
d['name'] += '-x%g' % k; json.dump(d, open('$3', 'w'), indent=1)"
}
mkdir -p $OUT/C
for spec in "tight $tight 0.65 0.7" "deadlines $deadlines 0.55 0.6 0.65"; do
  set -- $spec; f=$1; bound=$2; shift 2
  for frac in "$@"; do
    (( SECONDS - t0 < 500 )) || { log "skipped $f-$frac: time"; continue; }
    file=/tmp/$f-$frac.json; scaled traces/tasksets/mixed-$f.json $(python3 -c "print(round($frac * $bound, 3))") $file
    name=$f-$frac-streams16-dm
    timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet --out $OUT/C/$name --profile $P \
      --scheduler streams --streams 16 --option stream_priorities=deadline-monotonic > $OUT/C/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/C/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/C/$name/timeline.json; cp $file $OUT/C/$name/taskset.json
  done
done
(cd "$OUT/C" && tar -cf ../C.tar . ) && rm -rf "$OUT/C"
log "C done"
ls -la "$OUT"
