/* The weighted mean squared error computed by OpenMP threads, each on its own shard, and
 * its gradient: the same, to one unit in the last place, as one call on all the data.
 *
 *   cc -O2 -fopenmp -I$PREFIX/include openmp_mean.c $PREFIX/lib/liblosskit.a -lpthread -ldl -lm
 *   ./a.out 4     (the number of threads)
 *
 * losskit functions are thread-safe: they keep no state but the calling thread's last error
 * message. Each thread evaluates its shard with LK_REDUCTION_PARTIAL; the partials are
 * merged with lk_partial_merge (which keeps the remainders of the sums) in thread order, so
 * the result does not depend on the scheduling; a second parallel pass writes the gradient
 * of the global mean with grad_scale = 1 / global weight.
 * Run as a test, it draws random data sets (several sizes, with and without random weights,
 * values over six decades) in double and single precision, compares with one call on all
 * the data, prints how many ulp apart the results are, and exits with status 1 if any
 * differs by more than one ulp.
 */
#include <math.h>
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
        opts.reduction = LK_REDUCTION_PARTIAL; /* part[k] = {sum of w*loss, sum of w, ...} */
        opts.partial = &part[k];
        double sum;
        status[k] = lk_mse_f64(pred + lo, target + lo, weight ? weight + lo : NULL, hi - lo,
                               &opts, &sum, NULL);
    }
    lk_partial all = {0}; /* merged in a fixed order: reproducible */
    for (int k = 0; k < threads; k++) {
        if (status[k] != LK_OK) return status[k];
        lk_partial_merge(&all, &part[k]);
    }
    lk_status st = lk_partial_mean(&all, LK_EMPTY_ZERO, mean);
    if (st != LK_OK || grad == NULL) return st;
    const double w = all.weight;

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
    lk_partial all = {0};
    for (int k = 0; k < threads; k++) {
        if (status[k] != LK_OK) return status[k];
        lk_partial_merge(&all, &part[k]);
    }
    double m;
    lk_status st = lk_partial_mean(&all, LK_EMPTY_ZERO, &m);
    if (st != LK_OK) return st;
    *mean = (float)m;
    if (grad == NULL) return LK_OK;
    const double w = all.weight;
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

/* splitmix64 */
static uint64_t rng_state = 7;
static uint64_t next_u64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static double uniform(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

enum { MAX_N = 65537, ROUNDS = 20 };
static const int SIZES[] = {1, 2, 7, 255, 256, 257, 1031, 4099, 10007, 65537};
#define NSIZES ((int)(sizeof SIZES / sizeof SIZES[0]))

/* Results of one precision and weighting: worst distances and their histograms (0, 1, 2,
 * 3+ ulp). */
struct tally {
    int cases;
    int64_t mean_max, grad_max;
    int mean_hist[4], grad_hist[4];
};

static void count(struct tally *t, int64_t mean_ulps, int64_t grad_ulps) {
    t->cases++;
    if (mean_ulps > t->mean_max) t->mean_max = mean_ulps;
    if (grad_ulps > t->grad_max) t->grad_max = grad_ulps;
    t->mean_hist[mean_ulps < 3 ? mean_ulps : 3]++;
    t->grad_hist[grad_ulps < 3 ? grad_ulps : 3]++;
}

static int report(const char *name, const struct tally *t) {
    printf("%s: %d cases; mean max %lld ulp; gradient max %lld ulp; "
           "histogram (0/1/2/3+ ulp) mean %d/%d/%d/%d gradient %d/%d/%d/%d\n",
           name, t->cases, (long long)t->mean_max, (long long)t->grad_max, t->mean_hist[0],
           t->mean_hist[1], t->mean_hist[2], t->mean_hist[3], t->grad_hist[0], t->grad_hist[1],
           t->grad_hist[2], t->grad_hist[3]);
    return t->mean_max > 1 || t->grad_max > 1;
}

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 4;
    static double pred[MAX_N], target[MAX_N], weight[MAX_N], grad[MAX_N], one_grad[MAX_N];
    static float pred32[MAX_N], target32[MAX_N], weight32[MAX_N], grad32[MAX_N],
        one_grad32[MAX_N];
    struct tally tallies[4] = {{0}}; /* f64 unweighted, f64 weighted, f32 ... */
    for (int round = 0; round < ROUNDS; round++) {
        for (int s = 0; s < NSIZES; s++) {
            const int N = SIZES[s];
            const double scale = pow(10.0, 6.0 * uniform() - 3.0);
            for (int i = 0; i < N; i++) {
                pred[i] = scale * (4.0 * uniform() - 2.0);
                target[i] = scale * (4.0 * uniform() - 2.0);
                weight[i] = next_u64() % 10 == 0 ? 0.0 : 3.0 * uniform(); /* 10% zero */
                pred32[i] = (float)pred[i];
                target32[i] = (float)target[i];
                weight32[i] = (float)weight[i];
            }
            for (int weighted = 0; weighted < 2; weighted++) {
                double mean = 0, one = 0;
                float mean32 = 0, one32 = 0;
                if (mse_threads_f64(pred, target, weighted ? weight : NULL, (size_t)N, threads,
                                    &mean, grad) != LK_OK ||
                    mse_threads_f32(pred32, target32, weighted ? weight32 : NULL, (size_t)N,
                                    threads, &mean32, grad32) != LK_OK ||
                    lk_mse_f64(pred, target, weighted ? weight : NULL, (size_t)N, NULL, &one,
                               one_grad) != LK_OK ||
                    lk_mse_f32(pred32, target32, weighted ? weight32 : NULL, (size_t)N, NULL,
                               &one32, one_grad32) != LK_OK) {
                    fprintf(stderr, "a losskit call failed\n");
                    return 2;
                }
                int64_t g64 = 0, g32 = 0;
                for (int i = 0; i < N; i++) {
                    int64_t d = ulps64(grad[i], one_grad[i]);
                    int64_t e = ulps32(grad32[i], one_grad32[i]);
                    if (d > g64) g64 = d;
                    if (e > g32) g32 = e;
                }
                count(&tallies[weighted], ulps64(mean, one), g64);
                count(&tallies[2 + weighted], ulps32(mean32, one32), g32);
            }
        }
    }
    int failures = 0;
    failures += report("f64 unweighted", &tallies[0]);
    failures += report("f64 weighted", &tallies[1]);
    failures += report("f32 unweighted", &tallies[2]);
    failures += report("f32 weighted", &tallies[3]);
    if (failures)
        printf("MISMATCH\n");
    else
        printf("threads agree with one call (%d threads)\n", threads);
    return failures ? 1 : 0;
}
