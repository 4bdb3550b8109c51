#!/bin/sh
# Builds the C library and installs it into PREFIX:
#   PREFIX/include/losskit.h, PREFIX/include/losskit.f90       the C header, the Fortran module
#   PREFIX/lib/liblosskit.a, PREFIX/lib/liblosskit.so(.X.Y...)  the static and shared libraries
#   PREFIX/lib/pkgconfig/losskit.pc                            pkg-config --cflags --libs losskit
#   PREFIX/lib/cmake/losskit/losskitConfig{,Version}.cmake     find_package(losskit) -> losskit::losskit
#
# Usage: scripts/install.sh PREFIX
# Environment:
#   LOSSKIT_PROFILE  cargo profile to build and install (default: release)
#   LOSSKIT_LIBDIR   library directory under PREFIX (default: lib)
#   CARGO            the cargo to run (default: cargo); CARGO_TARGET_DIR is honoured
#   DESTDIR          staging directory prepended to every installed path (packaging)
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 PREFIX" >&2
    exit 2
fi
case $1 in
    /*) PREFIX=$1 ;;
    *) PREFIX=$(pwd)/$1 ;;
esac
PREFIX=${PREFIX%/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CARGO=${CARGO:-cargo}
PROFILE=${LOSSKIT_PROFILE:-release}
LIBDIR_NAME=${LOSSKIT_LIBDIR:-lib}
DESTDIR=${DESTDIR:-}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $PROFILE in
    dev | debug) OUT=$TARGET_DIR/debug; PROFILE=dev ;;
    *) OUT=$TARGET_DIR/$PROFILE ;;
esac

"$CARGO" build --manifest-path "$ROOT/Cargo.toml" -p losskit-capi --profile "$PROFILE"

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/capi/Cargo.toml" | head -n 1)
MAJOR=${VERSION%%.*}
REST=${VERSION#*.}
MINOR=${REST%%.*}
# The soname capi/build.rs gives the shared library: the minor version counts while 0.x.
if [ "$MAJOR" = 0 ]; then SOVERSION=0.$MINOR; else SOVERSION=$MAJOR; fi

INC=$DESTDIR$PREFIX/include
LIB=$DESTDIR$PREFIX/$LIBDIR_NAME
mkdir -p "$INC" "$LIB/pkgconfig" "$LIB/cmake/losskit"
cp "$ROOT/include/losskit.h" "$ROOT/include/losskit.f90" "$INC/"
cp "$OUT/liblosskit.a" "$LIB/"
SYSTEM_LIBS="-lpthread -ldl -lm"
case $(uname -s) in
    Darwin)
        cp "$OUT/liblosskit.dylib" "$LIB/"
        SYSTEM_LIBS="-lm"
        ;;
    *)
        if [ -f "$OUT/liblosskit.so" ]; then
            cp "$OUT/liblosskit.so" "$LIB/liblosskit.so.$VERSION"
            ln -sf "liblosskit.so.$VERSION" "$LIB/liblosskit.so.$SOVERSION"
            ln -sf "liblosskit.so.$SOVERSION" "$LIB/liblosskit.so"
        fi
        ;;
esac

cat > "$LIB/pkgconfig/losskit.pc" <<PC
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${prefix}/$LIBDIR_NAME
includedir=\${prefix}/include
fortran_module=\${includedir}/losskit.f90

Name: losskit
Description: Loss functions with their analytic gradients (C ABI; Fortran module in fortran_module)
Version: $VERSION
Cflags: -I\${includedir}
Libs: -L\${libdir} -llosskit
Libs.private: $SYSTEM_LIBS
PC

cp "$ROOT/cmake/losskitConfig.cmake" "$LIB/cmake/losskit/"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@SIZEOF_VOID_P@/$(getconf LONG_BIT 2>/dev/null | awk '{print $1/8}')/g" \
    "$ROOT/cmake/losskitConfigVersion.cmake.in" > "$LIB/cmake/losskit/losskitConfigVersion.cmake"

echo "installed losskit $VERSION into $DESTDIR$PREFIX"
