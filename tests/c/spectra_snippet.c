/* The spectra-fitting loss (DRDMannTurb) and the boundary penalties (Rockpool) through the
 * C ABI, f32 and f64: the SPEC.md section 6.6 values, gradients against formulas written
 * here, the NaN report, and the statuses of bad calls with their outputs left untouched.
 *
 * int check_spectra(void) returns the number of failed checks (0: all passed). It uses no
 * helper from other test files, so it can be compiled into any C test runner. */
#include "losskit.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static int spectra_failures;

#define SPX_CHECK(cond)                                                            \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            spectra_failures++;                                                    \
        }                                                                          \
    } while (0)

/* |a - b| <= rel * |b| (or a == b) */
#define SPX_CLOSE(a, b, rel)                                                       \
    do {                                                                           \
        double a_ = (double)(a), b_ = (double)(b);                                 \
        if (!(a_ == b_ || fabs(a_ - b_) <= (rel) * fabs(b_))) {                    \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__,       \
                    __LINE__, #a, a_, b_);                                         \
            spectra_failures++;                                                    \
        }                                                                          \
    } while (0)

#define SPX_STATUS(call, expected)                                                 \
    do {                                                                           \
        lk_status st_ = (call);                                                    \
        if (st_ != (expected)) {                                                   \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__,      \
                    __LINE__, #call, lk_status_name(st_), lk_status_name(expected)); \
            spectra_failures++;                                                    \
        }                                                                          \
    } while (0)

/* k1 = [1, 10, 100], one component y = [1, 2, 8], data = 1: SPEC 6.6. */
static void spectra_single_component(void) {
    const double k1[3] = {1.0, 10.0, 100.0}, y[3] = {1.0, 2.0, 8.0}, t[3] = {1, 1, 1};
    const float k1f[3] = {1.0f, 10.0f, 100.0f}, yf[3] = {1.0f, 2.0f, 8.0f}, tf[3] = {1, 1, 1};
    double work[6], grad[3];
    float gradf[3];
    lk_spectra_grid grid;
    lk_spectra_params p = lk_spectra_params_default();
    lk_spectra_terms terms;
    int i;

    SPX_CHECK(lk_spectra_workspace_len(3) == 6);
    SPX_CHECK(lk_spectra_workspace_len(1) == 0);
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, &grid), LK_OK);
    SPX_CLOSE(work[0], 1.0 / log(10.0), 1e-15);
    p.alpha_pen1 = 1.0;
    p.alpha_pen2 = 1.0;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   grad, NULL, NULL),
               LK_OK);
    SPX_CLOSE(terms.mse, 1.6015100464, 1e-10);
    SPX_CLOSE(terms.pen1, 0.2265476457, 1e-8);
    SPX_CLOSE(terms.pen2, 0.0170918144, 1e-8);
    SPX_CLOSE(terms.total, terms.mse + terms.pen1 + terms.pen2, 1e-15);
    SPX_CHECK(terms.reg == 0.0 && terms.coherence == 0.0);

    /* zref = 2 rescales the penalties by 1/2 and 1/4. */
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 2.0, work, 6, &grid), LK_OK);
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   NULL, NULL, NULL),
               LK_OK);
    SPX_CLOSE(terms.pen1, 0.1132738229, 1e-8);
    SPX_CLOSE(terms.pen2, 0.0042729536, 3e-8);

    /* MSE alone (NULL params): gradient 2 ln|y/t| / (C L y), times the scale. */
    {
        lk_grad_options g = lk_grad_options_default();
        g.scale = 0.5;
        SPX_STATUS(lk_spectra_eval_f64(&grid, NULL, y, t, 1, NULL, 0, NULL, NULL, 0, &g,
                                       &terms, grad, NULL, NULL),
                   LK_OK);
        for (i = 0; i < 3; i++) SPX_CLOSE(grad[i], 0.5 * 2.0 * log(y[i]) / (3.0 * y[i]), 1e-14);
    }

    /* f32: the same values (computed in double inside). */
    SPX_STATUS(lk_spectra_grid_init_f32(k1f, 3, 1.0f, work, 6, &grid), LK_OK);
    SPX_STATUS(lk_spectra_eval_f32(&grid, &p, yf, tf, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   gradf, NULL, NULL),
               LK_OK);
    SPX_CLOSE(terms.mse, 1.6015100464, 1e-7);
    SPX_CLOSE(terms.pen1, 0.2265476457, 1e-6);
    SPX_CLOSE(terms.pen2, 0.0170918144, 1e-6);
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, &grid), LK_OK);
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   grad, NULL, NULL),
               LK_OK);
    for (i = 0; i < 3; i++) SPX_CLOSE(gradf[i], grad[i], 1e-6);
}

/* The non-uniform C = 2 case with theta, both parameter sets (SPEC 6.6). */
static void spectra_nonuniform(void) {
    const double k1[4] = {0.1, 0.2, 0.5, 1.0};
    const double y[8] = {4, 3, 2.5, 1, -0.5, -0.4, -0.45, -0.1};
    const double t[8] = {3, 3, 2, 1.5, -0.6, -0.3, -0.4, -0.2};
    const double theta[3] = {0.5, -1.0, 2.0};
    float yf[8], tf[8], thetaf[3], k1f[4], gtf[3];
    double work[10], gt[3];
    lk_spectra_grid grid;
    lk_spectra_params p = lk_spectra_params_default();
    lk_spectra_terms terms;
    int i;

    SPX_STATUS(lk_spectra_grid_init_f64(k1, 4, 90.0, work, 10, &grid), LK_OK);
    p.alpha_pen1 = 1.0;
    p.alpha_pen2 = 1.0;
    p.beta_reg = 1e-5;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 2, theta, 3, NULL, NULL, 0, NULL, &terms,
                                   NULL, gt, NULL),
               LK_OK);
    SPX_CLOSE(terms.mse, 0.1134104944, 1e-9);
    SPX_CLOSE(terms.pen1, 3.05988524e-5, 3e-8);
    SPX_CLOSE(terms.pen2, 1.18965761e-5, 3e-8);
    SPX_CLOSE(terms.reg, 1.75e-5, 1e-12);
    SPX_CLOSE(terms.total, 0.1134704899, 1e-9);
    for (i = 0; i < 3; i++) SPX_CLOSE(gt[i], 2.0 * 1e-5 * theta[i] / 3.0, 1e-14);

    SPX_STATUS(lk_spectra_grid_init_f64(k1, 4, 1.0, work, 10, &grid), LK_OK);
    p.alpha_pen1 = 1e-5;
    p.beta_reg = 2e-4;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 2, theta, 3, NULL, NULL, 0, NULL, &terms,
                                   NULL, NULL, NULL),
               LK_OK);
    SPX_CLOSE(terms.pen1, 2.75389672e-8, 3e-8);
    SPX_CLOSE(terms.pen2, 0.0963622661, 1e-9);
    SPX_CLOSE(terms.reg, 3.5e-4, 1e-12);
    SPX_CLOSE(terms.total, 0.2101227881, 1e-9);

    for (i = 0; i < 8; i++) {
        yf[i] = (float)y[i];
        tf[i] = (float)t[i];
    }
    for (i = 0; i < 4; i++) k1f[i] = (float)k1[i];
    for (i = 0; i < 3; i++) thetaf[i] = (float)theta[i];
    SPX_STATUS(lk_spectra_grid_init_f32(k1f, 4, 1.0f, work, 10, &grid), LK_OK);
    SPX_STATUS(lk_spectra_eval_f32(&grid, &p, yf, tf, 2, thetaf, 3, NULL, NULL, 0, NULL, &terms,
                                   NULL, gtf, NULL),
               LK_OK);
    SPX_CLOSE(terms.total, 0.2101227881, 1e-6);
    for (i = 0; i < 3; i++) SPX_CLOSE(gtf[i], 2.0 * 2e-4 * theta[i] / 3.0, 1e-6);

    /* Trapezoid norm and coherence are accepted; coherence = gamma * mean (m - d)^2. */
    {
        const double cm[3] = {0.2, 0.4, 0.6}, cd[3] = {0.0, 0.5, 0.5};
        double gc[3];
        p.norm = LK_SPECTRA_NORM_TRAPEZOID;
        p.gamma_coherence = 2.0;
        SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 2, theta, 3, cm, cd, 3, NULL, &terms,
                                       NULL, NULL, gc),
                   LK_OK);
        SPX_CLOSE(terms.coherence, 2.0 * (0.04 + 0.01 + 0.01) / 3.0, 1e-14);
        for (i = 0; i < 3; i++) SPX_CLOSE(gc[i], 2.0 * 2.0 * (cm[i] - cd[i]) / 3.0, 1e-14);
    }
}

static void spectra_errors(void) {
    const double k1[3] = {1.0, 10.0, 100.0}, y[3] = {0.0, 2.0, 8.0}, t[3] = {0.0, 1.0, 1.0};
    const double bad_k1[3] = {1.0, 0.0, 100.0};
    double work[6] = {-7, -7, -7, -7, -7, -7}, grad[3] = {5, 5, 5};
    lk_spectra_grid grid;
    lk_spectra_params p = lk_spectra_params_default();
    lk_spectra_terms terms;

    /* Bad grids: nothing written. */
    SPX_STATUS(lk_spectra_grid_init_f64(bad_k1, 3, 1.0, work, 6, &grid), LK_ERR_BAD_PARAMETER);
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 0.0, work, 6, &grid), LK_ERR_BAD_PARAMETER);
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 5, &grid), LK_ERR_LENGTH_MISMATCH);
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, NULL), LK_ERR_NULL_POINTER);
    SPX_CHECK(work[0] == -7 && work[1] == -7 && work[5] == -7);

    /* The curvature term on a grid of 2 points. */
    SPX_STATUS(lk_spectra_grid_init_f64(k1, 2, 1.0, work, 2, &grid), LK_OK);
    p.alpha_pen2 = 1.0;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   NULL, NULL, NULL),
               LK_ERR_BAD_PARAMETER);

    SPX_STATUS(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, &grid), LK_OK);
    p.norm = 7;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   grad, NULL, NULL),
               LK_ERR_BAD_ENUM);
    p.norm = LK_SPECTRA_NORM_MEAN;
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, NULL, grad,
                                   NULL, NULL),
               LK_ERR_NULL_POINTER);
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 0, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   grad, NULL, NULL),
               LK_ERR_LENGTH_MISMATCH);
    /* An output overlapping an input. */
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   (double *)y, NULL, NULL),
               LK_ERR_ALIASING);
    SPX_CHECK(grad[0] == 5 && grad[1] == 5 && grad[2] == 5);

    /* 0/0 in the log-ratio: LK_ERR_NOT_FINITE, and the terms and gradient ARE written. */
    memset(&terms, 0, sizeof terms);
    SPX_STATUS(lk_spectra_eval_f64(&grid, &p, y, t, 1, NULL, 0, NULL, NULL, 0, NULL, &terms,
                                   grad, NULL, NULL),
               LK_ERR_NOT_FINITE);
    SPX_CHECK(isnan(terms.total) && isnan(terms.mse));
    SPX_CHECK(isnan(grad[0]));
    SPX_CLOSE(grad[1], 2.0 * log(2.0) / (3.0 * 2.0), 1e-14);
    SPX_CLOSE(grad[2], 2.0 * log(8.0) / (3.0 * 8.0), 1e-14);
}

static void penalty_values(void) {
    double x[10], g[10];
    float xf[10], gf[10], out_f;
    double out;
    const double e = exp(1.0);
    lk_boundary_regularizer reg = lk_boundary_regularizer_default();
    int i;

    /* Rockpool's test: 2 * ones(10) and -2 * ones(10) with bounds [-1, 1] give 10 e. */
    for (i = 0; i < 10; i++) {
        x[i] = 2.0;
        xf[i] = -2.0f;
    }
    SPX_STATUS(lk_summed_exp_boundary_loss_f64(x, 10, -1.0, 1.0, NULL, &out, g), LK_OK);
    SPX_CLOSE(out, 10.0 * e, 1e-15);
    for (i = 0; i < 10; i++) SPX_CLOSE(g[i], e, 1e-15);
    SPX_STATUS(lk_summed_exp_boundary_loss_f32(xf, 10, -1.0f, 1.0f, NULL, &out_f, gf), LK_OK);
    SPX_CLOSE(out_f, 10.0 * e, 1e-6);
    for (i = 0; i < 10; i++) SPX_CLOSE(gf[i], -e, 1e-6);
    /* At the bounds: 0. */
    for (i = 0; i < 10; i++) x[i] = (i % 2) ? 1.0 : -1.0;
    SPX_STATUS(lk_summed_exp_boundary_loss_f64(x, 10, -1.0, 1.0, NULL, &out, NULL), LK_OK);
    SPX_CHECK(out == 0.0);
    /* sebl([1.5, -2, 0.3], -1, 1) = e^0.5 + e. */
    x[0] = 1.5;
    x[1] = -2.0;
    x[2] = 0.3;
    SPX_STATUS(lk_summed_exp_boundary_loss_f64(x, 3, -1.0, 1.0, NULL, &out, NULL), LK_OK);
    SPX_CLOSE(out, 4.3670030992, 1e-10);
    /* The regulariser object, no bounds, then a lower bound of 0 (a real bound here). */
    SPX_STATUS(lk_boundary_regularizer_f64(&reg, x, 3, NULL, &out, NULL), LK_OK);
    SPX_CHECK(out == 0.0);
    reg.lower = 0.0;
    x[0] = -5.0;
    SPX_STATUS(lk_boundary_regularizer_f64(&reg, x, 1, NULL, &out, g), LK_OK);
    SPX_CLOSE(out, exp(5.0), 1e-15);
    SPX_CLOSE(g[0], -exp(5.0), 1e-15);
    xf[0] = -5.0f;
    SPX_STATUS(lk_boundary_regularizer_f32(&reg, xf, 1, NULL, &out_f, NULL), LK_OK);
    SPX_CLOSE(out_f, exp(5.0), 1e-6);
    /* Accumulate with a scale. */
    {
        lk_grad_options go = lk_grad_options_default();
        go.scale = 2.0;
        go.accumulate = 1;
        g[0] = 1.0;
        SPX_STATUS(lk_boundary_regularizer_f64(&reg, x, 1, &go, &out, g), LK_OK);
        SPX_CLOSE(g[0], 1.0 - 2.0 * exp(5.0), 1e-15);
    }
}

static void penalty_bounds_cost(void) {
    const double a[3] = {0.5, 2.0, -3.0};
    const double b[2] = {5.0, -1.0}, b_lo[2] = {4.0, 0.0};
    double ga[3], gb[2] = {9, 9}, out = -1;
    float af[3] = {0.5f, 2.0f, -3.0f}, outf;
    lk_bounds_group_f64 groups[2];
    lk_bounds_group_f32 gf;
    const double e = exp(1.0);
    int i;

    groups[0].params = a;
    groups[0].len = 3;
    groups[0].lower = NULL;
    groups[0].upper = NULL;
    groups[0].lower_scalar = -1.0;
    groups[0].upper_scalar = 1.0;
    groups[0].grad = ga;
    SPX_STATUS(lk_bounds_cost_f64(groups, 1, NULL, &out), LK_OK);
    SPX_CLOSE(out, 10.1073379, 1e-8);
    SPX_CLOSE(ga[0], 0.0, 0);
    SPX_CLOSE(ga[1], e, 1e-15);
    SPX_CLOSE(ga[2], -e * e, 1e-15);

    /* A second group with per-element lower bounds and no upper bound. */
    groups[1].params = b;
    groups[1].len = 2;
    groups[1].lower = b_lo;
    groups[1].upper = NULL;
    groups[1].lower_scalar = 0.0;
    groups[1].upper_scalar = INFINITY;
    groups[1].grad = gb;
    SPX_STATUS(lk_bounds_cost_f64(groups, 2, NULL, &out), LK_OK);
    SPX_CLOSE(out, e + e * e + e, 1e-15);
    SPX_CLOSE(gb[0], 0.0, 0);
    SPX_CLOSE(gb[1], -e, 1e-15);

    /* Bad groups: nothing written anywhere. */
    for (i = 0; i < 3; i++) ga[i] = 9;
    gb[0] = gb[1] = 9;
    out = -1;
    groups[1].lower_scalar = NAN;
    groups[1].lower = NULL;
    SPX_STATUS(lk_bounds_cost_f64(groups, 2, NULL, &out), LK_ERR_BAD_PARAMETER);
    groups[1].lower_scalar = 0.0;
    groups[1].params = NULL;
    SPX_STATUS(lk_bounds_cost_f64(groups, 2, NULL, &out), LK_ERR_NULL_POINTER);
    groups[1].params = b;
    groups[1].grad = ga + 1; /* overlaps group 0's gradient */
    SPX_STATUS(lk_bounds_cost_f64(groups, 2, NULL, &out), LK_ERR_ALIASING);
    groups[1].grad = (double *)b; /* writes over its own parameters */
    SPX_STATUS(lk_bounds_cost_f64(groups, 2, NULL, &out), LK_ERR_ALIASING);
    SPX_CHECK(out == -1 && ga[0] == 9 && ga[1] == 9 && ga[2] == 9);
    /* No groups cost 0. */
    SPX_STATUS(lk_bounds_cost_f64(NULL, 0, NULL, &out), LK_OK);
    SPX_CHECK(out == 0.0);

    gf.params = af;
    gf.len = 3;
    gf.lower = NULL;
    gf.upper = NULL;
    gf.lower_scalar = -1.0f;
    gf.upper_scalar = 1.0f;
    gf.grad = NULL;
    SPX_STATUS(lk_bounds_cost_f32(&gf, 1, NULL, &outf), LK_OK);
    SPX_CLOSE(outf, 10.1073379, 1e-6);

    /* Bad bounds in the simple functions. */
    SPX_STATUS(lk_summed_exp_boundary_loss_f64(a, 3, 1.0, -1.0, NULL, &out, NULL),
               LK_ERR_BAD_PARAMETER);
    SPX_STATUS(lk_boundary_regularizer_f64(NULL, a, 3, NULL, &out, NULL), LK_ERR_NULL_POINTER);
}

int check_spectra(void) {
    spectra_failures = 0;
    spectra_single_component();
    spectra_nonuniform();
    spectra_errors();
    penalty_values();
    penalty_bounds_cost();
    return spectra_failures;
}
