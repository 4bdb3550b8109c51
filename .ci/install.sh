#!/usr/bin/env bash
# Installs the system packages the test suite needs, on Debian. Idempotent.
set -eux
cd "$(dirname "$0")/.."
need=()
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}"
fi
# C++/Fortran compilers, CMake, pkg-config and OpenMPI for the interop tests.
bash .ci/install-interop.sh
# Cross toolchain and QEMU for the firmware test (embedded/).
bash embedded/install-tools.sh
