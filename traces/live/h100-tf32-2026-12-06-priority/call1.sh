#!/usr/bin/env bash
# Call 1 of the twenty-sixth session (run from the repository root as `bash tools/device_call_26.sh`; kept here as call1.sh), branching on the card.
#   H200: the call that waited since the twenty-fifth session (docs/live.md), then a kernel report at 8 and
#         132 SMs with UNet (the fill share weights on the H200, tools/fill_share_weights.py).
#   other (H100): closed loops of the 15 pairs of models in both orders under deadline-monotonic stream
#         priorities, at 2 and 4 streams: how the block scheduler splits the GPU between two priorities.
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
card="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "card: $card"; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/card.txt"
t0=$SECONDS
if [[ "$card" == *H200* ]]; then
  mkdir -p $OUT/families /tmp/k26
  OUT=$OUT/families PARTS=families FAMILIES="tight deadlines" SCHEDULERS="streams32-dm sgprs-best-mold-pm-chain" \
    FAMILY_FRACTIONS="0.6 0.65 0.7 0.75" BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" \
    NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=430 BUILD=/tmp/sgprs-build-policy bash tools/gpu_card_session.sh 2>&1 | tail -12
  echo "families done at +$((SECONDS-t0)) s"
  timeout 80 /tmp/sgprs-build-policy/sgprs profile --models all --ops none --precision tf32 --no-occupied --sms 8,132 --quiet \
    --kernel-report /tmp/k26/h200-kernels-tf32.json --out /tmp/k26/h200-tf32-kernels.json 2>&1 | tail -2
  tar -cJf $OUT/kernels.tar.xz -C /tmp/k26 .
else
  M=(resnet18 mobilenet_v2 resnet50 inception_v3 vit_b16 unet)
  PAIRS=$(for i in 0 1 2 3 4 5; do for j in 0 1 2 3 4 5; do [[ $i != $j ]] && printf '%s ' ${M[$i]}+${M[$j]}; done; done)
  mkdir -p $OUT/priority-pairs
  OUT=$OUT/priority-pairs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_STREAMS="2 4" CALIBRATION_PRIORITIES=1 \
    LIVE_ARGS="--profile traces/profiles/h100-tf32.json" CALIBRATION_MODELS="$PAIRS" BUDGET=500 \
    bash tools/gpu_validation_session.sh 2>&1 | tail -5
fi
echo "done at +$((SECONDS-t0)) s"
