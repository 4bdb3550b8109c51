/* Checks of the probabilistic C entry points on SPEC.md section 6.6 values (double
 * precision), f32 and f64, and of their bad-input behaviour. check_probabilistic() returns
 * the number of failed checks (0 = all passed) and prints one line per failure. */
#include <stdio.h>
#include <string.h>

#include "losskit.h"

static int pr_failures;

static double pr_abs(double x) { return x < 0 ? -x : x; }

static void pr_close(const char *what, double got, double expect, double tol) {
    if (!(pr_abs(got - expect) <= tol)) {
        printf("probabilistic: %s = %.12g, expected %.12g\n", what, got, expect);
        pr_failures++;
    }
}

static void pr_status(const char *what, lk_status got, lk_status expect) {
    if (got != expect) {
        printf("probabilistic: %s returned %s, expected %s\n", what, lk_status_name(got),
               lk_status_name(expect));
        pr_failures++;
    }
}

int check_probabilistic(void) {
    const double M = LK_ASTRONN_MAGIC;
    lk_options opts = lk_options_default();
    lk_options none = lk_options_default();
    double out = 0.0, vals[3] = {0.0, 0.0, 0.0}, g1[3], g2[3];
    float out32 = 0.0f;
    lk_status s;

    pr_failures = 0;
    none.reduction = LK_REDUCTION_NONE;

    /* robust_mse, y = [1, M, 3], pred = [0, 5, 3], logvar = [0, 0, ln 2], err = [0, 0, 1]. */
    {
        const double y[3] = {1.0, M, 3.0}, p[3] = {0.0, 5.0, 3.0};
        const double lv[3] = {0.0, 0.0, 0.69314718055994531}, e[3] = {0.0, 0.0, 1.0};
        const float y32[3] = {1.0f, -9999.0f, 3.0f}, p32[3] = {0.0f, 5.0f, 3.0f};
        const float lv32[3] = {0.0f, 0.0f, 0.693147181f}, e32[3] = {0.0f, 0.0f, 1.0f};
        lk_options astro = lk_options_default();
        astro.use_magic = 1;
        astro.row_len = 3;
        s = lk_robust_mse_f64(p, lv, e, y, NULL, 3, &astro, &out, g1, g2);
        pr_status("lk_robust_mse_f64", s, LK_OK);
        pr_close("robust_mse (f64)", out, 0.5246530722, 1e-9);
        /* d/dpred = (pred - y)/V / 2 (the row mean over 2 kept labels): (0 - 1)/1/2 */
        pr_close("robust_mse grad_pred[0]", g1[0], -0.5, 1e-15);
        pr_close("robust_mse grad_pred[1] (masked)", g1[1], 0.0, 0.0);
        /* d/dlogvar at element 2: 0.5 * (2/3) * (1 - 0) / 2 */
        pr_close("robust_mse grad_logvar[2]", g2[2], 1.0 / 6.0, 1e-15);
        s = lk_robust_mse_f32(p32, lv32, e32, y32, NULL, 3, &astro, &out32, NULL, NULL);
        pr_status("lk_robust_mse_f32", s, LK_OK);
        pr_close("robust_mse (f32)", out32, 0.5246530722, 1e-6);
    }

    /* CE-VR: mean = [1, 0, -1], var = [0.5, 0.2, 0], y = 0; and var = 0. */
    {
        const double mu[3] = {1.0, 0.0, -1.0}, v[3] = {0.5, 0.2, 0.0}, v0[3] = {0, 0, 0};
        const float mu32[3] = {1.0f, 0.0f, -1.0f}, v32[3] = {0.5f, 0.2f, 0.0f};
        const int64_t y[1] = {0}, bad[1] = {3};
        s = lk_cross_entropy_vr_f64(mu, v, y, NULL, 1, 3, 1, &opts, &out, g1, g2);
        pr_status("lk_cross_entropy_vr_f64", s, LK_OK);
        pr_close("CE-VR", out, 0.6020896433, 1e-9);
        s = lk_cross_entropy_vr_f64(mu, v0, y, NULL, 1, 3, 1, &opts, &out, NULL, NULL);
        pr_close("CE-VR with var = 0", out, 0.4076059644, 1e-9);
        s = lk_cross_entropy_vr_f32(mu32, v32, y, NULL, 1, 3, 1, &opts, &out32, NULL, NULL);
        pr_status("lk_cross_entropy_vr_f32", s, LK_OK);
        pr_close("CE-VR (f32)", out32, 0.6020896433, 1e-6);
        out = 42.0;
        s = lk_cross_entropy_vr_f64(mu, v, bad, NULL, 1, 3, 1, &opts, &out, NULL, NULL);
        pr_status("CE-VR with class 3 of 3", s, LK_ERR_INDEX_OUT_OF_RANGE);
        pr_close("CE-VR out untouched", out, 42.0, 0.0);
    }

    /* BCE-VR: mean = 0.3, var = 0.4, t = 1 and 0; var = 0, t = 1. */
    {
        const double mu[1] = {0.3}, v[1] = {0.4}, v0[1] = {0.0}, t1[1] = {1.0}, t0[1] = {0.0};
        const double vneg[1] = {-0.1};
        const float mu32[1] = {0.3f}, v32[1] = {0.4f}, t32[1] = {1.0f};
        s = lk_bce_with_logits_vr_f64(mu, v, t1, NULL, 1, 1, &opts, &out, NULL, NULL);
        pr_status("lk_bce_with_logits_vr_f64", s, LK_OK);
        pr_close("BCE-VR t = 1", out, 0.6443966601, 1e-9);
        lk_bce_with_logits_vr_f64(mu, v, t0, NULL, 1, 1, &opts, &out, NULL, NULL);
        pr_close("BCE-VR t = 0", out, 0.9740769842, 1e-9);
        lk_bce_with_logits_vr_f64(mu, v0, t1, NULL, 1, 1, &opts, &out, NULL, NULL);
        pr_close("BCE-VR var = 0", out, 0.5543552445, 1e-9);
        s = lk_bce_with_logits_vr_f32(mu32, v32, t32, NULL, 1, 1, &opts, &out32, NULL, NULL);
        pr_status("lk_bce_with_logits_vr_f32", s, LK_OK);
        pr_close("BCE-VR (f32)", out32, 0.6443966601, 1e-6);
        out = 42.0;
        s = lk_mse_vr_f64(mu, vneg, t1, NULL, 1, 1, &opts, &out, NULL, NULL);
        pr_status("MSE-VR with a negative variance", s, LK_ERR_BAD_PARAMETER);
        pr_close("MSE-VR out untouched", out, 42.0, 0.0);
    }

    /* Gaussian KL elements: (0.5, 0.1), (0, 1), (0, 0) against N(0, 1). */
    {
        const double m[3] = {0.5, 0.0, 0.0}, sc[3] = {0.1, 1.0, 0.0};
        const float m32[3] = {0.5f, 0.0f, 0.0f}, sc32[3] = {0.1f, 1.0f, 0.0f};
        float v32[3];
        double fe[3];
        s = lk_gaussian_kl_f64(m, sc, NULL, NULL, 0.0, 1.0, NULL, 3, &none, vals, g1, g2);
        pr_status("lk_gaussian_kl_f64", s, LK_OK);
        pr_close("KL (0.5, 0.1)", vals[0], 1.9325359655, 1e-9);
        pr_close("KL (0, 1) exactly", vals[1], 0.0, 0.0);
        pr_close("KL (0, 0)", vals[2], 6.4077562790, 1e-9);
        s = lk_gaussian_kl_f32(m32, sc32, NULL, NULL, 0.0, 1.0, NULL, 3, &none, v32, NULL, NULL);
        pr_status("lk_gaussian_kl_f32", s, LK_OK);
        pr_close("KL (0.5, 0.1) (f32)", v32[0], 1.9325359655, 1e-5);
        s = lk_gaussian_kl_f64(m, sc, NULL, NULL, 0.0, 0.0, NULL, 3, &none, vals, NULL, NULL);
        pr_status("KL with prior scale 0", s, LK_ERR_BAD_PARAMETER);
        /* Free energy: 2 + 0.5 KL, KL summed. */
        s = lk_free_energy_f64(2.0, m, sc, NULL, NULL, 0.0, 1.0, 3, 0.5, 0, 1.0, 0, fe, g1, g2);
        pr_status("lk_free_energy_f64", s, LK_OK);
        pr_close("free energy", fe[0], 2.0 + 0.5 * (1.9325359655 + 6.4077562790), 1e-9);
        pr_close("free energy KL", fe[1], 1.9325359655 + 6.4077562790, 1e-9);
        pr_close("free energy dm[0]", g1[0], 0.5 * 0.5 / (1.0 + 1e-6), 1e-15);
        s = lk_free_energy_f64(2.0, m, sc, NULL, NULL, 0.0, 1.0, 3, 0.0, 1, 1.0, 0, fe, NULL, NULL);
        pr_close("free energy auto weight", fe[2], 1.0 / 3.0, 1e-16);
    }

    /* astroNN Bayesian CE with logit_var = 0 and the magic number: the plain values. */
    {
        const double y[6] = {1.0, M, 1.0, 1.0, M, 0.0};
        const double zc[6] = {1.0, 0.0, 1.0, 2.0, 1.0, 0.0};
        const double zb[6] = {0.5, 0.0, 1.0, 2.0, 0.0, -1.0};
        const double zero[6] = {0, 0, 0, 0, 0, 0};
        const float y32[3] = {1.0f, -9999.0f, 1.0f}, zc32[3] = {1.0f, 0.0f, 1.0f};
        const float zero32[3] = {0, 0, 0};
        float v32[1];
        lk_options astro = lk_options_default();
        astro.use_magic = 1;
        astro.reduction = LK_REDUCTION_NONE;
        s = lk_robust_categorical_crossentropy_f64(y, zc, zero, NULL, 2, 3, LK_ASTRONN_DRAWS, 1,
                                                   &astro, vals, NULL, NULL);
        pr_status("lk_robust_categorical_crossentropy_f64", s, LK_OK);
        pr_close("robust CCE row 0", vals[0], 2.5859844122, 1e-9);
        pr_close("robust CCE row 1", vals[1], 0.6114089467, 1e-9);
        s = lk_robust_binary_crossentropy_f64(y, zb, zero, NULL, 2, 3, LK_ASTRONN_DRAWS, 1, &astro,
                                              vals, NULL, NULL);
        pr_status("lk_robust_binary_crossentropy_f64", s, LK_OK);
        pr_close("robust BCE row 0", vals[0], 0.3936693358, 1e-9);
        pr_close("robust BCE row 1", vals[1], 0.2200948493, 1e-9);
        s = lk_robust_categorical_crossentropy_f32(y32, zc32, zero32, NULL, 1, 3, 25, 1, &astro,
                                                   v32, NULL, NULL);
        pr_status("lk_robust_categorical_crossentropy_f32", s, LK_OK);
        pr_close("robust CCE (f32)", v32[0], 2.5859844122, 1e-5);
        s = lk_robust_categorical_crossentropy_f64(y, zc, zero, NULL, 2, 3, 0, 1, &astro, vals,
                                                   NULL, NULL);
        pr_status("robust CCE with 0 draws", s, LK_ERR_BAD_PARAMETER);
        if (lk_normal_draw(5, 1, 2, 3) != lk_normal_draw(5, 1, 2, 3) ||
            lk_normal_draw(5, 1, 2, 3) == lk_normal_draw(6, 1, 2, 3)) {
            printf("probabilistic: lk_normal_draw is not a function of its key\n");
            pr_failures++;
        }
    }

    /* Gaussian and Poisson NLL, KL div: a value each and a bad parameter. */
    {
        const double x[2] = {0.5, -1.0}, t[2] = {0.0, 1.0}, var[2] = {2.0, 0.5};
        const double neg[2] = {2.0, -0.5};
        s = lk_gaussian_nll_f64(x, var, t, NULL, 2, 0, 1e-6, &opts, &out, g1, g2);
        pr_status("lk_gaussian_nll_f64", s, LK_OK);
        pr_close("gaussian nll", out,
                 0.5 * (0.5 * (0.69314718055994531 + 0.125) + 0.5 * (-0.69314718055994531 + 8.0)),
                 1e-14);
        s = lk_gaussian_nll_f64(x, neg, t, NULL, 2, 0, 1e-6, &opts, &out, g1, g2);
        pr_status("gaussian nll with a negative variance", s, LK_ERR_BAD_PARAMETER);
        s = lk_poisson_nll_f64(x, t, NULL, 2, 1, 0, 1e-8, &opts, &out, g1);
        pr_status("lk_poisson_nll_f64", s, LK_OK);
        s = lk_kl_div_f64(x, var, NULL, 2, 1, &opts, &out, g1);
        pr_status("lk_kl_div_f64", s, LK_OK);
        (void)memset(vals, 0, sizeof vals);
    }

    /* Every remaining f32 entry point agrees with its f64 twin to single precision. */
    {
        const double x[4] = {0.5, -1.0, 0.25, 2.0}, t[4] = {1.0, 0.0, 1.0, 3.0};
        const double v[4] = {0.5, 0.2, 1.5, 0.1};
        const float x32[4] = {0.5f, -1.0f, 0.25f, 2.0f}, t32[4] = {1.0f, 0.0f, 1.0f, 3.0f};
        const float v32[4] = {0.5f, 0.2f, 1.5f, 0.1f};
        double o64[4], fe[3];
        float o32[4], fe32[3];
        int k;
        lk_gaussian_nll_f64(x, v, t, NULL, 4, 1, 1e-6, &opts, &out, NULL, NULL);
        s = lk_gaussian_nll_f32(x32, v32, t32, NULL, 4, 1, 1e-6f, &opts, &out32, NULL, NULL);
        pr_status("lk_gaussian_nll_f32", s, LK_OK);
        pr_close("gaussian nll f32 vs f64", out32, out, 1e-5);
        lk_poisson_nll_f64(x, t, NULL, 4, 1, 1, 1e-8, &opts, &out, NULL);
        s = lk_poisson_nll_f32(x32, t32, NULL, 4, 1, 1, 1e-8f, &opts, &out32, NULL);
        pr_status("lk_poisson_nll_f32", s, LK_OK);
        pr_close("poisson nll f32 vs f64", out32, out, 1e-5);
        lk_kl_div_f64(x, v, NULL, 4, 0, &opts, &out, NULL);
        s = lk_kl_div_f32(x32, v32, NULL, 4, 0, &opts, &out32, NULL);
        pr_status("lk_kl_div_f32", s, LK_OK);
        pr_close("kl_div f32 vs f64", out32, out, 1e-5);
        lk_mse_vr_f64(x, v, t, NULL, 4, 2, &opts, &out, NULL, NULL);
        s = lk_mse_vr_f32(x32, v32, t32, NULL, 4, 2, &opts, &out32, NULL, NULL);
        pr_status("lk_mse_vr_f32", s, LK_OK);
        pr_close("mse_vr f32 vs f64", out32, out, 1e-5);
        lk_free_energy_f64(1.0, x, v, NULL, NULL, 0.0, 1.0, 4, 0.0, 1, 1.0, 0, fe, NULL, NULL);
        s = lk_free_energy_f32(1.0f, x32, v32, NULL, NULL, 0.0, 1.0, 4, 0.0, 1, 1.0, 0, fe32, NULL,
                               NULL);
        pr_status("lk_free_energy_f32", s, LK_OK);
        pr_close("free energy f32 vs f64", fe32[0], fe[0], 1e-5);
        /* phi: 2 rows x 2 features; factor: 1 output x 2 features x 2 ranks, bias 1 x 2. */
        s = lk_vr_variance_f64(x, 2, 2, v, t, 1, 2, o64);
        pr_status("lk_vr_variance_f64", s, LK_OK);
        /* row 0: s_r = 0.5 W[0, r] - 1.0 W[1, r] + b[r]: (0.25 - 1.5 + 1, 0.1 - 0.1 + 0)^2 */
        pr_close("vr_variance[0]", o64[0], 0.0625, 1e-15);
        s = lk_vr_variance_f32(x32, 2, 2, v32, t32, 1, 2, o32);
        pr_status("lk_vr_variance_f32", s, LK_OK);
        for (k = 0; k < 2; k++) pr_close("vr_variance f32 vs f64", o32[k], o64[k], 1e-5);
        s = lk_vr_variance_f64(x, 2, 0, v, t, 1, 2, o64);
        pr_status("vr_variance with 0 features", s, LK_ERR_BAD_PARAMETER);
        lk_robust_binary_crossentropy_f64(t, x, v, NULL, 2, 2, 25, 3, &opts, &out, NULL, NULL);
        s = lk_robust_binary_crossentropy_f32(t32, x32, v32, NULL, 2, 2, 25, 3, &opts, &out32, NULL,
                                              NULL);
        pr_status("lk_robust_binary_crossentropy_f32", s, LK_OK);
        pr_close("robust BCE f32 vs f64", out32, out, 1e-5);
    }
    return pr_failures;
}
