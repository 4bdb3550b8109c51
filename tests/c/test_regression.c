/* The regression family through the C ABI: values and gradients against formulas written
 * here in double, every reduction, masks, magic numbers, per-row means, and the statuses of
 * bad calls with their outputs left untouched. Built by capi/tests/c_programs.rs with
 * gcc -std=c99 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined. */
#include "losskit.h"
#include "check.h"
#include <stdint.h>
#include <string.h>

#define N 7
static const double P[N] = {0.5, -1.25, 3.0, 2.0, 0.0, 10.0, -4.5};
static const double Y[N] = {0.0, -1.0, 1.0, 2.5, 0.0, 7.0, -4.0};

static double sq(double x) { return x * x; }
static double sgn(double x) { return (double)((x > 0) - (x < 0)); }
static double huber(double d, double delta) {
    return fabs(d) < delta ? 0.5 * d * d : delta * (fabs(d) - 0.5 * delta);
}
static double huber_grad(double d, double delta) { return fabs(d) < delta ? d : delta * sgn(d); }

static void test_mse_mean_f64(void) {
    double out = -1, grad[N], ref = 0;
    int i;
    for (i = 0; i < N; i++) ref += sq(P[i] - Y[i]);
    ref /= N;
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, NULL, &out, grad), LK_OK);
    CHECK_CLOSE(out, ref, 1e-15);
    for (i = 0; i < N; i++) CHECK_CLOSE(grad[i], 2.0 * (P[i] - Y[i]) / N, 1e-15);
}

static void test_huber_f32_weighted_masked(void) {
    float p[N], y[N], w[N], grad[N], out = -1;
    uint8_t mask[N] = {1, 1, 0, 1, 1, 1, 1};
    double num = 0, den = 0;
    lk_options o = lk_options_default();
    int i;
    for (i = 0; i < N; i++) {
        p[i] = (float)P[i];
        y[i] = (float)Y[i];
        w[i] = (float)(0.5 + i);
    }
    for (i = 0; i < N; i++)
        if (mask[i]) {
            num += w[i] * huber((double)p[i] - y[i], 1.5);
            den += w[i];
        }
    o.mask = mask;
    CHECK_STATUS(lk_huber_f32(p, y, w, N, 1.5f, &o, &out, grad), LK_OK);
    CHECK_CLOSE(out, num / den, 1e-6);
    for (i = 0; i < N; i++) {
        double g = mask[i] ? w[i] * huber_grad((double)p[i] - y[i], 1.5) / den : 0.0;
        CHECK_CLOSE(grad[i], g, 1e-6);
    }
}

static void test_reductions_and_partial(void) {
    double out[N], grad[N], sum = 0, s;
    lk_partial part = {0};
    lk_options o = lk_options_default();
    int i;
    for (i = 0; i < N; i++) sum += fabs(P[i] - Y[i]);
    o.reduction = LK_REDUCTION_NONE;
    CHECK_STATUS(lk_mae_f64(P, Y, NULL, N, &o, out, grad), LK_OK);
    for (i = 0; i < N; i++) {
        CHECK_CLOSE(out[i], fabs(P[i] - Y[i]), 1e-15);
        CHECK_CLOSE(grad[i], sgn(P[i] - Y[i]), 0);
    }
    o.reduction = LK_REDUCTION_SUM;
    CHECK_STATUS(lk_mae_f64(P, Y, NULL, N, &o, &s, NULL), LK_OK);
    CHECK_CLOSE(s, sum, 1e-15);
    /* PARTIAL with the global normaliser in grad_scale: the gradient of the mean. */
    o.reduction = LK_REDUCTION_PARTIAL;
    o.partial = &part;
    o.grad_scale = 1.0 / N;
    CHECK_STATUS(lk_mae_f64(P, Y, NULL, N, &o, &s, grad), LK_OK);
    CHECK_CLOSE(part.sum, sum, 1e-15);
    CHECK_CLOSE(part.weight, N, 0);
    for (i = 0; i < N; i++) CHECK_CLOSE(grad[i], sgn(P[i] - Y[i]) / N, 1e-15);
    /* PARTIAL needs somewhere to put the pair. */
    o.partial = NULL;
    CHECK_STATUS(lk_mae_f64(P, Y, NULL, N, &o, &s, NULL), LK_ERR_NULL_POINTER);
}

/* lk_partial_merge keeps the remainders of the sums (double-double addition), and
 * lk_partial_mean divides the double-doubles with one rounding; results worked out by hand. */
static void test_partial_merge_and_mean(void) {
    const double W[N] = {0.5, 1.5, 2.0, 0.25, 3.0, 1.0, 0.75};
    double whole = 0, s, mean = -1;
    lk_partial a = {0}, b = {0}, m = {0};
    lk_options o = lk_options_default();
    /* Two shards merged give the whole weighted mean. */
    CHECK_STATUS(lk_log_cosh_f64(P, Y, W, N, NULL, &whole, NULL), LK_OK);
    o.reduction = LK_REDUCTION_PARTIAL;
    o.partial = &a;
    CHECK_STATUS(lk_log_cosh_f64(P, Y, W, 3, &o, &s, NULL), LK_OK);
    o.partial = &b;
    CHECK_STATUS(lk_log_cosh_f64(P + 3, Y + 3, W + 3, N - 3, &o, &s, NULL), LK_OK);
    CHECK_STATUS(lk_partial_merge(&m, &a), LK_OK);
    CHECK_STATUS(lk_partial_merge(&m, &b), LK_OK);
    CHECK(m.weight == 9.0 && m.weight_lo == 0.0);
    CHECK_STATUS(lk_partial_mean(&m, LK_EMPTY_ERROR, &mean), LK_OK);
    CHECK_CLOSE(mean, whole, 2.3e-16);
    /* The remainders: 1 + 2^-60 and 2^-70 add to 1 + (2^-60 + 2^-70), which plain double
     * addition would round to 1. */
    a.sum = 1.0;
    a.sum_lo = ldexp(1.0, -60);
    a.weight = 3.0;
    a.weight_lo = 0.0;
    b.sum = ldexp(1.0, -70);
    b.sum_lo = 0.0;
    b.weight = 1.0;
    b.weight_lo = ldexp(1.0, -80);
    m = a;
    CHECK_STATUS(lk_partial_merge(&m, &b), LK_OK);
    CHECK(m.sum == 1.0 && m.sum_lo == ldexp(1.0, -60) + ldexp(1.0, -70));
    CHECK(m.weight == 4.0 && m.weight_lo == ldexp(1.0, -80));
    /* Commutative, and `into` may be `from` (doubling). */
    CHECK_STATUS(lk_partial_merge(&b, &a), LK_OK);
    CHECK(memcmp(&b, &m, sizeof m) == 0);
    CHECK_STATUS(lk_partial_merge(&a, &a), LK_OK);
    CHECK(a.sum == 2.0 && a.sum_lo == ldexp(1.0, -59) && a.weight == 6.0);
    /* One rounding: (1 + 2^-53) / (1 - 2^-60) is just above 1 + 2^-53, so 1 + 2^-52. */
    a.sum = 1.0;
    a.sum_lo = ldexp(1.0, -53);
    a.weight = 1.0;
    a.weight_lo = -ldexp(1.0, -60);
    CHECK_STATUS(lk_partial_mean(&a, LK_EMPTY_ZERO, &mean), LK_OK);
    CHECK(mean == 1.0 + ldexp(1.0, -52));
    /* Empty policies, bad enum, NULL pointers: statuses, outputs untouched. */
    memset(&a, 0, sizeof a);
    CHECK_STATUS(lk_partial_mean(&a, LK_EMPTY_ZERO, &mean), LK_OK);
    CHECK(mean == 0.0);
    mean = -1;
    CHECK_STATUS(lk_partial_mean(&a, LK_EMPTY_ERROR, &mean), LK_ERR_EMPTY_MEAN);
    CHECK_STATUS(lk_partial_mean(&m, 7, &mean), LK_ERR_BAD_ENUM);
    CHECK(mean == -1);
    CHECK_STATUS(lk_partial_mean(NULL, LK_EMPTY_ZERO, &mean), LK_ERR_NULL_POINTER);
    CHECK_STATUS(lk_partial_mean(&m, LK_EMPTY_ZERO, NULL), LK_ERR_NULL_POINTER);
    b = m;
    CHECK_STATUS(lk_partial_merge(NULL, &b), LK_ERR_NULL_POINTER);
    CHECK_STATUS(lk_partial_merge(&b, NULL), LK_ERR_NULL_POINTER);
    CHECK(memcmp(&b, &m, sizeof m) == 0);
}

/* SPEC.md section 6.4: astroNN's per-sample masked means with the magic number. */
static void test_astronn_rows(void) {
    const double M = LK_ASTRONN_MAGIC;
    double y[6] = {2, M, 4, 2, M, 4}, p[6] = {2, 3, 4, 2, 3, 7}, out[2], grad[6];
    lk_options o = lk_options_default();
    o.use_magic = 1;
    o.row_len = 3;
    o.reduction = LK_REDUCTION_NONE;
    CHECK_STATUS(lk_mae_f64(p, y, NULL, 6, &o, out, NULL), LK_OK);
    CHECK_CLOSE(out[0], 0.0, 0);
    CHECK_CLOSE(out[1], 1.5, 1e-15);
    CHECK_STATUS(lk_mse_f64(p, y, NULL, 6, &o, out, NULL), LK_OK);
    CHECK_CLOSE(out[1], 4.5, 1e-15);
    /* Batch mean of the row means, and its gradient: only the unmasked slot moves. */
    o.reduction = LK_REDUCTION_MEAN;
    CHECK_STATUS(lk_mse_f64(p, y, NULL, 6, &o, out, grad), LK_OK);
    CHECK_CLOSE(out[0], 2.25, 1e-15);
    CHECK_CLOSE(grad[1], 0.0, 0);
    CHECK_CLOSE(grad[5], 2.0 * 3.0 / 2.0 / 2.0, 1e-15);
}

static void test_rmse_and_versions(void) {
    float p[3] = {1, 2, 3}, y[3] = {0, 0, 0}, out = 0, grad[3];
    char buf[16];
    CHECK_STATUS(lk_rmse_f32(p, y, NULL, 3, NULL, &out, grad), LK_OK);
    CHECK_CLOSE(out, sqrt(14.0 / 3.0), 1e-6); /* graph-pes' own test value */
    CHECK_CLOSE(grad[2], 3.0 / 3.0 / sqrt(14.0 / 3.0), 1e-6);
    snprintf(buf, sizeof buf, "%d.%d.%d", LK_VERSION_MAJOR, LK_VERSION_MINOR, LK_VERSION_PATCH);
    CHECK(strcmp(buf, lk_version()) == 0);
    CHECK(strcmp(lk_status_name(LK_ERR_ALIASING), "LK_ERR_ALIASING") == 0);
    CHECK(strcmp(lk_status_name(12345), "LK_ERR_UNKNOWN") == 0);
}

/* Every bad call returns its status and leaves the outputs exactly as they were. */
static void test_bad_input(void) {
    double out = 42.0, grad[N], vals[N];
    float out32 = 42.0f;
    double w[N] = {1, 1, 1, -1, 1, 1, 1};
    char msg[256];
    lk_options o = lk_options_default();
    int i;
    for (i = 0; i < N; i++) grad[i] = vals[i] = 42.0;
    CHECK_STATUS(lk_mse_f64(NULL, Y, NULL, N, NULL, &out, grad), LK_ERR_NULL_POINTER);
    CHECK_STATUS(lk_mse_f64(P, NULL, NULL, N, NULL, &out, grad), LK_ERR_NULL_POINTER);
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, NULL, NULL, grad), LK_ERR_NULL_POINTER);
    CHECK_STATUS(lk_huber_f64(P, Y, NULL, N, 0.0, NULL, &out, grad), LK_ERR_BAD_PARAMETER);
    CHECK(lk_last_error_message(msg, sizeof msg) > 0 && strstr(msg, "delta") != NULL);
    CHECK_STATUS(lk_huber_f32((const float *)(const void *)P, (const float *)(const void *)Y,
                              NULL, N, -1.0f, NULL, &out32, NULL),
                 LK_ERR_BAD_PARAMETER);
    CHECK_STATUS(lk_smooth_l1_f64(P, Y, NULL, N, -0.5, NULL, &out, grad), LK_ERR_BAD_PARAMETER);
    CHECK_STATUS(lk_mse_f64(P, Y, w, N, NULL, &out, grad), LK_ERR_BAD_PARAMETER);
    o.reduction = 99;
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, &o, &out, grad), LK_ERR_BAD_ENUM);
    o = lk_options_default();
    o.empty = -3;
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, &o, &out, grad), LK_ERR_BAD_ENUM);
    o = lk_options_default();
    o.row_len = 3; /* 7 is not a whole number of rows of 3 */
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, &o, &out, grad), LK_ERR_LENGTH_MISMATCH);
    o = lk_options_default();
    o.reduction = LK_REDUCTION_NONE;
    CHECK_STATUS(lk_rmse_f64(P, Y, NULL, N, &o, vals, grad), LK_ERR_BAD_PARAMETER);
    /* The gradient may not overwrite an input, nor the value the gradient. */
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, NULL, &out, (double *)(void *)Y), LK_ERR_ALIASING);
    CHECK_STATUS(lk_mse_f64(P, Y, NULL, N, NULL, &grad[2], grad), LK_ERR_ALIASING);
    /* Misaligned data. */
    CHECK_STATUS(lk_mse_f64((const double *)(const void *)((const char *)P + 1), Y, NULL, 2,
                            NULL, &out, NULL),
                 LK_ERR_MISALIGNED);
    /* An empty mean under each policy. */
    o = lk_options_default();
    o.empty = LK_EMPTY_ERROR;
    CHECK_STATUS(lk_mse_f64(NULL, NULL, NULL, 0, &o, &out, NULL), LK_ERR_EMPTY_MEAN);
    CHECK(out == 42.0);
    for (i = 0; i < N; i++) CHECK(grad[i] == 42.0 && vals[i] == 42.0);
    o.empty = LK_EMPTY_NAN;
    CHECK_STATUS(lk_mse_f64(NULL, NULL, NULL, 0, &o, &out, NULL), LK_OK);
    CHECK(out != out);
    o.empty = LK_EMPTY_ZERO;
    CHECK_STATUS(lk_mse_f64(NULL, NULL, NULL, 0, &o, &out, NULL), LK_OK);
    CHECK(out == 0.0);
}

int main(void) {
    test_mse_mean_f64();
    test_huber_f32_weighted_masked();
    test_reductions_and_partial();
    test_partial_merge_and_mean();
    test_astronn_rows();
    test_rmse_and_versions();
    test_bad_input();
    if (lk_test_failures) {
        fprintf(stderr, "%d C checks failed\n", lk_test_failures);
        return 1;
    }
    printf("all C checks passed\n");
    return 0;
}
