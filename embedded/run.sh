#!/usr/bin/env bash
# Build the host reference and the firmware for each target, run the firmware
# under QEMU (semihosting), and require its output to equal the host's bit for
# bit (the `stack_high_water_bytes` line is reported, not compared).
#
#   embedded/run.sh [--only TARGET]...      (tools: embedded/install-tools.sh)
#
# Env: HOST_CARGO (default: cargo) builds the reference; the firmware is built
# with Debian's /usr/bin/cargo + /usr/bin/rustc and -Zbuild-std=core.
# QEMU_TIMEOUT (default 60) seconds per run.
set -euo pipefail
cd "$(dirname "$0")"

ALL_TARGETS=(thumbv6m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf riscv32imac-unknown-none-elf)
SEMI=(-semihosting-config enable=on,target=native,chardev=semi)

qemu_for() { # target -> QEMU command line (machine only)
  case "$1" in
    thumbv6m-none-eabi)           echo "qemu-system-arm -machine microbit" ;;
    thumbv7em-none-eabihf)        echo "qemu-system-arm -machine mps2-an386" ;;
    thumbv8m.main-none-eabihf)    echo "qemu-system-arm -machine mps2-an505" ;;
    riscv32imac-unknown-none-elf) echo "qemu-system-riscv32 -machine virt -bios none" ;;
    *) return 1 ;;
  esac
}

targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) qemu_for "${2:-}" >/dev/null || { echo "run.sh: unknown target '${2:-}' (one of: ${ALL_TARGETS[*]})" >&2; exit 2; }
            targets+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

for tool in /usr/bin/cargo /usr/bin/rustc ld.lld-22 qemu-system-arm qemu-system-riscv32 size; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool missing; run embedded/install-tools.sh" >&2; exit 1; }
done

OUT=target/qemu
mkdir -p "$OUT"

# One firmware image per loss family (a cargo feature of this crate each), so that each
# image fits the Cortex-M0's 256 KiB of flash however many families there are.
FAMILIES=(regression atomistic classification spectra probabilistic)

failed=0
for fam in "${FAMILIES[@]}"; do
  echo "== $fam: host reference"
  ${HOST_CARGO:-cargo} build --release --quiet --no-default-features --features "$fam"
  ./target/release/losskit-embedded > "$OUT/host-$fam.txt"

  echo "== $fam: firmware for ${targets[*]}"
  target_args=()
  for t in "${targets[@]}"; do target_args+=(--target "$t"); done
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release --quiet \
    -Zbuild-std=core --no-default-features --features "$fam" "${target_args[@]}"

  for t in "${targets[@]}"; do
    elf=$OUT/$fam-$t.elf
    cp "target/$t/release/losskit-embedded" "$elf"
    out=$OUT/$fam-$t.txt log=$OUT/$fam-$t.log diff=$OUT/$fam-$t.diff
    rm -f "$out"
    rc=0
    # shellcheck disable=SC2046 # qemu_for's words are meant to split
    timeout "${QEMU_TIMEOUT:-60}" $(qemu_for "$t") -nodefaults -display none -net none \
      -chardev file,id=semi,path="$out" "${SEMI[@]}" -kernel "$elf" </dev/null >"$log" 2>&1 || rc=$?
    flash=$(size "$elf" | awk 'NR == 2 { print $1 + $2 }')
    stack=$(awk '/^stack_high_water_bytes / { print $2 }' "$out" 2>/dev/null || true)
    touch "$out"
    if [ "$rc" -eq 124 ]; then
      status="FAIL (timeout after ${QEMU_TIMEOUT:-60}s)"
    elif [ "$rc" -ne 0 ]; then
      status="FAIL (qemu exit $rc: panic, fault or semihosting error)"
    elif ! diff -u "$OUT/host-$fam.txt" <(grep -v '^stack_high_water_bytes ' "$out") > "$diff"; then
      status="FAIL (output differs from host, see $diff)"
    elif [ "$(wc -l < "$OUT/host-$fam.txt")" -lt 2 ]; then
      status="FAIL (the host reference printed almost nothing)"
    else
      status=PASS
    fi
    printf '%-4s %-10s %-30s %-20s flash=%s B  stack_high_water=%s B\n' "${status%% *}" "$fam" "$t" \
      "$(qemu_for "$t" | sed 's/.*-machine //')" "$flash" "${stack:-?}"
    if [ "$status" != PASS ]; then
      failed=1
      echo "     $status"; sed 's/^/     | /' "$out" "$log" "$diff" 2>/dev/null | tail -n 30
    fi
  done
done
exit $failed
