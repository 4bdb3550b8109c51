/*
 * C checks of the classification entry points (issue 3), to be called by the C test runner:
 * int check_classification(void) returns the number of failed checks (0 = all passed).
 *
 * Reference values were computed independently in Python (double precision, math module),
 * from the textbook formulas, not with losskit:
 *   log_softmax(x)_k = x_k - (m + log(sum_j exp(x_j - m))), m = max x;
 *   CE = -(1/rows) sum_r log_softmax(x_r)[y_r];  dCE/dx_rk = (exp(log_softmax_rk) - [k == y_r]) / rows;
 *   PyTorch's label smoothing with weights: sum_r [(1-eps) w_y (-ls_ry) + eps/C sum_k w_k (-ls_rk)] / sum_r w_y;
 *   softplus(x) = max(x, 0) + log1p(exp(-|x|)); BCE with logits = pw t softplus(-z) + (1-t) softplus(z);
 *   focal (gamma = 2) = (1 - p_y)^2 (-log p_y);
 *   astroNN values are those of SPEC.md section 6.4 / 6.6.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "losskit.h"

static int failures_;

static void check_close(const char *what, double got, double want, double tol) {
    if (!(fabs(got - want) <= tol)) {
        printf("classification: %s = %.17g, want %.17g\n", what, got, want);
        failures_++;
    }
}

static void check_status(const char *what, lk_status got, lk_status want) {
    if (got != want) {
        printf("classification: %s returned %s, want %s\n", what, lk_status_name(got), lk_status_name(want));
        failures_++;
    }
}

int check_classification(void) {
    failures_ = 0;
    /* Two rows of three logits, targets 1 and 2. */
    const double x64[6] = {1.0, 2.0, 0.5, -1.0, 0.0, 3.0};
    const float x32[6] = {1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 3.0f};
    const int64_t y[2] = {1, 2};
    const double ce = 0.2651263439326872;
    const double ce_grad[6] = {0.1156119488110745,    -0.18573414039411884, 0.07012219158304422,
                               0.008573912772760194, 0.023306311288986945, -0.031880224061747175};
    double out64 = 0.0, grad64[6];
    float out32 = 0.0f, grad32[6];
    int k;

    /* Cross-entropy, mean, with gradient. */
    check_status("lk_cross_entropy_f64",
                 lk_cross_entropy_f64(x64, y, 2, 3, NULL, -100, 0.0, 0.0, NULL, NULL, &out64, grad64), LK_OK);
    check_close("cross_entropy_f64", out64, ce, 1e-15);
    for (k = 0; k < 6; k++) check_close("cross_entropy_f64 grad", grad64[k], ce_grad[k], 1e-15);
    check_status("lk_cross_entropy_f32",
                 lk_cross_entropy_f32(x32, y, 2, 3, NULL, -100, 0.0f, 0.0f, NULL, NULL, &out32, grad32), LK_OK);
    check_close("cross_entropy_f32", out32, ce, 1e-6);
    for (k = 0; k < 6; k++) check_close("cross_entropy_f32 grad", grad32[k], ce_grad[k], 1e-6);

    /* Class weights and label smoothing (PyTorch's weighted mean). */
    {
        const double w[3] = {0.5, 2.0, 1.0};
        check_status("lk_cross_entropy_f64 (weights, smoothing)",
                     lk_cross_entropy_f64(x64, y, 2, 3, w, -100, 0.1, 0.0, NULL, NULL, &out64, NULL), LK_OK);
        check_close("cross_entropy_f64 weighted, smoothed", out64, 0.43011849056453816, 1e-15);
    }

    /* In place: the logits become the gradient. */
    {
        double buf[6];
        float buf32[6];
        for (k = 0; k < 6; k++) buf[k] = x64[k], buf32[k] = x32[k];
        check_status("lk_cross_entropy_in_place_f64",
                     lk_cross_entropy_in_place_f64(buf, y, 2, 3, NULL, -100, 0.0, 0.0, NULL, NULL, &out64), LK_OK);
        check_close("cross_entropy_in_place_f64", out64, ce, 1e-15);
        for (k = 0; k < 6; k++) check_close("cross_entropy_in_place_f64 grad", buf[k], ce_grad[k], 1e-15);
        check_status("lk_cross_entropy_in_place_f32",
                     lk_cross_entropy_in_place_f32(buf32, y, 2, 3, NULL, -100, 0.0f, 0.0f, NULL, NULL, &out32),
                     LK_OK);
        for (k = 0; k < 6; k++) check_close("cross_entropy_in_place_f32 grad", buf32[k], ce_grad[k], 1e-6);
    }

    /* A class index out of range: refused, nothing written. */
    {
        const int64_t bad[2] = {1, 3};
        out64 = 7.0;
        check_status("lk_cross_entropy_f64 (bad index)",
                     lk_cross_entropy_f64(x64, bad, 2, 3, NULL, -100, 0.0, 0.0, NULL, NULL, &out64, NULL),
                     LK_ERR_INDEX_OUT_OF_RANGE);
        check_close("out untouched", out64, 7.0, 0.0);
    }

    /* NLL on log-probabilities, focal (gamma = 2), accuracy. */
    {
        double lp[6];
        float lp32[6];
        int r;
        for (r = 0; r < 2; r++) {
            double m = x64[3 * r], s = 0.0;
            for (k = 1; k < 3; k++) m = x64[3 * r + k] > m ? x64[3 * r + k] : m;
            for (k = 0; k < 3; k++) s += exp(x64[3 * r + k] - m);
            for (k = 0; k < 3; k++) lp[3 * r + k] = x64[3 * r + k] - m - log(s), lp32[3 * r + k] = (float)lp[3 * r + k];
        }
        check_status("lk_nll_f64", lk_nll_f64(lp, y, 2, 3, NULL, -100, NULL, NULL, &out64, NULL), LK_OK);
        check_close("nll_f64", out64, ce, 1e-15);
        check_status("lk_nll_f32", lk_nll_f32(lp32, y, 2, 3, NULL, -100, NULL, NULL, &out32, NULL), LK_OK);
        check_close("nll_f32", out32, ce, 1e-6);
        check_status("lk_focal_f64",
                     lk_focal_f64(x64, y, 2, 3, NULL, -100, 2.0, 0, NULL, NULL, &out64, grad64), LK_OK);
        check_close("focal_f64", out64, 0.032172740657425, 1e-15);
        check_status("lk_focal_f32",
                     lk_focal_f32(x32, y, 2, 3, NULL, -100, 2.0f, 0, NULL, NULL, &out32, grad32), LK_OK);
        check_close("focal_f32", out32, 0.032172740657425, 1e-7);
        check_status("lk_categorical_accuracy_f64",
                     lk_categorical_accuracy_f64(x64, y, 2, 3, -100, NULL, NULL, &out64), LK_OK);
        check_close("categorical_accuracy_f64", out64, 1.0, 0.0);
        check_status("lk_categorical_accuracy_f32",
                     lk_categorical_accuracy_f32(x32, y, 2, 3, -100, NULL, NULL, &out32), LK_OK);
        check_close("categorical_accuracy_f32", out32, 1.0, 0.0);
    }

    /* Probability targets: a one-hot target equals the class-index cross-entropy. */
    {
        const double t[6] = {0.0, 1.0, 0.0, 0.0, 0.0, 1.0};
        const float t32[6] = {0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f};
        check_status("lk_cross_entropy_probs_f64",
                     lk_cross_entropy_probs_f64(x64, t, 2, 3, NULL, 0.0, NULL, NULL, &out64, NULL), LK_OK);
        check_close("cross_entropy_probs_f64", out64, ce, 1e-15);
        check_status("lk_cross_entropy_probs_f32",
                     lk_cross_entropy_probs_f32(x32, t32, 2, 3, NULL, 0.0f, NULL, NULL, &out32, NULL), LK_OK);
        check_close("cross_entropy_probs_f32", out32, ce, 1e-6);
    }

    /* Binary: BCE with logits with a per-column pos_weight (2 columns), binary focal. */
    {
        const double z[4] = {0.5, -1.0, 2.0, 0.0}, t[4] = {1.0, 0.0, 0.3, 1.0}, pw[2] = {2.0, 0.5};
        const float z32[4] = {0.5f, -1.0f, 2.0f, 0.0f}, t32[4] = {1.0f, 0.0f, 0.3f, 1.0f}, pw32[2] = {2.0f, 0.5f};
        const double one = 1.0, zero = 0.0;
        check_status("lk_bce_with_logits_f64",
                     lk_bce_with_logits_f64(z, t, NULL, pw, 2, 4, NULL, &out64, grad64), LK_OK);
        check_close("bce_with_logits_f64", out64, 0.7932489151285682, 1e-15);
        check_status("lk_bce_with_logits_f32",
                     lk_bce_with_logits_f32(z32, t32, NULL, pw32, 2, 4, NULL, &out32, grad32), LK_OK);
        check_close("bce_with_logits_f32", out32, 0.7932489151285682, 1e-6);
        check_status("lk_binary_focal_f64", lk_binary_focal_f64(&zero, &one, NULL, 1, 2.0, NULL, &out64, NULL),
                     LK_OK);
        check_close("binary_focal_f64", out64, 0.17328679513998632, 1e-15);
        check_status("lk_binary_focal_f32",
                     lk_binary_focal_f32(z32 + 3, t32 + 3, NULL, 1, 2.0f, NULL, &out32, NULL), LK_OK);
        check_close("binary_focal_f32", out32, 0.17328679513998632, 1e-7);
        /* p = 0.5 against t = 1: log 2. */
        {
            const double half = 0.5;
            const float half32 = 0.5f, one32 = 1.0f;
            check_status("lk_bce_f64", lk_bce_f64(&half, &one, NULL, 1, NULL, &out64, NULL), LK_OK);
            check_close("bce_f64", out64, log(2.0), 1e-15);
            check_status("lk_bce_f32", lk_bce_f32(&half32, &one32, NULL, 1, NULL, &out32, NULL), LK_OK);
            check_close("bce_f32", out32, log(2.0), 1e-7);
        }
    }

    /* astroNN (SPEC 6.4 / 6.6): magic -9999, per-sample values. */
    {
        const double M = LK_ASTRONN_MAGIC;
        double v[2];
        float v32[2];
        lk_options o = lk_options_default();
        o.use_magic = 1;
        o.reduction = LK_REDUCTION_NONE;
        {
            const double yb[6] = {1, M, 1, 1, M, 0}, zb[6] = {0.5, 0, 1, 2, 0, -1};
            o.row_len = 3;
            check_status("lk_astronn_bce_f64", lk_astronn_bce_f64(zb, yb, NULL, 6, 1, &o, v, NULL), LK_OK);
            check_close("astronn_bce_f64[0]", v[0], 0.3936693358, 1e-10);
            check_close("astronn_bce_f64[1]", v[1], 0.2200948493, 1e-10);
        }
        {
            const float ya[6] = {1, (float)M, 1, 0, (float)M, 1}, pa[6] = {1, 0, 0, 1, 0, 0};
            check_status("lk_binary_accuracy_f32", lk_binary_accuracy_f32(pa, ya, NULL, 6, 0, &o, v32), LK_OK);
            check_close("binary_accuracy_f32[0]", v32[0], 0.5, 0.0);
            check_close("binary_accuracy_f32[1]", v32[1], 0.0, 0.0);
            o.row_len = 0;
            check_status("lk_astronn_categorical_accuracy_f32",
                         lk_astronn_categorical_accuracy_f32(pa, ya, 2, 3, NULL, &o, v32), LK_OK);
            check_close("astronn_categorical_accuracy_f32[0]", v32[0], 1.0, 0.0);
            check_close("astronn_categorical_accuracy_f32[1]", v32[1], 0.0, 0.0);
        }
        {
            const double yc[6] = {1, M, 1, 1, M, 0}, zc[6] = {1, 0, 1, 2, 1, 0};
            o.row_len = 0;
            check_status("lk_astronn_cce_f64", lk_astronn_cce_f64(zc, yc, 2, 3, 1, NULL, &o, v, NULL), LK_OK);
            check_close("astronn_cce_f64[0]", v[0], 2.5859844122, 1e-9);
            check_close("astronn_cce_f64[1]", v[1], 0.6114089467, 1e-9);
        }
    }
    return failures_;
}
