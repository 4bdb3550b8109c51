#!/usr/bin/env bash
# Install what embedded/run.sh needs, with apt-get (Debian bookworm, as root or
# via sudo). Idempotent and non-interactive.
#   rustc-web cargo-web rust-web-src : rustc/cargo 1.96 + library sources for -Zbuild-std=core
#   lld-22                           : the linker (.cargo/config.toml names ld.lld-22)
#   binutils                         : `size`, for the flash report
#   qemu-system-arm + RISC-V QEMU    : microbit, mps2-an386, mps2-an505; riscv32 virt
# This machine kind ships qemu-utils 10 from bookworm-backports, which Breaks
# bookworm's qemu-system-common 7.2; QEMU then comes from backports too, where
# riscv32 is in qemu-system-riscv (in 7.2 it is in qemu-system-misc).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo

QEMU_FROM=()
QEMU_PKGS=(qemu-system-arm qemu-system-misc)
if dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null | grep -q '~bpo12'; then
  QEMU_FROM=(-t bookworm-backports)
  QEMU_PKGS=(qemu-system-arm qemu-system-riscv)
fi
PKGS=(rustc-web cargo-web rust-web-src lld-22 binutils)

installed() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}
if installed "${PKGS[@]}" "${QEMU_PKGS[@]}"; then
  echo "install-tools: everything is installed"; exit 0
fi

apt_get() { # another process may hold the dpkg lock: wait for it, then retry
  local i
  for i in 1 2 3 4 5; do
    $SUDO apt-get -o DPkg::Lock::Timeout=300 -y -q "$@" && return 0
    echo "install-tools: apt-get $1 failed (try $i), retrying in 15s" >&2; sleep 15
  done
  return 1
}

if [ ${#QEMU_FROM[@]} -gt 0 ] && ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
    'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
fi
apt_get update
apt_get install --no-install-recommends "${PKGS[@]}"
apt_get install --no-install-recommends "${QEMU_FROM[@]}" "${QEMU_PKGS[@]}"

/usr/bin/rustc --version
ld.lld-22 --version
qemu-system-arm --version | head -n 1
qemu-system-riscv32 --version | head -n 1
