#!/usr/bin/env bash
# CUDA checks that need no GPU: regenerates the PTX with the pinned toolchain and requires
# it to equal the committed cuda/losskit.ptx byte for byte, then has ptxas (pinned) compile
# it for every architecture losskit claims. Needs PyPI (pip) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHS=(sm_70 sm_75 sm_80 sm_86 sm_89 sm_90)
venv="${LOSSKIT_CUDA_VENV:-$PWD/target/cuda-venv}"
export LOSSKIT_CUDA_VENV="$venv"
fresh="$(mktemp -d)/losskit.ptx"
bash cuda/build_ptx.sh "$fresh"
if ! cmp -s "$fresh" cuda/losskit.ptx; then
    diff -u cuda/losskit.ptx "$fresh" | head -40 || true
    echo "cuda/losskit.ptx is stale: regenerate with 'bash cuda/build_ptx.sh' and commit it" >&2
    exit 1
fi
ptxas="$("$venv/bin/python" -c 'import os, nvidia.cuda_nvcc as m; print(os.path.join(list(m.__path__)[0], "bin", "ptxas"))')"
for arch in "${ARCHS[@]}"; do
    "$ptxas" -arch="$arch" cuda/losskit.ptx -o /dev/null
    echo "ptxas $arch: ok"
done
echo "cuda-check: the committed PTX is fresh and compiles for ${ARCHS[*]}"
