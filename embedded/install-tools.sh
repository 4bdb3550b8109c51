#!/usr/bin/env bash
# Install the cross toolchain and emulators for the embedded QEMU harness.
# Idempotent and non-interactive; Debian bookworm, run as root.
#   rustc-web, cargo-web, rust-web-src : rustc/cargo 1.96 + std sources (for -Zbuild-std=core)
#   lld-22                             : linker (/usr/bin/rust-lld needs it)
#   llvm-22                            : llvm-size-22 for flash sizes
#   qemu-system-arm, qemu-system-misc  : Cortex-M and RISC-V machines
# qemu-utils 10 from bookworm-backports may already be installed; it Breaks
# bookworm's qemu-system-common 7.2, so QEMU then comes from backports too.
set -euo pipefail

PKGS=(rustc-web cargo-web rust-web-src lld-22 llvm-22 qemu-system-arm qemu-system-misc)
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

have_all() {
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}
if have_all && [ -x /usr/bin/rustc ] && [ -x /usr/bin/rust-lld ]; then
  echo "install-tools: all present"; exit 0
fi

# apt/dpkg may be busy with another process: retry on lock.
apt_retry() {
  local i
  for i in $(seq 1 60); do
    if $SUDO apt-get -o DPkg::Lock::Timeout=60 "$@"; then return 0; fi
    echo "install-tools: apt-get $1 failed (try $i), retrying in 10s" >&2; sleep 10
  done
  return 1
}

QEMU_TARGET=()
if dpkg-query -W -f='${Version}' qemu-utils 2>/dev/null | grep -q 'bpo12'; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
  fi
  QEMU_TARGET=(-t bookworm-backports)
fi

apt_retry update -q
# Two steps: the Rust/LLVM packages from bookworm(-security), QEMU maybe from backports.
apt_retry install -y -q --no-install-recommends rustc-web cargo-web rust-web-src lld-22 llvm-22
apt_retry install -y -q --no-install-recommends "${QEMU_TARGET[@]}" qemu-system-arm qemu-system-misc

/usr/bin/rustc --version
/usr/bin/rust-lld -flavor gnu --version
qemu-system-arm --version | head -1
qemu-system-riscv32 --version | head -1
