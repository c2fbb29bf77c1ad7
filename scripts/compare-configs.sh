#!/usr/bin/env bash
# Measures which model config gives the best model per CPU-minute: trains each candidate on real
# MNIST for the same minutes on one thread (one thread is what a busy machine reliably gives; run
# it on an otherwise idle one for clean numbers), then evaluates where it stopped on the test split
# and samples a 0-9 grid to look at.
#   scripts/compare-configs.sh [MINUTES] [OUT_DIR]
set -euo pipefail
minutes=${1:-5}
out=${2:-/tmp/pixelmix-compare}
cli=$(cd "$(dirname "$0")/.." && pwd)/build/app/pixelmix-cli
mkdir -p "$out"
# name: channels layers kernel
candidates=(
  "c32-l6-k5: 32 6 5"
  "c48-l6-k5: 48 6 5"
  "c64-l8-k3: 64 8 3"
  "c32-l8-k3: 32 8 3"
)
printf '%-12s %14s %20s %10s\n' config "test bits/dim" "trained" "images/s"
for candidate in "${candidates[@]}"; do
  name=${candidate%%:*}
  read -r channels layers kernel <<<"${candidate#*:}"
  rm -rf "${out:?}/$name"
  "$cli" train --dataset mnist --out "$out/$name" --minutes "$minutes" --channels "$channels" \
    --layers "$layers" --kernel "$kernel" --seed 1 --threads 1 >"$out/$name.log" 2>&1
  bits=$("$cli" eval --model "$out/$name/last.pt" --json | sed -n 's/.*"bitsPerDim": \([0-9.]*\).*/\1/p')
  epochs=$(sed -n -e 's/^stopped in epoch \([0-9]*\) after \([0-9]*\) of.*/\1 (\2 batches)/p' \
    -e 's/^stopped after epoch \([0-9]*\),.*/\1/p' "$out/$name.log")
  speed=$(grep -o '[0-9]* img/s' "$out/$name.log" | tail -1 | cut -d' ' -f1)
  "$cli" sample --model "$out/$name/last.pt" --out "$out/$name-grid.png" --seed 1 >/dev/null 2>&1
  printf '%-12s %14s %20s %10s\n' "$name" "$bits" "$epochs" "$speed"
done
