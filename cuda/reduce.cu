// The steps every call shares: the pre-pass over keep-masks and weights, `lk_prepare`
// (normaliser, status and gradient factor before any output is written) and
// `lk_finish_*` (the reduced value, the partial result, and the gradient factor of a
// square-root-finished loss).
//
// Workspace layout: Scalars at byte 0, then three arrays of `grid` doubles from byte
// LK_SCALARS_BYTES: partials[0..g) (sums), partials[g..2g) (counts of bad parameters),
// partials[2g..3g) (first offending row, -1 if none).
#pragma once
#include "common.cuh"

// Pre-pass of an elementwise loss with a mask, magic number or weights: per block, the sum
// of the kept weights and the number of weights that are negative or not finite.
template <typename T> __device__ void keep_pass(const PwArgs &a) {
    const T *target = (const T *)a.target;
    const T *weight = (const T *)a.weight;
    const unsigned char *mask = (const unsigned char *)a.mask;
    const bool use_magic = (a.flags & LK_F_MAGIC) != 0;
    const T magic = (T)a.magic;
    Acc<T> sum;
    double bad = 0.0;
    for (u64 i = global_thread(); i < a.n; i += global_stride()) {
        T w = weight ? weight[i] : T(1);
        if (!(w >= T(0) && lk_is_finite(w))) bad += 1.0;
        T y = target[i];
        bool kept = !(mask && mask[i] == 0) && !(use_magic && (y == magic || y != y));
        if (kept && w != T(0)) sum.add((double)w);
    }
    Comp s = block_reduce(sum.c);
    double b = block_sum_plain(bad);
    if (threadIdx.x == 0) {
        double *p = (double *)a.partials;
        p[blockIdx.x] = s.value();
        p[gridDim.x + blockIdx.x] = b;
        p[2 * gridDim.x + blockIdx.x] = -1.0;
    }
}

extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_keep_f32(PwArgs a) { keep_pass<float>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_keep_f64(PwArgs a) { keep_pass<double>(a); }

// One block: reduces the pre-pass partials (in a fixed order), sets the status and the
// gradient factor grad_scale * (1 / W for a mean, else 1). Runs before any output is written.
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_prepare(PrepArgs a) {
    Scalars *sc = (Scalars *)a.scalars;
    const double *p = (const double *)a.partials;
    const u64 g = a.grid;
    Comp w;
    double bad = 0.0;
    double row = -1.0;
    for (u64 i = threadIdx.x; i < g; i += LK_BLOCK) {
        w.add(p[i]);
        bad += p[g + i];
        double r = p[2 * g + i];
        if (r >= 0.0 && (row < 0.0 || r < row)) row = r;
    }
    Comp ws = block_reduce(w);
    double bads = block_sum_plain(bad);
    double first = block_min_row(row);
    if (threadIdx.x != 0) return;
    double weight = g > 0 ? ws.value() : (double)a.n;
    i64 status = 0;
    sc->bad_row = -1;
    sc->bad_index = 0;
    if (bads > 0.0) {
        status = LK_ERR_BAD_PARAMETER;
    } else if (first >= 0.0) {
        status = LK_ERR_INDEX_OUT_OF_RANGE;
        sc->bad_row = (i64)first;
        sc->bad_index = a.target ? ((const i64 *)a.target)[(u64)first] : 0;
    } else if (a.reduction == LK_REDUCTION_MEAN && weight == 0.0 && a.empty != LK_EMPTY_ZERO &&
               a.empty != LK_EMPTY_NAN) {
        status = LK_ERR_EMPTY_MEAN;
    }
    double mean_factor = a.reduction == LK_REDUCTION_MEAN ? (weight > 0.0 ? 1.0 / weight : 0.0) : 1.0;
    sc->weight = weight;
    sc->sum = 0.0;
    sc->value = 0.0;
    sc->grad_factor = a.grad_scale * mean_factor;
    sc->status = status;
}

// One block: the reduced value from the main pass's block partials.
template <typename T> __device__ void finish(const FinArgs &a) {
    Scalars *sc = (Scalars *)a.scalars;
    if (sc->status != 0) return;
    const double *p = (const double *)a.partials;
    Comp s;
    for (u64 i = threadIdx.x; i < a.grid; i += LK_BLOCK) s.add(p[i]);
    Comp total = block_reduce(s);
    if (threadIdx.x != 0) return;
    double sum = total.value();
    double weight = sc->weight;
    double reduced = sum;
    if (a.reduction == LK_REDUCTION_MEAN) {
        reduced = weight > 0.0 ? sum / weight : (a.empty == LK_EMPTY_NAN ? lk_nan() : 0.0);
    }
    double value = reduced;
    bool sqrt_value = a.sqrt_finish && (a.reduction == LK_REDUCTION_MEAN || a.reduction == LK_REDUCTION_SUM);
    if (sqrt_value) value = sqrt(reduced);
    if (a.out) *(T *)a.out = (T)value;
    if (a.partial) {
        double *q = (double *)a.partial;
        q[0] = sum;
        q[1] = weight;
    }
    sc->sum = sum;
    sc->value = value;
    if (a.sqrt_finish && a.have_grad) {
        // The chain rule through sqrt, as the CPU engine: scale * mean_factor * outer.
        double mean_factor = a.reduction == LK_REDUCTION_MEAN ? (weight > 0.0 ? 1.0 / weight : 0.0) : 1.0;
        double r = sum * mean_factor;
        double outer = a.reduction == LK_REDUCTION_PARTIAL ? 1.0 : (r > 0.0 ? 0.5 / sqrt(r) : 0.0);
        sc->grad_factor = a.grad_scale * mean_factor * outer;
    }
}

extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_finish_f32(FinArgs a) { finish<float>(a); }
extern "C" __global__ void __launch_bounds__(LK_BLOCK) lk_finish_f64(FinArgs a) { finish<double>(a); }
