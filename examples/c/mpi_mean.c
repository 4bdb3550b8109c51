/* The weighted mean squared error of data spread over MPI ranks, and its gradient: the
 * same, to one unit in the last place, as one process computing on all the data.
 *
 *   mpicc -O2 -I$PREFIX/include mpi_mean.c $PREFIX/lib/liblosskit.a -lpthread -ldl -lm -o mpi_mean
 *   mpirun -np 3 ./mpi_mean
 *
 * Each rank evaluates its shard with LK_REDUCTION_PARTIAL, which gives the pair
 * {sum of w*loss, sum of w}; MPI_Allreduce adds the pairs; the mean is sum / weight. A
 * second call writes the gradient of the global mean, with grad_scale = 1 / global weight.
 * Run as a test, rank 0 also computes everything alone and compares (exit status 1 on a
 * difference of more than one ulp).
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "losskit.h"

/* [docs:mpi] */
/* Another rank's call failed (its status is on that rank). */
#define OTHER_RANK_FAILED (-1)

/* The weighted MSE of data sharded over the ranks of `comm`: each rank passes its own n
 * elements (weight may be NULL) and gets the global mean, and in grad (NULL: not wanted)
 * the gradient of the global mean with respect to its own predictions. */
static int mse_global_f64(const double *pred, const double *target, const double *weight,
                          size_t n, MPI_Comm comm, double *mean, double *grad) {
    lk_partial mine = {0.0, 0.0};
    lk_options opts = lk_options_default();
    opts.reduction = LK_REDUCTION_PARTIAL; /* mine = {sum of w*loss, sum of w} */
    opts.partial = &mine;
    double sum;
    lk_status st = lk_mse_f64(pred, target, weight, n, &opts, &sum, NULL);

    /* Every rank joins the reduction, even after a failure, so that none waits forever. */
    double local[3] = {mine.sum, mine.weight, st != LK_OK}, global[3];
    MPI_Allreduce(local, global, 3, MPI_DOUBLE, MPI_SUM, comm);
    if (st != LK_OK) return st;
    if (global[2] > 0) return OTHER_RANK_FAILED;
    *mean = global[1] > 0 ? global[0] / global[1] : 0.0; /* LK_EMPTY_ZERO's rule */

    if (grad == NULL) return LK_OK;
    opts.grad_scale = global[1] > 0 ? 1.0 / global[1] : 0.0; /* d(global mean) / d(pred) */
    return lk_mse_f64(pred, target, weight, n, &opts, &sum, grad);
}
/* [docs:mpi-end] */

/* The same in single precision: the pair is double whatever the data type. */
static int mse_global_f32(const float *pred, const float *target, const float *weight,
                          size_t n, MPI_Comm comm, float *mean, float *grad) {
    lk_partial mine = {0.0, 0.0};
    lk_options opts = lk_options_default();
    opts.reduction = LK_REDUCTION_PARTIAL;
    opts.partial = &mine;
    float sum;
    lk_status st = lk_mse_f32(pred, target, weight, n, &opts, &sum, NULL);
    double local[3] = {mine.sum, mine.weight, st != LK_OK}, global[3];
    MPI_Allreduce(local, global, 3, MPI_DOUBLE, MPI_SUM, comm);
    if (st != LK_OK) return st;
    if (global[2] > 0) return OTHER_RANK_FAILED;
    *mean = (float)(global[1] > 0 ? global[0] / global[1] : 0.0);
    if (grad == NULL) return LK_OK;
    opts.grad_scale = global[1] > 0 ? 1.0 / global[1] : 0.0;
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

enum { N = 10007 };

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* The whole data set (every rank can make it; each uses its shard [lo, hi)). */
    static double pred[N], target[N], weight[N], grad[N], grad_all[N];
    static float pred32[N], target32[N], weight32[N], grad32[N], grad32_all[N];
    for (int i = 0; i < N; i++) {
        pred[i] = 3.0 * (double)((i * 7919) % 1000) / 1000.0 - 1.5;
        target[i] = (double)((i * 104729) % 997) / 997.0;
        weight[i] = 0.1 + (double)(i % 13) / 7.0;
        pred32[i] = (float)pred[i];
        target32[i] = (float)target[i];
        weight32[i] = (float)weight[i];
    }
    int counts[64], offsets[64];
    if (size > 64) MPI_Abort(MPI_COMM_WORLD, 2);
    for (int r = 0; r < size; r++) {
        offsets[r] = (int)((long)N * r / size);
        counts[r] = (int)((long)N * (r + 1) / size) - offsets[r];
    }
    const int lo = offsets[rank], n = counts[rank];

    int failures = 0;
    for (int weighted = 0; weighted < 2; weighted++) {
        /* double */
        double mean = 0;
        int st = mse_global_f64(pred + lo, target + lo, weighted ? weight + lo : NULL,
                                (size_t)n, MPI_COMM_WORLD, &mean, grad + lo);
        if (st != LK_OK) {
            fprintf(stderr, "rank %d: mse_global_f64 failed: %d\n", rank, st);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        MPI_Gatherv(grad + lo, n, MPI_DOUBLE, grad_all, counts, offsets, MPI_DOUBLE, 0,
                    MPI_COMM_WORLD);
        /* float */
        float mean32 = 0;
        st = mse_global_f32(pred32 + lo, target32 + lo, weighted ? weight32 + lo : NULL,
                            (size_t)n, MPI_COMM_WORLD, &mean32, grad32 + lo);
        if (st != LK_OK) {
            fprintf(stderr, "rank %d: mse_global_f32 failed: %d\n", rank, st);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        MPI_Gatherv(grad32 + lo, n, MPI_FLOAT, grad32_all, counts, offsets, MPI_FLOAT, 0,
                    MPI_COMM_WORLD);

        if (rank == 0) {
            /* One process, all the data. */
            double one, one_grad[N];
            float one32, one_grad32[N];
            if (lk_mse_f64(pred, target, weighted ? weight : NULL, N, NULL, &one, one_grad) !=
                    LK_OK ||
                lk_mse_f32(pred32, target32, weighted ? weight32 : NULL, N, NULL, &one32,
                           one_grad32) != LK_OK) {
                fprintf(stderr, "single-process call failed\n");
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            int64_t g64 = 0, g32 = 0;
            for (int i = 0; i < N; i++) {
                int64_t d = ulps64(grad_all[i], one_grad[i]);
                int64_t e = ulps32(grad32_all[i], one_grad32[i]);
                if (d > g64) g64 = d;
                if (e > g32) g32 = e;
            }
            int64_t v64 = ulps64(mean, one), v32 = ulps32(mean32, one32);
            printf("%s f64: mean %.17g, one process %.17g: %lld ulp; gradient max %lld ulp\n",
                   weighted ? "weighted" : "unweighted", mean, one, (long long)v64,
                   (long long)g64);
            printf("%s f32: mean %.9g, one process %.9g: %lld ulp; gradient max %lld ulp\n",
                   weighted ? "weighted" : "unweighted", mean32, one32, (long long)v32,
                   (long long)g32);
            if (v64 > 1 || g64 > 1 || v32 > 1 || g32 > 1) failures++;
        }
    }
    if (rank == 0) printf(failures ? "MISMATCH\n" : "ranks agree with one process\n");
    MPI_Bcast(&failures, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return failures ? 1 : 0;
}
