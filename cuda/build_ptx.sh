#!/usr/bin/env bash
# Regenerates cuda/losskit.ptx (committed, embedded in the crate with include_str!) from
# cuda/*.cu with NVRTC from the pinned PyPI wheel, through cuda/nvrtc_ptx.py.
#
#   bash cuda/build_ptx.sh            # writes cuda/losskit.ptx
#   bash cuda/build_ptx.sh OUT.ptx    # writes elsewhere (CI compares it with the committed file)
#
# Toolchain (pinned; the versions are part of the output's identity):
#   nvidia-cuda-nvrtc-cu12==12.6.85   NVRTC: CUDA C++ -> PTX (needs no host compiler, no headers)
#   nvidia-cuda-nvcc-cu12==12.6.85    ptxas, used by .ci/cuda-check.sh to validate the PTX
# (The nvcc wheel ships ptxas, libnvvm and libdevice but not the nvcc driver itself, which
# is why NVRTC does the compiling.) The wheels are installed into a virtual environment,
# by default target/cuda-venv; set LOSSKIT_CUDA_VENV to use another, or LOSSKIT_CUDA_PYTHON
# to use a Python that already has the wheels.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${1:-$here/losskit.ptx}"
NVRTC_WHEEL="nvidia-cuda-nvrtc-cu12==12.6.85"
NVCC_WHEEL="nvidia-cuda-nvcc-cu12==12.6.85"

if [ -n "${LOSSKIT_CUDA_PYTHON:-}" ]; then
    py="$LOSSKIT_CUDA_PYTHON"
else
    venv="${LOSSKIT_CUDA_VENV:-$root/target/cuda-venv}"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    py="$venv/bin/python"
    if ! "$py" -c 'import nvidia.cuda_nvrtc, nvidia.cuda_nvcc' 2>/dev/null; then
        # LOSSKIT_WHEEL_DIR: a folder of already downloaded wheels (offline installs).
        if [ -n "${LOSSKIT_WHEEL_DIR:-}" ]; then
            "$py" -m pip install -q --no-index --find-links "$LOSSKIT_WHEEL_DIR" "$NVRTC_WHEEL" "$NVCC_WHEEL"
        else
            "$py" -m pip install -q "$NVRTC_WHEEL" "$NVCC_WHEEL"
        fi
    fi
fi
"$py" "$here/nvrtc_ptx.py" "$here/losskit.cu" "$out"
echo "wrote $out"
