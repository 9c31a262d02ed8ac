#!/usr/bin/env bash
# Builds gemm.c and runs it beside our GEMM at the same sizes (default 512 1024): GFLOP/s on one
# thread and a checksum of C's bits, equal when the summation orders are. Not run in CI.
# Usage: bench/native/run.sh [sizes…]   (needs gcc; run `npm run build:wasm` first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../out/native"
mkdir -p "$out"
gcc -O3 -msse4.2 -ffp-contract=off -o "$out/gemm" "$here/gemm.c"
for size in "${@:-512 1024}"; do
  for s in $size; do
    "$out/gemm" "$s"
    npx tsx "$here/compare.ts" "$s"
  done
done
