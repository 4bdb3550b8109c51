"""Compiles a CUDA C++ file to PTX with NVRTC, through ctypes (no nvcc, no host compiler).

Usage: python3 nvrtc_ptx.py SOURCE.cu OUTPUT.ptx

NVRTC comes from the pinned PyPI wheel nvidia-cuda-nvrtc-cu12 (see build_ptx.sh); its
library is found through the installed `nvidia.cuda_nvrtc` package, or LOSSKIT_NVRTC=path.
The output depends only on the sources, the options below and the NVRTC version, so it is
byte-for-byte reproducible.
"""
import ctypes
import os
import re
import sys

# compute_70 PTX: the driver JIT-compiles it for Volta and every later GPU.
OPTIONS = [
    "--gpu-architecture=compute_70",
    "--std=c++17",
    # No contraction of a*b+c into fma: the per-element arithmetic matches the CPU's.
    "--fmad=false",
    # IEEE division and square root, denormals kept (NVRTC's defaults, stated).
    "--prec-div=true",
    "--prec-sqrt=true",
    "--ftz=false",
]

# The PTX ISA version NVRTC 12.6 writes is 8.5, which only drivers of CUDA 12.6 or later
# accept. The kernels use nothing newer than ISA 7.0 (CUDA 11.0), so the directive is
# lowered to 7.0; .ci/cuda-check.sh has ptxas validate the lowered file for every
# architecture we claim.
PTX_ISA = "7.0"


def nvrtc_library():
    explicit = os.environ.get("LOSSKIT_NVRTC")
    if explicit:
        return explicit
    import nvidia.cuda_nvrtc  # the pinned wheel

    lib_dir = os.path.join(list(nvidia.cuda_nvrtc.__path__)[0], "lib")
    for name in sorted(os.listdir(lib_dir)):
        if name.startswith("libnvrtc.so"):
            return os.path.join(lib_dir, name)
    raise SystemExit(f"libnvrtc.so not found in {lib_dir}")


def check(lib, rc, what, prog=None):
    if rc != 0:
        msg = ctypes.c_char_p(lib.nvrtcGetErrorString(rc)).value.decode()
        log = ""
        if prog is not None:
            size = ctypes.c_size_t()
            lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
            buf = ctypes.create_string_buffer(size.value)
            lib.nvrtcGetProgramLog(prog, buf)
            log = buf.value.decode(errors="replace")
        raise SystemExit(f"{what} failed: {msg}\n{log}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src_path, out_path = sys.argv[1], sys.argv[2]
    lib = ctypes.CDLL(nvrtc_library())
    lib.nvrtcGetErrorString.restype = ctypes.c_void_p
    with open(src_path, "rb") as f:
        source = f.read()
    include_dir = os.path.dirname(os.path.abspath(src_path))
    prog = ctypes.c_void_p()
    # The program's name is fixed (not the path), so the output does not depend on where
    # the checkout lives.
    check(lib, lib.nvrtcCreateProgram(ctypes.byref(prog), source, b"losskit.cu", 0, None, None),
          "nvrtcCreateProgram")
    opts = [o.encode() for o in OPTIONS] + [f"--include-path={include_dir}".encode()]
    arr = (ctypes.c_char_p * len(opts))(*opts)
    check(lib, lib.nvrtcCompileProgram(prog, len(opts), arr), "nvrtcCompileProgram", prog)
    size = ctypes.c_size_t()
    check(lib, lib.nvrtcGetPTXSize(prog, ctypes.byref(size)), "nvrtcGetPTXSize")
    buf = ctypes.create_string_buffer(size.value)
    check(lib, lib.nvrtcGetPTX(prog, buf), "nvrtcGetPTX")
    lib.nvrtcDestroyProgram(ctypes.byref(prog))
    ptx = buf.value.decode()
    ptx, count = re.subn(r"^\.version \d+\.\d+$", f".version {PTX_ISA}", ptx, count=1, flags=re.M)
    if count != 1:
        raise SystemExit("no .version directive in the PTX")
    with open(out_path, "w", newline="\n") as f:
        f.write(ptx)


if __name__ == "__main__":
    main()
