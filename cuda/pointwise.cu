// The elementwise engine on the GPU, and the elementwise losses: the regression family
// (the same formulas as src/pointwise/regression.rs) and the binary family on logits
// (BCE with logits and pos_weight, binary focal).
//
// Semantics are those of the CPU engine (src/pointwise/mod.rs): an element is kept unless
// its mask byte is 0, its target is the magic number (or NaN) with magic masking on, or its
// weight is 0; the sum is over kept elements of w * loss; the gradient written is
// grad_factor * w * dloss/dpred (grad_factor = grad_scale / W for a mean, computed by
// lk_prepare), and 0 for a dropped element (left alone when accumulating).
#pragma once
#include "common.cuh"

template <typename T> struct LG {
    T l;  // loss
    T d;  // dloss/dpred
};

// Each loss is a functor built from the call's arguments.

template <typename T> struct SquaredError {
    __device__ SquaredError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        return {d * d, d + d};
    }
};

template <typename T> struct AbsoluteError {
    __device__ AbsoluteError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        return {lk_abs(d), lk_signum0(d)};
    }
};

// astroNN's mean_error: loss = y - p.
template <typename T> struct SignedError {
    __device__ SignedError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const { return {y - p, -T(1)}; }
};

#define LK_ASTRONN_EPSILON 1e-7

template <typename T> struct SquaredLogError {
    __device__ SquaredLogError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        const T eps = (T)LK_ASTRONN_EPSILON;
        bool clipped = p < eps;
        T pc = clipped ? eps : p;
        T yc = y < eps ? eps : y;
        T d = lk_log1p(pc) - lk_log1p(yc);
        T g = clipped ? T(0) : (d + d) / (pc + T(1));
        return {d * d, g};
    }
};

template <typename T> struct AbsolutePercentageError {
    __device__ AbsolutePercentageError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        const T eps = (T)LK_ASTRONN_EPSILON;
        T ay = lk_abs(y);
        T den = ay < eps ? eps : ay;
        const T hundred = (T)100.0;
        T d = p - y;
        return {hundred * lk_abs(d) / den, hundred * lk_signum0(d) / den};
    }
};

template <typename T> struct PercentageError {
    __device__ PercentageError(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        const T eps = (T)LK_ASTRONN_EPSILON;
        T den = lk_abs(y) >= eps ? y : (y < T(0) ? -eps : eps);
        const T hundred = (T)100.0;
        return {hundred * (y - p) / den, -hundred / den};
    }
};

template <typename T> struct Huber {
    T delta;
    __device__ Huber(const PwArgs &a) : delta((T)a.param) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        T a = lk_abs(d);
        const T half = (T)0.5;
        if (a < delta) return {half * d * d, d};
        return {delta * (a - half * delta), delta * lk_signum0(d)};
    }
};

template <typename T> struct ScaleFreeHuber {
    T delta;
    __device__ ScaleFreeHuber(const PwArgs &a) : delta((T)a.param) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        T a = lk_abs(d);
        const T half = (T)0.5;
        bool inner = a < delta;
        T l = inner ? half * d * d / delta : a - half * delta;
        T g = inner ? d / delta : lk_signum0(d);
        return {l, g};
    }
};

template <typename T> struct SmoothL1 {
    T beta;
    __device__ SmoothL1(const PwArgs &a) : beta((T)a.param) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        T a = lk_abs(d);
        const T half = (T)0.5;
        bool inner = a < beta;  // beta = 0 never takes the quadratic side
        T l = inner ? half * d * d / beta : a - half * beta;
        T g = inner ? d / beta : lk_signum0(d);
        return {l, g};
    }
};

template <typename T> struct LogCosh {
    __device__ LogCosh(const PwArgs &) {}
    __device__ __forceinline__ LG<T> operator()(T p, T y, u64) const {
        T d = p - y;
        T a = lk_abs(d);
        T l = a + lk_log1p(lk_exp((T)-2.0 * a)) - (T)0.69314718055994530942;
        return {l, lk_tanh(d)};
    }
};

// BCE with logits z = pred, target t, per-class pos_weight pw (1 when absent):
//   loss = pw*t*softplus(-z) + (1-t)*softplus(z),
//   dloss/dz = -pw*t*sigmoid(-z) + (1-t)*sigmoid(z).
// A term whose coefficient is 0 is skipped, so z = +-inf with t in {0, 1} gives the finite limit.
template <typename T> struct BceLogits {
    const T *pos_weight;
    u64 classes;
    __device__ BceLogits(const PwArgs &a) : pos_weight((const T *)a.pos_weight), classes(a.classes) {}
    __device__ __forceinline__ LG<T> operator()(T z, T t, u64 i) const {
        T pw = pos_weight ? pos_weight[i % classes] : T(1);
        T a = pw * t;
        T b = T(1) - t;
        T l = T(0), d = T(0);
        if (a != T(0)) {
            l += a * lk_softplus(-z);
            d -= a * lk_sigmoid(-z);
        }
        if (b != T(0)) {
            l += b * lk_softplus(z);
            d += b * lk_sigmoid(z);
        }
        return {l, d};
    }
};

// Binary focal loss on logits: p = sigmoid(z), q = 1 - p_t = p(1-t) + (1-p)t,
//   loss = q^gamma * b,  b = t*softplus(-z) + (1-t)*softplus(z) (BCE with logits),
//   dloss/dz = gamma*q^(gamma-1)*dq/dz*b + q^gamma*(p - t),  dq/dz = p(1-p)(1-2t).
// The first term is 0 when gamma = 0 or q = 0 (its limit).
template <typename T> struct BinaryFocal {
    T gamma;
    __device__ BinaryFocal(const PwArgs &a) : gamma((T)a.param) {}
    __device__ __forceinline__ LG<T> operator()(T z, T t, u64) const {
        T p = lk_sigmoid(z);
        T r = lk_sigmoid(-z);  // 1 - p, accurate when p is near 1
        T omt = T(1) - t;
        T q = p * omt + r * t;
        T b = T(0), db = T(0);
        if (t != T(0)) {
            b += t * lk_softplus(-z);
            db -= t * r;
        }
        if (omt != T(0)) {
            b += omt * lk_softplus(z);
            db += omt * p;
        }
        T qg = lk_pow(q, gamma);
        T d = qg * db;
        if (gamma != T(0) && q != T(0)) {
            T dq = p * r * (T(1) - t - t);
            d += gamma * lk_pow(q, gamma - T(1)) * dq * b;
        }
        return {qg * b, d};
    }
};

// The main pass: per element the weight, loss and gradient; per block the sum of w * loss.
template <typename T, typename L> __device__ void pointwise(const PwArgs &a) {
    const Scalars *sc = (const Scalars *)a.scalars;
    if (sc->status != 0) return;  // uniform: every thread reads the same word
    const T *pred = (const T *)a.pred;
    const T *target = (const T *)a.target;
    const T *weight = (const T *)a.weight;
    const unsigned char *mask = (const unsigned char *)a.mask;
    T *values = (T *)a.values;
    T *grad = (T *)a.grad;
    const bool use_magic = (a.flags & LK_F_MAGIC) != 0;
    const bool acc = (a.flags & LK_F_ACCUMULATE) != 0;
    const bool grad_only = (a.flags & LK_F_GRAD_ONLY) != 0;
    const T magic = (T)a.magic;
    const T factor = (T)sc->grad_factor;
    const L loss(a);
    Acc<T> sum;
    for (u64 i = global_thread(); i < a.n; i += global_stride()) {
        T p = pred[i];
        T y = target[i];
        T w = T(1);
        if (mask && mask[i] == 0) {
            w = T(0);
        } else if (use_magic && (y == magic || y != y)) {
            w = T(0);
        } else if (weight) {
            w = weight[i];
        }
        LG<T> r = loss(p, y, i);
        bool kept = w != T(0);
        if (grad) {
            T g = kept ? factor * w * r.d : T(0);
            grad[i] = acc ? grad[i] + g : g;
        }
        if (!grad_only) {
            T wl = kept ? w * r.l : T(0);
            if (values) values[i] = wl;
            sum.add((double)wl);
        }
    }
    if (grad_only) return;
    Comp s = block_reduce(sum.c);
    if (threadIdx.x == 0) ((double *)a.partials)[blockIdx.x] = s.value();
}

#define LK_POINTWISE(name, Loss)                                                             \
    extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_pw_##name##_f32(PwArgs a) {   \
        pointwise<float, Loss<float>>(a);                                                    \
    }                                                                                        \
    extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_pw_##name##_f64(PwArgs a) {   \
        pointwise<double, Loss<double>>(a);                                                  \
    }

// RMSE uses lk_pw_mse_* with the square-root finish.
LK_POINTWISE(mse, SquaredError)
LK_POINTWISE(mae, AbsoluteError)
LK_POINTWISE(mean_error, SignedError)
LK_POINTWISE(msle, SquaredLogError)
LK_POINTWISE(mape, AbsolutePercentageError)
LK_POINTWISE(mpe, PercentageError)
LK_POINTWISE(huber, Huber)
LK_POINTWISE(scale_free_huber, ScaleFreeHuber)
LK_POINTWISE(smooth_l1, SmoothL1)
LK_POINTWISE(log_cosh, LogCosh)
LK_POINTWISE(bce_logits, BceLogits)
LK_POINTWISE(binary_focal, BinaryFocal)
