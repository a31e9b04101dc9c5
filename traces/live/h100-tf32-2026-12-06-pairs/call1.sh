#!/usr/bin/env bash
# Call 1 of the twenty-fifth session (run from the repository root as `bash tools/device_call_25.sh`; kept here as
# call1.sh): the call that waited since the twenty-fourth session (docs/live.md), branching on the card.
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
card="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "card: $card"; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/card.txt"
t0=$SECONDS
if [[ "$card" == *H100* ]]; then
  P="--profile traces/profiles/h100-tf32.json"; M=(resnet18 mobilenet_v2 resnet50 inception_v3 vit_b16 unet)
  PAIRS=$(for i in 0 1 2 3 4 5; do for j in $(seq $((i+1)) 5); do printf '%s ' ${M[$i]}+${M[$j]}; done; done)
  mkdir -p $OUT/pairs $OUT/profiles $OUT/dm
  OUT=$OUT/pairs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_STREAMS="2 4" LIVE_ARGS="$P" \
    CALIBRATION_MODELS="$PAIRS" BUDGET=190 bash tools/gpu_validation_session.sh 2>&1 | tail -5
  echo "pairs done at +$((SECONDS-t0)) s"
  S=/tmp/sgprs-build-validation/sgprs
  for tag in cold warm; do
    flag=""; [[ $tag == cold ]] && flag="--flush-l2"
    timeout 75 $S profile --models all --ops none --precision tf32 --no-occupied $flag --quiet --out $OUT/profiles/h100-tf32-$tag-1.json 2>&1 | tail -2
    echo "profile $tag done at +$((SECONDS-t0)) s"
  done
  timeout 70 $S profile --models all --ops none --precision tf32 --no-occupied --sms 8,132 --quiet \
    --kernel-report $OUT/profiles/h100-kernels-tf32.json --out $OUT/profiles/h100-tf32-kernels.json 2>&1 | tail -2
  echo "kernel report done at +$((SECONDS-t0)) s"
  left=$((560 - (SECONDS - t0)))
  [[ $left -gt 60 ]] && OUT=$OUT/dm BUILD=/tmp/sgprs-build-validation PARTS=families FAMILIES="tight deadlines" \
    SCHEDULERS="streams16-dm streams32-dm" FAMILY_FRACTIONS="0.5 0.55 0.6 0.65" \
    BOUNDS="tight=1.301 camera=1.451 heavy=1.454 deadlines=4.346" NO_GPU_TIMES=1 LIVE_ARGS="$P" \
    NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=$left bash tools/gpu_policy_session.sh 2>&1 | tail -8
else
  mkdir -p $OUT/families
  OUT=$OUT/families PARTS=families FAMILIES="tight deadlines" SCHEDULERS="streams32-dm sgprs-best-mold-pm-chain" \
    FAMILY_FRACTIONS="0.55 0.6 0.65 0.7 0.75" BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" \
    NO_TORCH=1 BUDGET=500 bash tools/gpu_card_session.sh 2>&1 | tail -12
fi
echo "done at +$((SECONDS-t0)) s"
