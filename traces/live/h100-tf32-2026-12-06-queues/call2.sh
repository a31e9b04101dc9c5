#!/usr/bin/env bash
# Call 2 of the thirtieth session (call 1's build), in two parts, each packed as it ends:
#   A. more of the queues' rule: does r(Q), the mean units running at once with more streams busy than run,
#      depend on the models or on the contexts? Closed loops of ResNet-18 alone on 32 whole-GPU streams at
#      Q = 8, 16, 32; the six models in turn on 32 streams at Q = 4 and 24; one context (naive on full,
#      32 slots) at Q = 16 and 32.
#   C. call 1's part C again (its archive came back too big, 36 MB, and was left on the machine): DM
#      streams-16 at the tight and deadlines families' edges, each run's folder xz-packed.
# Call 1's header, for what the parts were:
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
python3 -c "
import json
base = json.load(open('$in/closed32-mixed-dm.json'))
json.dump(base, open('/tmp/closed32-mixed.json', 'w'))
res = [dict(base['tasks'][0], name='res' + str(i)) for i in range(32)]
json.dump(dict(base, tasks=res, name='resnet18-10000hz-32'), open('/tmp/closed32-resnet18.json', 'w'))"
mkdir -p $OUT/A/runs
loop() {  # NAME QUEUES TASKSET ARGS...
  local name=$1 q=$2 t=$3; shift 3
  CUDA_DEVICE_MAX_CONNECTIONS=$q timeout -k 5 60 $build/sgprs live --taskset /tmp/closed32-$t.json --layout full \
    --duration 0.5 --quiet --out "$OUT/A/runs/$name" --overrun release-late --allow-deadline-over-period --profile $P "$@" \
    > "$OUT/A/stdout-$name.txt" 2>&1
  echo "$name rc $? $(grep -E '^total' "$OUT/A/stdout-$name.txt" | sed 's/.*aborted; //')"
  rm -f "$OUT/A/runs/$name/timeline.json"
}
for q in 8 16 32; do loop resnet18-streams32-q$q $q resnet18 --scheduler streams --streams 32; done
for q in 4 24; do loop streams32-q$q $q mixed --scheduler streams --streams 32; done
for q in 16 32; do loop one-context32-q$q $q mixed --scheduler naive --max-parallel 32; done
log "A done"
python3 tools/start_waits.py $(ls -d "$OUT"/A/runs/* | sort -V) > "$OUT/start-waits.md" 2>&1; cat "$OUT/start-waits.md"
python3 tools/fit_running_limit.py $(ls -d "$OUT"/A/runs/* | sort -V) 2>&1 | tee "$OUT/running-limit.md"
(cd "$OUT/A" && tar -cJf ../A.tar.xz . ) && rm -rf "$OUT/A"
log "A packed"
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
    (( SECONDS - t0 < 400 )) || { log "skipped $f-$frac: time"; continue; }
    file=/tmp/$f-$frac.json; scaled traces/tasksets/mixed-$f.json $(python3 -c "print(round($frac * $bound, 3))") $file
    name=$f-$frac-streams16-dm
    timeout -k 5 60 $build/sgprs live --taskset $file --layout full --duration 2 --quiet --out $OUT/C/$name --profile $P \
      --scheduler streams --streams 16 --option stream_priorities=deadline-monotonic > $OUT/C/stdout-$name.txt 2>&1
    echo "$name rc $? $(grep -E '^total' $OUT/C/stdout-$name.txt | sed 's/.*aborted; //')"
    rm -f $OUT/C/$name/timeline.json; cp $file $OUT/C/$name/taskset.json; xz -T4 $OUT/C/$name/events.jsonl
  done
done
(cd "$OUT/C" && tar -cf ../C.tar . ) && rm -rf "$OUT/C"; du -sh $OUT/C.tar
log "C done"
ls -la "$OUT"
