#!/usr/bin/env bash
# Installs the system packages the test suite needs, on Debian. Idempotent.
set -eux
need=()
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}"
fi
