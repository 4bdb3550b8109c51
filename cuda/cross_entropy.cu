// Softmax cross-entropy with class-index targets, fused value + gradient, online softmax.
//
// Row n (logits z, target y, class weights w (1 when absent), smoothing e, z-loss lambda):
//   lse    = log sum_c exp(z_c),  -log p_c = lse - z_c
//   loss_n = (1-e) w_y (-log p_y) + (e/C) sum_c w_c (-log p_c) + lambda lse^2
//   dloss_n/dz_c = ((1-e) w_y + (e/C) W + 2 lambda lse) p_c - (1-e) w_y [c = y] - (e/C) w_c,
//   W = sum_c w_c.
// A row is dropped when its target is ignore_index or its mask byte is 0; a mean divides by
// D = sum of w_y over the kept rows (PyTorch's weighted mean, label smoothing included).
// The gradient written is grad_factor * dloss_n/dz (grad_factor = grad_scale / D for a mean);
// a dropped row gets 0 (left alone when accumulating). The gradient may overwrite the logits.
//
// Two shapes of the same code: one block of LK_BLOCK threads per row (many classes), or one
// warp per row (few classes). Each merges its threads' softmax states in a fixed tree.
#pragma once
#include "common.cuh"

// The online-softmax state of a set of logits: m = max, s = sum exp(z - m),
// t = sum w_c (z_c - m), w = sum w_c (t and w only with label smoothing).
template <typename T> struct Soft {
    T m, s, t, w;
};

// z - m, with 0 when z == m (so that +inf logits give the finite limit).
template <typename T> __device__ __forceinline__ T shifted(T z, T m) { return z == m ? T(0) : z - m; }

template <typename T> __device__ __forceinline__ Soft<T> merge(const Soft<T> &a, const Soft<T> &b) {
    Soft<T> r;
    r.m = a.m > b.m ? a.m : b.m;
    T sa = a.m == r.m ? a.s : a.s * lk_exp(a.m - r.m);
    T sb = b.m == r.m ? b.s : b.s * lk_exp(b.m - r.m);
    r.s = sa + sb;
    T ta = (a.m == r.m || a.w == T(0)) ? a.t : a.t - a.w * (r.m - a.m);
    T tb = (b.m == r.m || b.w == T(0)) ? b.t : b.t - b.w * (r.m - b.m);
    r.t = ta + tb;
    r.w = a.w + b.w;
    return r;
}

// Merges the states of the LK_BLOCK threads of a block; every thread gets the result.
template <typename T> struct BlockGroup {
    static constexpr unsigned size = LK_BLOCK;
    __device__ __forceinline__ unsigned lane() const { return threadIdx.x; }
    __device__ __forceinline__ Soft<T> all_merge(Soft<T> v) const {
        __shared__ T m[LK_BLOCK], s[LK_BLOCK], t[LK_BLOCK], w[LK_BLOCK];
        unsigned i = threadIdx.x;
        m[i] = v.m;
        s[i] = v.s;
        t[i] = v.t;
        w[i] = v.w;
        __syncthreads();
        for (unsigned k = LK_BLOCK / 2; k > 0; k >>= 1) {
            if (i < k) {
                Soft<T> a = {m[i], s[i], t[i], w[i]};
                Soft<T> b = {m[i + k], s[i + k], t[i + k], w[i + k]};
                Soft<T> r = merge(a, b);
                m[i] = r.m;
                s[i] = r.s;
                t[i] = r.t;
                w[i] = r.w;
            }
            __syncthreads();
        }
        Soft<T> r = {m[0], s[0], t[0], w[0]};
        __syncthreads();
        return r;
    }
    __device__ __forceinline__ void sync() const { __syncthreads(); }
};

// The same for the 32 lanes of a warp.
template <typename T> struct WarpGroup {
    static constexpr unsigned size = 32;
    __device__ __forceinline__ unsigned lane() const { return threadIdx.x & 31u; }
    __device__ __forceinline__ Soft<T> all_merge(Soft<T> v) const {
        for (unsigned k = 16; k > 0; k >>= 1) {
            Soft<T> o;
            o.m = __shfl_down_sync(0xffffffffu, v.m, k);
            o.s = __shfl_down_sync(0xffffffffu, v.s, k);
            o.t = __shfl_down_sync(0xffffffffu, v.t, k);
            o.w = __shfl_down_sync(0xffffffffu, v.w, k);
            if (lane() < k) v = merge(v, o);
        }
        v.m = __shfl_sync(0xffffffffu, v.m, 0);
        v.s = __shfl_sync(0xffffffffu, v.s, 0);
        v.t = __shfl_sync(0xffffffffu, v.t, 0);
        v.w = __shfl_sync(0xffffffffu, v.w, 0);
        return v;
    }
    __device__ __forceinline__ void sync() const { __syncwarp(); }
};

// One row: value (returned, valid in every lane) and gradient.
template <typename T, typename G>
__device__ __forceinline__ T ce_row(const CeArgs &a, u64 row, const G &g, T factor) {
    const u64 C = a.classes;
    const T *x = (const T *)a.logits + row * C;
    const T *cw = (const T *)a.class_weight;
    const T eps = (T)a.label_smoothing;
    const T lambda = (T)a.z_loss;
    const bool smooth = eps != T(0);
    const i64 y = ((const i64 *)a.target)[row];
    Soft<T> st = {-lk_inf<T>(), T(0), T(0), T(0)};
    for (u64 c = g.lane(); c < C; c += G::size) {
        Soft<T> e = {x[c], T(1), T(0), smooth ? (cw ? cw[c] : T(1)) : T(0)};
        st = merge(st, e);
    }
    st = g.all_merge(st);
    const T ls = lk_log(st.s);
    const T lse = st.m + ls;
    const T zy = x[y];
    const T wy = cw ? cw[y] : T(1);
    const T nll = ls - shifted(zy, st.m);  // -log p_y
    const T ce_coef = (T(1) - eps) * wy;
    T loss = ce_coef != T(0) ? ce_coef * nll : T(0);
    const T e_c = eps / (T)C;
    if (smooth) loss += e_c * (st.w * ls - st.t);
    if (lambda != T(0)) loss += lambda * lse * lse;
    T *grad = (T *)a.grad;
    if (grad) {
        g.sync();  // every lane has read the row before it may be overwritten in place
        const bool acc = (a.flags & LK_F_ACCUMULATE) != 0;
        T coef = ce_coef;
        if (smooth) coef += e_c * st.w;
        if (lambda != T(0)) coef += (T)2.0 * lambda * lse;
        T *gr = grad + row * C;
        for (u64 c = g.lane(); c < C; c += G::size) {
            T p = lk_exp(shifted(x[c], st.m) - ls);
            T d = coef * p;
            if ((i64)c == y) d -= ce_coef;
            if (smooth) d -= e_c * (cw ? cw[c] : T(1));
            T v = factor * d;
            gr[c] = acc ? gr[c] + v : v;
        }
    }
    return loss;
}

__device__ __forceinline__ bool ce_kept(const CeArgs &a, u64 row) {
    const unsigned char *mask = (const unsigned char *)a.mask;
    if (mask && mask[row] == 0) return false;
    return ((const i64 *)a.target)[row] != a.ignore_index;
}

// A dropped row: its value is 0 and its gradient 0 (or untouched when accumulating).
template <typename T, typename G> __device__ __forceinline__ void ce_dropped(const CeArgs &a, u64 row, const G &g) {
    T *grad = (T *)a.grad;
    if (grad && (a.flags & LK_F_ACCUMULATE) == 0) {
        g.sync();
        T *gr = grad + row * a.classes;
        for (u64 c = g.lane(); c < a.classes; c += G::size) gr[c] = T(0);
    }
}

// Pre-pass: validates the class indices of kept rows and the class weights, and sums w_y
// over kept rows (the mean's normaliser). Grid-stride over rows and over classes.
template <typename T> __device__ void ce_rows(const CeArgs &a) {
    const i64 *target = (const i64 *)a.target;
    const T *cw = (const T *)a.class_weight;
    Acc<T> d;
    double first = -1.0;
    for (u64 r = global_thread(); r < a.rows; r += global_stride()) {
        if (!ce_kept(a, r)) continue;
        i64 y = target[r];
        if (y < 0 || (u64)y >= a.classes) {
            if (first < 0.0) first = (double)r;  // rows are visited in increasing order
            continue;
        }
        d.add(cw ? (double)cw[y] : 1.0);
    }
    double bad = 0.0;
    if (cw) {
        for (u64 c = global_thread(); c < a.classes; c += global_stride()) {
            T w = cw[c];
            if (!(w >= T(0) && lk_is_finite(w))) bad += 1.0;
        }
    }
    Comp s = block_reduce(d.c);
    double b = block_sum_plain(bad);
    double f = block_min_row(first);
    if (threadIdx.x == 0) {
        double *p = (double *)a.partials;
        p[blockIdx.x] = s.value();
        p[gridDim.x + blockIdx.x] = b;
        p[2 * gridDim.x + blockIdx.x] = f;
    }
}

extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_rows_f32(CeArgs a) { ce_rows<float>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_rows_f64(CeArgs a) { ce_rows<double>(a); }

// One block per row (grid-stride over rows); thread 0 accumulates the block's rows in order.
template <typename T> __device__ void ce_block(const CeArgs &a) {
    const Scalars *sc = (const Scalars *)a.scalars;
    if (sc->status != 0) return;
    const T factor = (T)sc->grad_factor;
    BlockGroup<T> g;
    T *values = (T *)a.values;
    Acc<T> sum;
    for (u64 row = blockIdx.x; row < a.rows; row += gridDim.x) {
        T loss = T(0);
        if (ce_kept(a, row)) {
            loss = ce_row<T>(a, row, g, factor);
            if (threadIdx.x == 0) sum.add((double)loss);
        } else {
            ce_dropped<T>(a, row, g);
        }
        if (values && threadIdx.x == 0) values[row] = loss;
    }
    if (threadIdx.x == 0) ((double *)a.partials)[blockIdx.x] = sum.c.value();
}

// One warp per row; each warp's lane 0 accumulates its rows in order, then the block adds
// its warps in order.
template <typename T> __device__ void ce_warp(const CeArgs &a) {
    const Scalars *sc = (const Scalars *)a.scalars;
    if (sc->status != 0) return;
    const T factor = (T)sc->grad_factor;
    WarpGroup<T> g;
    T *values = (T *)a.values;
    const unsigned warps = LK_BLOCK / 32;
    const unsigned warp = threadIdx.x / 32;
    Acc<T> sum;
    for (u64 row = (u64)blockIdx.x * warps + warp; row < a.rows; row += (u64)gridDim.x * warps) {
        T loss = T(0);
        if (ce_kept(a, row)) {
            loss = ce_row<T>(a, row, g, factor);
            if (g.lane() == 0) sum.add((double)loss);
        } else {
            ce_dropped<T>(a, row, g);
        }
        if (values && g.lane() == 0) values[row] = loss;
    }
    __shared__ double hi[LK_BLOCK / 32];
    __shared__ double lo[LK_BLOCK / 32];
    if (g.lane() == 0) {
        hi[warp] = sum.c.hi;
        lo[warp] = sum.c.lo;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        Comp total;
        for (unsigned k = 0; k < warps; ++k) {
            total.add(hi[k]);
            total.add(lo[k]);
        }
        ((double *)a.partials)[blockIdx.x] = total.value();
    }
}

extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_block_f32(CeArgs a) { ce_block<float>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_block_f64(CeArgs a) { ce_block<double>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_warp_f32(CeArgs a) { ce_warp<float>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_ce_warp_f64(CeArgs a) { ce_warp<double>(a); }
