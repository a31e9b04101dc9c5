#!/usr/bin/env bash
# Call 1 of the twenty-seventh session (run from the repository root as `bash tools/device_call_27a.sh`), branching on the card.
#   H200: a kernel report at 8 and 132 SMs with UNet (the fill share weights), then the waiting family call.
#   other (H100): closed loops of three models under deadline-monotonic stream priorities at 3, 6 and 12
#         streams, in configurations no earlier call measured: out-of-sample data for a priority rule
#         fitted on the twenty-sixth session's pairs and crowds.
set -uo pipefail
card="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "card: $card"; nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/card.txt"
t0=$SECONDS; root="$(pwd)"
source tools/gpu_build_env.sh
build=/tmp/sgprs-build-policy
configure_sgprs $build > /tmp/build27.log 2>&1 && cmake --build $build -j "$(nproc)" --target sgprs >> /tmp/build27.log 2>&1 \
  || { echo "build failed"; tail -20 /tmp/build27.log; exit 1; }
echo "built at +$((SECONDS-t0)) s"
if [[ "$card" == *H200* ]]; then
  mkdir -p /tmp/k27 $OUT/families
  timeout 90 $build/sgprs profile --models all --ops none --precision tf32 --no-occupied --sms 8,132 --quiet \
    --kernel-report /tmp/k27/h200-kernels-tf32.json --out /tmp/k27/h200-tf32-kernels.json 2>&1 | tail -2
  tar -cJf $OUT/kernels.tar.xz -C /tmp/k27 .
  echo "kernel report at +$((SECONDS-t0)) s"
  OUT=$OUT/families BUILD=$build PARTS=families FAMILIES="tight deadlines" SCHEDULERS="streams32-dm sgprs-best-mold-pm-chain" \
    FAMILY_FRACTIONS="0.6 0.65 0.7 0.75" BOUNDS="tight=1.299 camera=1.447 heavy=1.452 deadlines=4.338" \
    NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=$((500 - (SECONDS - t0))) bash tools/gpu_card_session.sh 2>&1 | tail -14
else
  mkdir -p $OUT/priority-triples
  OUT=$OUT/priority-triples SGPRS=$build/sgprs SKIP_VALIDATION=1 SKIP_PARTITIONS=1 CALIBRATION_STREAMS="3 6 12" \
    CALIBRATION_PRIORITIES=1 LIVE_ARGS="--profile traces/profiles/h100-tf32.json" BUDGET=$((420 - (SECONDS - t0))) \
    CALIBRATION_MODELS="mobilenet_v2+resnet50+unet unet+resnet50+mobilenet_v2 resnet18+inception_v3+vit_b16 vit_b16+inception_v3+resnet18 inception_v3+unet+mobilenet_v2" \
    bash tools/gpu_validation_session.sh 2>&1 | tail -4
fi
echo "done at +$((SECONDS-t0)) s"
