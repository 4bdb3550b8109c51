#!/usr/bin/env bash
# Builds the host CUDA emulator: a fake libcuda.so.1 that runs the kernels of cuda/*.cu
# (compiled unchanged by g++) on the CPU. See docs/cuda.md, "Running the kernels without a
# GPU: the host emulator".
#
#   bash cuda/emulator/build.sh          # writes target/cuda-emu/libcuda.so.1
#   bash cuda/emulator/build.sh OUTDIR   # writes OUTDIR/libcuda.so.1
# (and OUTDIR/selftest, the emulator's self-test, which test.sh runs).
#
# -ffp-contract=off: no a*b+c is fused into an FMA, as in the PTX (NVRTC --fmad=false).
#
# __shared__ variables are statics placed in the section lkemu_shared (device.h), which the
# runtime poisons before each block. g++ ignores that section for statics of template
# functions (it gives them COMDAT sections .bss._ZZ...), so those sections of the kernels'
# object are renamed with objcopy; the kernels have no other function-local statics. The
# check at the end fails the build if any of them is left outside lkemu_shared.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
out="${1:-$root/target/cuda-emu}"
mkdir -p "$out"
CXX="${CXX:-g++}"
flags=(-std=c++17 -O2 -g -fPIC -ffp-contract=off -fno-fast-math -Wall -Wextra)
obj="$(mktemp -d)"
trap 'rm -rf "$obj"' EXIT
"$CXX" "${flags[@]}" -c "$here/kernels.cpp" -o "$obj/kernels0.o"
rename=()
for sec in $(objdump -h "$obj/kernels0.o" | awk '{print $2}' | grep -E '^\.(bss|data)\._ZZ' || true); do
    rename+=(--rename-section "$sec=lkemu_shared,alloc,load,contents,data")
done
objcopy "${rename[@]}" "$obj/kernels0.o" "$obj/kernels.o"
test -s "$obj/kernels.o"
"$CXX" "${flags[@]}" -c "$here/runtime.cpp" -o "$obj/runtime.o"
"$CXX" "${flags[@]}" -c "$here/driver.cpp" -o "$obj/driver.o"
"$CXX" "${flags[@]}" -c "$here/stubs.cpp" -o "$obj/stubs.o"
"$CXX" -shared -Wl,-soname,libcuda.so.1 -Wl,-z,defs -o "$out/libcuda.so.1.tmp" \
    "$obj/kernels.o" "$obj/runtime.o" "$obj/driver.o" "$obj/stubs.o" -lm -lpthread
# Every function-local static of the kernels (the __shared__ arrays) must be in lkemu_shared.
stray="$(objdump -t "$out/libcuda.so.1.tmp" | awk '$NF ~ /^_ZZ/ && $NF !~ /^_ZZN5lkemu|^_ZZN12_GLOBAL__N_1/ && $4 != "lkemu_shared" {print $NF}')"
if [ -n "$stray" ] || ! objdump -h "$out/libcuda.so.1.tmp" | grep " lkemu_shared " >/dev/null; then
    echo "build.sh: __shared__ variables outside the lkemu_shared section: ${stray:-no section}" >&2
    exit 1
fi
# The emulator's self-test (selftest.cpp), statically linked with the same objects.
"$CXX" "${flags[@]}" -c "$here/selftest.cpp" -o "$obj/selftest.o"
"$CXX" -o "$out/selftest" "$obj/selftest.o" "$obj/kernels.o" "$obj/runtime.o" "$obj/driver.o" "$obj/stubs.o" \
    -lm -lpthread
mv "$out/libcuda.so.1.tmp" "$out/libcuda.so.1"
ln -sf libcuda.so.1 "$out/libcuda.so"
echo "built $out/libcuda.so.1"
