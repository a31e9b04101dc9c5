#!/usr/bin/env bash
# Call 3 of the twenty-sixth session (run from the repository root as `bash tools/device_call_26b.sh`; kept here as call3.sh).
#   On an H200: first a kernel report at 8 and 132 SMs with UNet (the fill share weights on the H200).
#   On any card: closed loops under deadline-monotonic stream priorities with more than one stream per
#   model: the six models in turn and four pairs, at 2 to 16 streams, to see how the priority split
#   changes with the number of more urgent streams (call 1 had one or two per model).
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
card="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "card: $card"; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/card.txt"
t0=$SECONDS
root="$(pwd)"; log() { echo "[call26b] $*"; }
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-validation
configure_sgprs $build > /tmp/build26.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build26.log 2>&1 \
  || { echo "build failed"; tail -20 /tmp/build26.log; exit 1; }
echo "built at +$((SECONDS-t0)) s"
P="--profile traces/profiles/h100-tf32.json"
if [[ "$card" == *H200* ]]; then
  P=""; mkdir -p /tmp/k26
  timeout 90 $build/sgprs profile --models all --ops none --precision tf32 --no-occupied --sms 8,132 --quiet \
    --kernel-report /tmp/k26/h200-kernels-tf32.json --out /tmp/k26/h200-tf32-kernels.json 2>&1 | tail -2
  tar -cJf $OUT/kernels.tar.xz -C /tmp/k26 .
  echo "kernel report at +$((SECONDS-t0)) s"
fi
mkdir -p $OUT/priority-crowds
OUT=$OUT/priority-crowds SGPRS=$build/sgprs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_STREAMS="2 4 6 8 12 16" \
  CALIBRATION_PRIORITIES=1 LIVE_ARGS="$P" BUDGET=$((520 - (SECONDS - t0))) \
  CALIBRATION_MODELS="mixed unet+resnet18 resnet18+unet vit_b16+mobilenet_v2 mobilenet_v2+vit_b16" \
  bash tools/gpu_validation_session.sh 2>&1 | tail -4
echo "done at +$((SECONDS-t0)) s"
