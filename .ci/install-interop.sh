#!/bin/sh
# Installs the tools the interop tests use (capi/tests/{fortran,cpp,install,parallel,docs}.rs):
# gfortran, g++, cmake, pkg-config and OpenMPI. Idempotent: installs only what is missing.
# Run the tests with LOSSKIT_REQUIRE_ALL=1 in CI so that a missing tool fails instead of skipping.
set -eu
missing=""
for pkg in gfortran g++ cmake pkg-config libopenmpi-dev openmpi-bin; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
if [ -z "$missing" ]; then
    echo "interop tools already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
$SUDO apt-get update
# shellcheck disable=SC2086 # the package list is meant to split
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
