// The CUDA device dialect as plain C++ for the host emulator: the kernels of cuda/*.cu are
// compiled unchanged by g++ with this header in front of them (kernels.cpp).
//
// Every CUDA thread of a block is a fiber of runtime.cpp; threadIdx reads the running
// fiber's index, __syncthreads / __syncwarp / __shfl_*_sync hand control back to the
// scheduler, which releases a barrier only when every thread that must take part has
// reached the same one (and aborts with a message otherwise). __shared__ variables are
// statics in one linker section, poisoned (all bits set: NaN for floating point) before each
// block runs, so a read of shared memory that no thread of the block wrote shows up.
//
// Arithmetic: built with -ffp-contract=off, so a*b+c is two roundings as in the PTX
// (compiled with --fmad=false). The math functions are the host libm's, which differ from
// CUDA's in the last bits; nothing here claims bit-equality with a GPU.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

namespace lkemu {

struct dim3 {
    unsigned x, y, z;
};

struct Fiber;
extern Fiber *current;
extern dim3 block_idx, block_dim, grid_dim;
const dim3 &thread_idx();

void syncthreads(const char *file, int line);
void syncwarp(unsigned mask, const char *file, int line);
// op: 1 = shfl_down, 2 = shfl (indexed), 3 = shfl_up, 4 = shfl_xor.
uint64_t shuffle(int op, unsigned mask, uint64_t bits, unsigned arg, int width, unsigned size,
                 const char *file, int line);

template <typename T>
inline T shuffle_t(int op, unsigned mask, T v, unsigned arg, int width, const char *file, int line) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
    uint64_t b = 0;
    memcpy(&b, &v, sizeof(T));
    b = shuffle(op, mask, b, arg, width, sizeof(T), file, line);
    T r;
    memcpy(&r, &b, sizeof(T));
    return r;
}

inline float int_as_float(int i) {
    float f;
    memcpy(&f, &i, 4);
    return f;
}
inline double longlong_as_double(long long i) {
    double d;
    memcpy(&d, &i, 8);
    return d;
}

}  // namespace lkemu

#define __device__
#define __global__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
// All shared variables in one section, so the runtime can poison them between blocks.
#define __shared__ static __attribute__((section("lkemu_shared")))

#define threadIdx (lkemu::thread_idx())
#define blockIdx (lkemu::block_idx)
#define blockDim (lkemu::block_dim)
#define gridDim (lkemu::grid_dim)
#define warpSize 32

#define __syncthreads() lkemu::syncthreads(__FILE__, __LINE__)
#define __syncwarp(...) lkemu::syncwarp((__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 0xffffffffu, __FILE__, __LINE__)
#define __shfl_down_sync(mask, v, d, ...) lkemu::shuffle_t(1, (mask), (v), (d), (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_sync(mask, v, s, ...) lkemu::shuffle_t(2, (mask), (v), (s), (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_up_sync(mask, v, d, ...) lkemu::shuffle_t(3, (mask), (v), (d), (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)
#define __shfl_xor_sync(mask, v, m, ...) lkemu::shuffle_t(4, (mask), (v), (m), (__VA_ARGS__ + 0) ? (__VA_ARGS__ + 0) : 32, __FILE__, __LINE__)

#define __int_as_float(i) lkemu::int_as_float(i)
#define __longlong_as_double(i) lkemu::longlong_as_double(i)
