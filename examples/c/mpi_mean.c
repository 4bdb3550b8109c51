/* The weighted mean squared error of data spread over MPI ranks, and its gradient: the
 * same, to one unit in the last place, as one process computing on all the data.
 *
 *   mpicc -O2 -I$PREFIX/include mpi_mean.c $PREFIX/lib/liblosskit.a -lpthread -ldl -lm -o mpi_mean
 *   mpirun -np 3 ./mpi_mean
 *
 * Each rank evaluates its shard with LK_REDUCTION_PARTIAL, which gives the partial
 * {sum of w*loss, sum of w} with the remainders of both sums; MPI_Allreduce merges the
 * partials with lk_partial_merge (an MPI user operation), which keeps the remainders; the
 * mean is lk_partial_mean of the result. A second call writes the gradient of the global
 * mean, with grad_scale = 1 / global weight.
 * Run as a test, it draws random data sets (several sizes, random shard boundaries, with
 * and without random weights, values over six decades) in double and single precision;
 * rank 0 also computes everything alone, prints how many ulp apart the results are, and
 * exits with status 1 if any differs by more than one ulp.
 */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "losskit.h"

/* [docs:mpi] */
/* Another rank's call failed (its status is on that rank). */
#define OTHER_RANK_FAILED (-1)

_Static_assert(sizeof(lk_partial) == 4 * sizeof(double), "lk_partial is 4 doubles");

/* The MPI reduction operator: merges lk_partial values, keeping their remainders. */
static void partial_merge_op(void *in, void *inout, int *len, MPI_Datatype *type) {
    (void)type;
    const lk_partial *from = in;
    lk_partial *into = inout;
    for (int i = 0; i < *len; i++) lk_partial_merge(&into[i], &from[i]);
}

/* Merges *p over the ranks of comm, in place (every rank gets the merged partial). */
static void allreduce_partial(lk_partial *p, MPI_Comm comm) {
    MPI_Datatype type;
    MPI_Op op;
    MPI_Type_contiguous(4, MPI_DOUBLE, &type);
    MPI_Type_commit(&type);
    MPI_Op_create(partial_merge_op, 1 /* commutative */, &op);
    MPI_Allreduce(MPI_IN_PLACE, p, 1, type, op, comm);
    MPI_Op_free(&op);
    MPI_Type_free(&type);
}

/* The weighted MSE of data sharded over the ranks of `comm`: each rank passes its own n
 * elements (weight may be NULL) and gets the global mean, and in grad (NULL: not wanted)
 * the gradient of the global mean with respect to its own predictions. */
static int mse_global_f64(const double *pred, const double *target, const double *weight,
                          size_t n, MPI_Comm comm, double *mean, double *grad) {
    lk_partial part = {0};
    lk_options opts = lk_options_default();
    opts.reduction = LK_REDUCTION_PARTIAL; /* part = {sum of w*loss, sum of w, remainders} */
    opts.partial = &part;
    double sum;
    lk_status st = lk_mse_f64(pred, target, weight, n, &opts, &sum, NULL);

    /* Every rank joins the reduction, even after a failure, so that none waits forever; a
     * failed rank sends a NaN weight, which no successful call gives. */
    if (st != LK_OK) part.weight = NAN;
    allreduce_partial(&part, comm);
    if (st != LK_OK) return st;
    if (isnan(part.weight)) return OTHER_RANK_FAILED;
    st = lk_partial_mean(&part, LK_EMPTY_ZERO, mean);
    if (st != LK_OK || grad == NULL) return st;

    opts.grad_scale = part.weight > 0 ? 1.0 / part.weight : 0.0; /* d(global mean)/d(pred) */
    return lk_mse_f64(pred, target, weight, n, &opts, &sum, grad);
}
/* [docs:mpi-end] */

/* The same in single precision: the partial is double whatever the data type. */
static int mse_global_f32(const float *pred, const float *target, const float *weight,
                          size_t n, MPI_Comm comm, float *mean, float *grad) {
    lk_partial part = {0};
    lk_options opts = lk_options_default();
    opts.reduction = LK_REDUCTION_PARTIAL;
    opts.partial = &part;
    float sum;
    lk_status st = lk_mse_f32(pred, target, weight, n, &opts, &sum, NULL);
    if (st != LK_OK) part.weight = NAN;
    allreduce_partial(&part, comm);
    if (st != LK_OK) return st;
    if (isnan(part.weight)) return OTHER_RANK_FAILED;
    double m;
    st = lk_partial_mean(&part, LK_EMPTY_ZERO, &m);
    if (st != LK_OK) return st;
    *mean = (float)m;
    if (grad == NULL) return LK_OK;
    opts.grad_scale = part.weight > 0 ? 1.0 / part.weight : 0.0;
    return lk_mse_f32(pred, target, weight, n, &opts, &sum, grad);
}

/* Distance in units in the last place (0: the same number). */
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

/* splitmix64: every rank draws the same numbers. */
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

static void check(int st, int rank, const char *what) {
    if (st != LK_OK) {
        fprintf(stderr, "rank %d: %s failed: %d\n", rank, what, st);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size > 64) MPI_Abort(MPI_COMM_WORLD, 2);

    /* The whole data set (every rank makes it; each uses its shard [lo, lo + n)). */
    static double pred[MAX_N], target[MAX_N], weight[MAX_N], grad[MAX_N], grad_all[MAX_N],
        one_grad[MAX_N];
    static float pred32[MAX_N], target32[MAX_N], weight32[MAX_N], grad32[MAX_N],
        grad32_all[MAX_N], one_grad32[MAX_N];
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
            /* Random shard boundaries (shards may be empty). */
            int cuts[65], counts[64], offsets[64];
            cuts[0] = 0;
            cuts[size] = N;
            for (int r = 1; r < size; r++) cuts[r] = (int)(next_u64() % (uint64_t)(N + 1));
            for (int r = 1; r < size; r++)
                for (int q = r + 1; q < size; q++)
                    if (cuts[q] < cuts[r]) {
                        int tmp = cuts[q];
                        cuts[q] = cuts[r];
                        cuts[r] = tmp;
                    }
            for (int r = 0; r < size; r++) {
                offsets[r] = cuts[r];
                counts[r] = cuts[r + 1] - cuts[r];
            }
            const int lo = offsets[rank], n = counts[rank];

            for (int weighted = 0; weighted < 2; weighted++) {
                double mean = 0;
                float mean32 = 0;
                check(mse_global_f64(pred + lo, target + lo, weighted ? weight + lo : NULL,
                                     (size_t)n, MPI_COMM_WORLD, &mean, grad + lo),
                      rank, "mse_global_f64");
                check(mse_global_f32(pred32 + lo, target32 + lo,
                                     weighted ? weight32 + lo : NULL, (size_t)n,
                                     MPI_COMM_WORLD, &mean32, grad32 + lo),
                      rank, "mse_global_f32");
                MPI_Gatherv(grad + lo, n, MPI_DOUBLE, grad_all, counts, offsets, MPI_DOUBLE,
                            0, MPI_COMM_WORLD);
                MPI_Gatherv(grad32 + lo, n, MPI_FLOAT, grad32_all, counts, offsets,
                            MPI_FLOAT, 0, MPI_COMM_WORLD);
                if (rank != 0) continue;
                /* One process, all the data. */
                double one;
                float one32;
                check(lk_mse_f64(pred, target, weighted ? weight : NULL, (size_t)N, NULL, &one,
                                 one_grad),
                      rank, "lk_mse_f64 on all the data");
                check(lk_mse_f32(pred32, target32, weighted ? weight32 : NULL, (size_t)N, NULL,
                                 &one32, one_grad32),
                      rank, "lk_mse_f32 on all the data");
                int64_t g64 = 0, g32 = 0;
                for (int i = 0; i < N; i++) {
                    int64_t d = ulps64(grad_all[i], one_grad[i]);
                    int64_t e = ulps32(grad32_all[i], one_grad32[i]);
                    if (d > g64) g64 = d;
                    if (e > g32) g32 = e;
                }
                count(&tallies[weighted], ulps64(mean, one), g64);
                count(&tallies[2 + weighted], ulps32(mean32, one32), g32);
            }
        }
    }
    int failures = 0;
    if (rank == 0) {
        failures += report("f64 unweighted", &tallies[0]);
        failures += report("f64 weighted", &tallies[1]);
        failures += report("f32 unweighted", &tallies[2]);
        failures += report("f32 weighted", &tallies[3]);
        if (failures)
            printf("MISMATCH\n");
        else
            printf("ranks agree with one process (%d ranks)\n", size);
    }
    MPI_Bcast(&failures, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return failures ? 1 : 0;
}
