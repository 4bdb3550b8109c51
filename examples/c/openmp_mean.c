/* The weighted mean squared error computed by OpenMP threads, each on its own shard, and
 * its gradient: the same, to one unit in the last place, as one call on all the data.
 *
 *   cc -O2 -fopenmp -I$PREFIX/include openmp_mean.c $PREFIX/lib/liblosskit.a -lpthread -ldl -lm
 *   ./a.out 4     (the number of threads)
 *
 * losskit functions are thread-safe: they keep no state but the calling thread's last error
 * message. Each thread evaluates its shard with LK_REDUCTION_PARTIAL; the pairs are added
 * in thread order, so the result does not depend on the scheduling; a second parallel pass
 * writes the gradient of the global mean with grad_scale = 1 / global weight.
 * Run as a test, it compares with one call on all the data (exit status 1 on a difference
 * of more than one ulp).
 */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "losskit.h"

/* [docs:openmp] */
/* The weighted MSE of n elements (weight may be NULL) computed by `threads` threads (at
 * most 64): the mean in *mean and, in grad (NULL: not wanted), its gradient. */
static lk_status mse_threads_f64(const double *pred, const double *target,
                                 const double *weight, size_t n, int threads, double *mean,
                                 double *grad) {
    lk_partial part[64];
    lk_status status[64];
    if (threads < 1 || threads > 64) return LK_ERR_BAD_PARAMETER;

#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int k = 0; k < threads; k++) {
        size_t lo = n / threads * k, hi = k + 1 == threads ? n : n / threads * (k + 1);
        lk_options opts = lk_options_default();
        opts.reduction = LK_REDUCTION_PARTIAL; /* part[k] = {sum of w*loss, sum of w} */
        opts.partial = &part[k];
        double sum;
        status[k] = lk_mse_f64(pred + lo, target + lo, weight ? weight + lo : NULL, hi - lo,
                               &opts, &sum, NULL);
    }
    double sum = 0.0, w = 0.0; /* merged in a fixed order: reproducible */
    for (int k = 0; k < threads; k++) {
        if (status[k] != LK_OK) return status[k];
        sum += part[k].sum;
        w += part[k].weight;
    }
    *mean = w > 0 ? sum / w : 0.0; /* LK_EMPTY_ZERO's rule */
    if (grad == NULL) return LK_OK;

#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int k = 0; k < threads; k++) {
        size_t lo = n / threads * k, hi = k + 1 == threads ? n : n / threads * (k + 1);
        lk_options opts = lk_options_default();
        opts.reduction = LK_REDUCTION_PARTIAL;
        opts.partial = &part[k];
        opts.grad_scale = w > 0 ? 1.0 / w : 0.0; /* d(global mean) / d(pred) */
        double s;
        status[k] = lk_mse_f64(pred + lo, target + lo, weight ? weight + lo : NULL, hi - lo,
                               &opts, &s, grad + lo);
    }
    for (int k = 0; k < threads; k++)
        if (status[k] != LK_OK) return status[k];
    return LK_OK;
}
/* [docs:openmp-end] */

/* The same in single precision. */
static lk_status mse_threads_f32(const float *pred, const float *target, const float *weight,
                                 size_t n, int threads, float *mean, float *grad) {
    lk_partial part[64];
    lk_status status[64];
    if (threads < 1 || threads > 64) return LK_ERR_BAD_PARAMETER;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int k = 0; k < threads; k++) {
        size_t lo = n / threads * k, hi = k + 1 == threads ? n : n / threads * (k + 1);
        lk_options opts = lk_options_default();
        opts.reduction = LK_REDUCTION_PARTIAL;
        opts.partial = &part[k];
        float sum;
        status[k] = lk_mse_f32(pred + lo, target + lo, weight ? weight + lo : NULL, hi - lo,
                               &opts, &sum, NULL);
    }
    double sum = 0.0, w = 0.0;
    for (int k = 0; k < threads; k++) {
        if (status[k] != LK_OK) return status[k];
        sum += part[k].sum;
        w += part[k].weight;
    }
    *mean = (float)(w > 0 ? sum / w : 0.0);
    if (grad == NULL) return LK_OK;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int k = 0; k < threads; k++) {
        size_t lo = n / threads * k, hi = k + 1 == threads ? n : n / threads * (k + 1);
        lk_options opts = lk_options_default();
        opts.reduction = LK_REDUCTION_PARTIAL;
        opts.partial = &part[k];
        opts.grad_scale = w > 0 ? 1.0 / w : 0.0;
        float s;
        status[k] = lk_mse_f32(pred + lo, target + lo, weight ? weight + lo : NULL, hi - lo,
                               &opts, &s, grad + lo);
    }
    for (int k = 0; k < threads; k++)
        if (status[k] != LK_OK) return status[k];
    return LK_OK;
}

static int64_t ulps64(double a, double b) {
    int64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    if (x < 0) x = INT64_MIN - x;
    if (y < 0) y = INT64_MIN - y;
    return x > y ? x - y : y - x;
}

static int64_t ulps32(float a, float b) {
    int32_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    if (x < 0) x = INT32_MIN - x;
    if (y < 0) y = INT32_MIN - y;
    return x > y ? (int64_t)x - y : (int64_t)y - x;
}

enum { N = 10007 };

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 4;
    static double pred[N], target[N], weight[N], grad[N], one_grad[N];
    static float pred32[N], target32[N], weight32[N], grad32[N], one_grad32[N];
    for (int i = 0; i < N; i++) {
        pred[i] = 3.0 * (double)((i * 7919) % 1000) / 1000.0 - 1.5;
        target[i] = (double)((i * 104729) % 997) / 997.0;
        weight[i] = 0.1 + (double)(i % 13) / 7.0;
        pred32[i] = (float)pred[i];
        target32[i] = (float)target[i];
        weight32[i] = (float)weight[i];
    }
    int failures = 0;
    for (int weighted = 0; weighted < 2; weighted++) {
        double mean = 0, one = 0;
        float mean32 = 0, one32 = 0;
        if (mse_threads_f64(pred, target, weighted ? weight : NULL, N, threads, &mean, grad) !=
                LK_OK ||
            mse_threads_f32(pred32, target32, weighted ? weight32 : NULL, N, threads, &mean32,
                            grad32) != LK_OK ||
            lk_mse_f64(pred, target, weighted ? weight : NULL, N, NULL, &one, one_grad) !=
                LK_OK ||
            lk_mse_f32(pred32, target32, weighted ? weight32 : NULL, N, NULL, &one32,
                       one_grad32) != LK_OK) {
            fprintf(stderr, "a losskit call failed\n");
            return 2;
        }
        int64_t g64 = 0, g32 = 0;
        for (int i = 0; i < N; i++) {
            int64_t d = ulps64(grad[i], one_grad[i]), e = ulps32(grad32[i], one_grad32[i]);
            if (d > g64) g64 = d;
            if (e > g32) g32 = e;
        }
        int64_t v64 = ulps64(mean, one), v32 = ulps32(mean32, one32);
        printf("%s f64: mean %.17g, one call %.17g: %lld ulp; gradient max %lld ulp\n",
               weighted ? "weighted" : "unweighted", mean, one, (long long)v64, (long long)g64);
        printf("%s f32: mean %.9g, one call %.9g: %lld ulp; gradient max %lld ulp\n",
               weighted ? "weighted" : "unweighted", mean32, one32, (long long)v32,
               (long long)g32);
        if (v64 > 1 || g64 > 1 || v32 > 1 || g32 > 1) failures++;
    }
    if (failures)
        printf("MISMATCH\n");
    else
        printf("threads agree with one call (%d threads)\n", threads);
    return failures ? 1 : 0;
}
