#!/usr/bin/env bash
# Call 2 (run as tools/device_call_25b.sh; kept here as call2.sh), on the warm H100 of the twenty-fifth session: the profiles the first call's $OUT could not return
# (too many files), in one archive, and DM streams-32 on camera and heavy with event logs.
set -uo pipefail
cd "$(dirname "$0")/../../.."  # the repository root from traces/live/<run>/
S=/tmp/sgprs-build-validation/sgprs; P=/tmp/p25; mkdir -p $P; t0=$SECONDS
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $P/card.txt
for i in 1 2; do for tag in cold warm; do
  flag=""; [[ $tag == cold ]] && flag="--flush-l2"
  timeout 60 $S profile --models all --ops none --precision tf32 --no-occupied $flag --quiet --out $P/h100-tf32-$tag-$i.json 2>&1 | tail -1
done; done
echo "profiles at +$((SECONDS-t0)) s"
timeout 90 $S profile --models all --ops none --precision tf32 --no-occupied --sms 8,16,32,64,132 --quiet \
  --kernel-report $P/h100-kernels-tf32.json --out $P/h100-tf32-kernels.json 2>&1 | tail -1
echo "kernels at +$((SECONDS-t0)) s"
tar -cJf $OUT/profiles.tar.xz -C $P .
OUT=$OUT BUILD=/tmp/sgprs-build-validation PARTS=families FAMILIES="camera heavy" SCHEDULERS="streams32-dm" \
  FAMILY_FRACTIONS="0.55 0.6 0.65 0.7" BOUNDS="tight=1.301 camera=1.451 heavy=1.454 deadlines=4.346" NO_GPU_TIMES=1 \
  LIVE_ARGS="--profile traces/profiles/h100-tf32.json" NO_TORCH=1 RUN_TIMEOUT=40 ARCHIVE_MIB=14 BUDGET=150 \
  bash tools/gpu_policy_session.sh 2>&1 | tail -9
echo "done at +$((SECONDS-t0)) s"
