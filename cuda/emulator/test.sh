#!/usr/bin/env bash
# Builds the host CUDA emulator and runs the GPU tests on it: tests/cuda.rs and the C ABI's
# CUDA tests, with the fake libcuda.so.1 first on LD_LIBRARY_PATH and LOSSKIT_REQUIRE_GPU=1
# (so a test that would skip fails instead), once with the threads of each block run in
# forward order and once in reverse (LOSSKIT_CUDA_EMU_ORDER). Not a GPU run: see
# docs/cuda.md, "Running the kernels without a GPU: the host emulator".
#
#   bash cuda/emulator/test.sh            # forward and reverse
#   LOSSKIT_CUDA_EMU_ORDERS="random" LOSSKIT_CUDA_EMU_SEED=7 bash cuda/emulator/test.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
cd "$root"
lib="$root/target/cuda-emu"
bash "$here/build.sh" "$lib"
# The emulator's checks must be able to fail (divergent barriers, warp misuse, races, PTX
# drift, writes past an allocation).
"$lib/selftest" "$root/cuda/losskit.ptx"
# Build the test binaries first, so that the timed runs below are only the tests.
cargo test -p losskit --features cuda --test cuda --no-run
cargo test -p losskit-capi --features cuda --lib --no-run
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LOSSKIT_REQUIRE_GPU=1
for order in ${LOSSKIT_CUDA_EMU_ORDERS:-forward reverse}; do
    echo "== host emulator, thread order: $order"
    export LOSSKIT_CUDA_EMU_ORDER="$order"
    cargo test -p losskit --features cuda --test cuda
    cargo test -p losskit-capi --features cuda --lib cuda
done
echo "cuda/emulator/test.sh: the CUDA tests pass on the host emulator (${LOSSKIT_CUDA_EMU_ORDERS:-forward reverse})"
