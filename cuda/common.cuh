// losskit CUDA kernels: shared types, the argument blocks the host passes, accurate
// deterministic accumulation and the block-level reductions.
//
// Compiled to PTX by cuda/build_ptx.sh (NVRTC, compute_70). No header is included: NVRTC
// provides the device math functions (expf, log1p, ...) as builtins.
//
// Determinism: every kernel of one call runs on a grid whose size depends only on the
// problem size (never on the device), each thread walks its elements in a fixed order,
// and every reduction is a fixed tree; no floating-point atomics are used. So repeated
// calls agree bit for bit, on any GPU.
#pragma once

typedef unsigned long long u64;
typedef long long i64;

#define LK_BLOCK 256

// Status codes (the same numbers as LK_ERR_* in include/losskit.h).
#define LK_ERR_BAD_PARAMETER 3
#define LK_ERR_EMPTY_MEAN 5
#define LK_ERR_INDEX_OUT_OF_RANGE 6

// Reductions and empty policies (LK_REDUCTION_* / LK_EMPTY_*).
#define LK_REDUCTION_NONE 0
#define LK_REDUCTION_SUM 1
#define LK_REDUCTION_MEAN 2
#define LK_REDUCTION_PARTIAL 3
#define LK_EMPTY_ZERO 0
#define LK_EMPTY_NAN 1

// PwArgs.flags
#define LK_F_MAGIC 1ull       // a target equal to `magic`, or NaN, is masked
#define LK_F_ACCUMULATE 2ull  // grad += g instead of grad = g
#define LK_F_GRAD_ONLY 4ull   // second pass of a sqrt-finished loss: gradient only

// The scalars of one call, at the start of the workspace. All fields 8 bytes wide; mirrored
// by `Scalars` in src/cuda/raw.rs.
struct Scalars {
    double weight;       // sum of weights of kept elements (the mean's normaliser)
    double sum;          // sum of w * loss over kept elements
    double value;        // the reduced value, in double
    double grad_factor;  // multiplies w * dloss/dpred
    i64 status;          // 0, or an LK_ERR_* code found on the device
    i64 bad_row;         // with LK_ERR_INDEX_OUT_OF_RANGE: the first offending row
    i64 bad_index;       // ... and its class index
    i64 reserved;
};
static_assert(sizeof(Scalars) == 64, "Scalars layout");
// Bytes reserved for Scalars at the start of the workspace; the block partials follow.
#define LK_SCALARS_BYTES 128

// Arguments of the elementwise kernels (mirrored by `PwArgs` in src/cuda/raw.rs).
struct PwArgs {
    u64 pred;        // const T*
    u64 target;      // const T*
    u64 weight;      // const T* or 0
    u64 mask;        // const unsigned char* or 0
    u64 pos_weight;  // const T* (one per class) or 0
    u64 values;      // T* (n per-element losses) or 0
    u64 grad;        // T* or 0
    u64 scalars;     // Scalars*
    u64 partials;    // double[3 * grid]
    u64 n;
    u64 classes;     // element i has class i % classes (for pos_weight)
    double param;    // delta, beta or gamma
    double magic;
    u64 flags;       // LK_F_*
};
static_assert(sizeof(PwArgs) == 112, "PwArgs layout");

// Arguments of the softmax cross-entropy kernels (mirrored by `CeArgs` in src/cuda/raw.rs).
struct CeArgs {
    u64 logits;        // const T*, rows x classes, row-major
    u64 target;        // const i64*, one class index per row
    u64 class_weight;  // const T* (classes) or 0
    u64 mask;          // const unsigned char* (rows) or 0
    u64 values;        // T* (rows) or 0
    u64 grad;          // T* (rows x classes) or 0; may equal logits (in place)
    u64 scalars;       // Scalars*
    u64 partials;      // double[3 * grid]
    u64 rows;
    u64 classes;
    i64 ignore_index;
    double label_smoothing;
    double z_loss;
    u64 flags;         // LK_F_ACCUMULATE
};
static_assert(sizeof(CeArgs) == 112, "CeArgs layout");

// Arguments of lk_prepare (one block).
struct PrepArgs {
    u64 scalars;
    u64 partials;
    u64 grid;        // number of block partials from a pre-pass; 0: no pre-pass
    u64 n;           // the normaliser when there was no pre-pass
    u64 reduction;
    u64 empty;
    double grad_scale;
    u64 target;      // const i64* class indices (cross-entropy) or 0
};
static_assert(sizeof(PrepArgs) == 64, "PrepArgs layout");

// Arguments of lk_finish_* (one block).
struct FinArgs {
    u64 scalars;
    u64 partials;
    u64 grid;
    u64 out;         // T* (1 value) or 0
    u64 partial;     // double[2] {sum, weight} or 0
    u64 reduction;
    u64 empty;
    double grad_scale;
    u64 sqrt_finish; // nonzero: value = sqrt(reduced) (RMSE)
    u64 have_grad;   // with sqrt_finish: compute the gradient factor of the second pass
};
static_assert(sizeof(FinArgs) == 80, "FinArgs layout");

// ---- math, overloaded on the element type -------------------------------------------------

__device__ __forceinline__ float lk_exp(float x) { return expf(x); }
__device__ __forceinline__ double lk_exp(double x) { return exp(x); }
__device__ __forceinline__ float lk_log(float x) { return logf(x); }
__device__ __forceinline__ double lk_log(double x) { return log(x); }
__device__ __forceinline__ float lk_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double lk_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float lk_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double lk_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float lk_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double lk_pow(double x, double y) { return pow(x, y); }
__device__ __forceinline__ float lk_abs(float x) { return fabsf(x); }
__device__ __forceinline__ double lk_abs(double x) { return fabs(x); }

template <typename T> __device__ __forceinline__ T lk_inf();
template <> __device__ __forceinline__ float lk_inf<float>() { return __int_as_float(0x7f800000); }
template <> __device__ __forceinline__ double lk_inf<double>() {
    return __longlong_as_double(0x7ff0000000000000ll);
}
__device__ __forceinline__ double lk_nan() { return __longlong_as_double(0x7ff8000000000000ll); }

template <typename T> __device__ __forceinline__ bool lk_is_finite(T x) { return x - x == T(0); }

// sign(x) with sign(0) = 0 and sign(NaN) = NaN, as Real::signum0 on the CPU.
template <typename T> __device__ __forceinline__ T lk_signum0(T x) {
    T pos = x > T(0) ? T(1) : T(0);
    T neg = x < T(0) ? T(1) : T(0);
    return pos - neg + x * T(0);
}

// softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^(-|x|)).
template <typename T> __device__ __forceinline__ T lk_softplus(T x) {
    return (x > T(0) ? x : T(0)) + lk_log1p(lk_exp(-lk_abs(x)));
}

// The logistic sigmoid 1 / (1 + e^-x), without overflow.
template <typename T> __device__ __forceinline__ T lk_sigmoid(T x) {
    if (x >= T(0)) {
        return T(1) / (T(1) + lk_exp(-x));
    }
    T e = lk_exp(x);
    return e / (T(1) + e);
}

// ---- accumulation --------------------------------------------------------------------------

// Neumaier's compensated sum in double.
struct Comp {
    double hi, lo;
    __device__ Comp() : hi(0.0), lo(0.0) {}
    __device__ __forceinline__ void add(double x) {
        double t = hi + x;
        double err = fabs(hi) >= fabs(x) ? (hi - t) + x : (x - t) + hi;
        lo += err;
        hi = t;
    }
    __device__ __forceinline__ void merge(const Comp &o) {
        add(o.hi);
        add(o.lo);
    }
    __device__ __forceinline__ double value() const { return hi + lo; }
};

// Per-thread accumulator: f32 data is widened to double and summed plainly (53 bits for
// 24-bit inputs, as on the CPU); f64 data is summed with compensation.
template <typename T> struct Acc {
    Comp c;
    __device__ __forceinline__ void add(double x) {
        if (sizeof(T) == 8) {
            c.add(x);
        } else {
            c.hi += x;
        }
    }
};

// Reduces one Comp per thread of a block of LK_BLOCK threads in a fixed tree; the result is
// valid in thread 0.
__device__ __forceinline__ Comp block_reduce(Comp v) {
    __shared__ double hi[LK_BLOCK];
    __shared__ double lo[LK_BLOCK];
    unsigned t = threadIdx.x;
    hi[t] = v.hi;
    lo[t] = v.lo;
    __syncthreads();
    for (unsigned s = LK_BLOCK / 2; s > 0; s >>= 1) {
        if (t < s) {
            Comp a;
            a.hi = hi[t];
            a.lo = lo[t];
            Comp b;
            b.hi = hi[t + s];
            b.lo = lo[t + s];
            a.merge(b);
            hi[t] = a.hi;
            lo[t] = a.lo;
        }
        __syncthreads();
    }
    Comp r;
    r.hi = hi[0];
    r.lo = lo[0];
    __syncthreads();
    return r;
}

// The same for a count (exact in double up to 2^53).
__device__ __forceinline__ double block_sum_plain(double v) {
    __shared__ double sh[LK_BLOCK];
    unsigned t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (unsigned s = LK_BLOCK / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

// The smallest nonnegative value of a block (-1 if none), for "the first offending row".
__device__ __forceinline__ double block_min_row(double v) {
    __shared__ double sh[LK_BLOCK];
    unsigned t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (unsigned s = LK_BLOCK / 2; s > 0; s >>= 1) {
        if (t < s) {
            double a = sh[t], b = sh[t + s];
            sh[t] = (a < 0.0) ? b : ((b < 0.0) ? a : (a < b ? a : b));
        }
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

__device__ __forceinline__ u64 global_thread() { return (u64)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ u64 global_stride() { return (u64)gridDim.x * blockDim.x; }
