/* Checks of the atomistic (graph-pes) C entry points, the weighted total and the epoch
 * metrics. check_atomistic() returns the number of failed checks (0 = all passed) and
 * prints one line per failure. Values: SPEC.md section 6.6 (double precision). */
#include <stdio.h>
#include <string.h>

#include "losskit.h"

static int at_failures;

static double at_abs(double x) { return x < 0 ? -x : x; }

static void at_close(const char *what, double got, double expect, double tol) {
    if (!(at_abs(got - expect) <= tol)) {
        printf("atomistic: %s = %.12g, expected %.12g\n", what, got, expect);
        at_failures++;
    }
}

static void at_status(const char *what, lk_status got, lk_status expect) {
    if (got != expect) {
        printf("atomistic: %s returned %s, expected %s\n", what, lk_status_name(got),
               lk_status_name(expect));
        at_failures++;
    }
}

int check_atomistic(void) {
    /* SPEC 6.6: energies 10, 20 vs 8, 26 for structures of 2 and 4 atoms. */
    const int64_t ptr[3] = {0, 2, 6};
    lk_batch batch = {ptr, 2, 6, NULL};
    const double e_pred[2] = {10.0, 20.0}, e_true[2] = {8.0, 26.0};
    const float e_pred32[2] = {10.0f, 20.0f}, e_true32[2] = {8.0f, 26.0f};
    lk_property_loss per_atom = {LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_RMSE, 0.0, 0};
    lk_property_loss energy = {LK_PROPERTY_ENERGY, LK_METRIC_RMSE, 0.0, 0};
    double out = 0.0, grad[2] = {0.0, 0.0};
    float out32 = 0.0f, grad32[2] = {0.0f, 0.0f};
    lk_status s;

    at_failures = 0;

    s = lk_property_loss_f64(&per_atom, e_pred, e_true, 2, &batch, NULL, NULL, &out, grad);
    at_status("lk_property_loss_f64 (per-atom energy)", s, LK_OK);
    at_close("per-atom energy RMSE (f64)", out, 1.2747548784, 1e-9);
    /* dL/dE_k = e_k / (2 L N_k), per-atom errors e = (1, -1.5) */
    at_close("per-atom energy grad[0]", grad[0], 1.0 / (2.0 * out * 2.0), 1e-12);
    at_close("per-atom energy grad[1]", grad[1], -1.5 / (2.0 * out * 4.0), 1e-12);

    s = lk_property_loss_f32(&per_atom, e_pred32, e_true32, 2, &batch, NULL, NULL, &out32,
                             grad32);
    at_status("lk_property_loss_f32 (per-atom energy)", s, LK_OK);
    at_close("per-atom energy RMSE (f32)", out32, 1.2747548784, 1e-6);

    s = lk_property_loss_f64(&energy, e_pred, e_true, 2, &batch, NULL, NULL, &out, NULL);
    at_status("lk_property_loss_f64 (energy)", s, LK_OK);
    at_close("energy RMSE (f64)", out, 4.4721359550, 1e-9);
    s = lk_property_loss_f32(&energy, e_pred32, e_true32, 2, &batch, NULL, NULL, &out32, NULL);
    at_status("lk_property_loss_f32 (energy)", s, LK_OK);
    at_close("energy RMSE (f32)", out32, 4.4721359550, 1e-5);

    /* Huber(0.5) and scale-free Huber on errors [0.2, 1.0]: 0.1975 and 0.395. */
    {
        const int64_t p2[3] = {0, 1, 2};
        lk_batch b2 = {p2, 2, 2, NULL};
        const double hp[2] = {0.2, 1.0}, ht[2] = {0.0, 0.0};
        lk_property_loss huber = {LK_PROPERTY_ENERGY, LK_METRIC_HUBER, 0.5, 0};
        lk_property_loss sfh = {LK_PROPERTY_ENERGY, LK_METRIC_SCALE_FREE_HUBER, 0.5, 0};
        s = lk_property_loss_f64(&huber, hp, ht, 2, &b2, NULL, NULL, &out, NULL);
        at_status("huber", s, LK_OK);
        at_close("huber(0.5)", out, 0.1975, 1e-15);
        s = lk_property_loss_f64(&sfh, hp, ht, 2, &b2, NULL, NULL, &out, NULL);
        at_status("scale-free huber", s, LK_OK);
        at_close("scale-free huber(0.5)", out, 0.395, 1e-15);
        huber.delta = 0.0;
        s = lk_property_loss_f64(&huber, hp, ht, 2, &b2, NULL, NULL, &out, NULL);
        at_status("huber with delta 0", s, LK_ERR_BAD_PARAMETER);
    }

    /* Bad input: malformed offsets, wrong lengths, an empty structure's per-atom energy. */
    {
        const int64_t bad_ptr[3] = {0, 4, 2};
        lk_batch bad = {bad_ptr, 2, 6, NULL};
        double keep = 42.0;
        s = lk_property_loss_f64(&energy, e_pred, e_true, 2, &bad, NULL, NULL, &keep, NULL);
        at_status("decreasing offsets", s, LK_ERR_INDEX_OUT_OF_RANGE);
        at_close("output untouched on error", keep, 42.0, 0.0);
        s = lk_property_loss_f64(&energy, e_pred, e_true, 1, &batch, NULL, NULL, &keep, NULL);
        at_status("wrong length", s, LK_ERR_LENGTH_MISMATCH);
        {
            const int64_t zptr[3] = {0, 0, 6};
            lk_batch zb = {zptr, 2, 6, NULL};
            s = lk_property_loss_f64(&per_atom, e_pred, e_true, 2, &zb, NULL, NULL, &keep,
                                     NULL);
            at_status("per-atom energy of an empty structure", s, LK_ERR_INDEX_OUT_OF_RANGE);
        }
        s = lk_property_loss_f64(&energy, e_pred, e_true, 2, NULL, NULL, NULL, &keep, NULL);
        at_status("NULL batch", s, LK_ERR_NULL_POINTER);
        {
            lk_property_loss bad_prop = {99, LK_METRIC_MSE, 0.0, 0};
            s = lk_property_loss_f64(&bad_prop, e_pred, e_true, 2, &batch, NULL, NULL, &keep,
                                     NULL);
            at_status("unknown property", s, LK_ERR_BAD_ENUM);
        }
    }

    /* Structure weights (3, 1) on the energy MSE: (3*4 + 1*36) / 4 = 12. */
    {
        const double sw[2] = {3.0, 1.0};
        lk_property_loss mse = {LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0, 0};
        s = lk_property_loss_f64(&mse, e_pred, e_true, 2, &batch, sw, NULL, &out, NULL);
        at_status("weighted energy MSE", s, LK_OK);
        at_close("weighted energy MSE", out, 12.0, 1e-12);
    }

    /* A 2-term total: per-atom energy RMSE (weight 1) + energy MSE (weight 0.5);
     * energy MSE = (4 + 36)/2 = 20, so total = 1.2747548784 + 10. */
    {
        lk_total total;
        lk_property_loss mse = {LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0, 0};
        double tgrad[2] = {0.0, 0.0};
        s = lk_total_init(&total);
        at_status("lk_total_init", s, LK_OK);
        s = lk_total_property_loss_f64(&total, "per_atom_energy_rmse", 1.0, &per_atom, e_pred,
                                       e_true, 2, &batch, NULL, NULL, tgrad);
        at_status("total term 1", s, LK_OK);
        s = lk_total_property_loss_f64(&total, "energy_mse", 0.5, &mse, e_pred, e_true, 2,
                                       &batch, NULL, NULL, tgrad);
        at_status("total term 2", s, LK_OK);
        at_close("total", total.total, 1.2747548784 + 10.0, 1e-9);
        if (total.count != 2 || strcmp(total.terms[1].name, "energy_mse") != 0) {
            printf("atomistic: total breakdown wrong (count %zu)\n", total.count);
            at_failures++;
        }
        at_close("term 2 raw", total.terms[1].raw, 20.0, 1e-12);
        at_close("term 2 weighted", total.terms[1].weighted, 10.0, 1e-12);
        /* gradient: per-atom RMSE part + 0.5 * 2 (pred - target) / 2 */
        at_close("total grad[0]", tgrad[0], 1.0 / (2.0 * 1.2747548784 * 2.0) + 0.5 * 2.0,
                 1e-9);
        at_close("total grad[1]", tgrad[1], -1.5 / (2.0 * 1.2747548784 * 4.0) + 0.5 * -6.0,
                 1e-9);
        s = lk_total_property_loss_f64(&total, "energy_mse", 2.0, &mse, e_pred, e_true, 2,
                                       &batch, NULL, NULL, tgrad);
        at_status("duplicate name", s, LK_ERR_DUPLICATE_NAME);
        at_close("total unchanged after a duplicate", total.total, 1.2747548784 + 10.0, 1e-9);
        at_close("grad unchanged after a duplicate", tgrad[1],
                 -1.5 / (2.0 * 1.2747548784 * 4.0) - 3.0, 1e-9);
        s = lk_total_add(&total, "extra", 2.0, 0.25);
        at_status("lk_total_add", s, LK_OK);
        at_close("total with an added term", total.total, 1.2747548784 + 10.5, 1e-9);
        {
            float g32[2] = {0.0f, 0.0f};
            s = lk_total_property_loss_f32(&total, "f32_term", 1.0, &mse, e_pred32, e_true32,
                                           2, &batch, NULL, NULL, g32);
            at_status("total f32 term", s, LK_OK);
            at_close("f32 term raw", total.terms[3].raw, 20.0, 1e-5);
        }
    }

    /* Epoch metric: true RMSE over two batches vs the batch-size-weighted mean. */
    {
        lk_epoch_metric m = {0.0, 0.0, 0.0};
        lk_partial bw = {0};
        double rmse = 0.0, mean = 0.0;
        const int64_t p1[2] = {0, 1};
        lk_batch b1 = {p1, 1, 1, NULL};
        const double a = 3.0, z = 0.0;
        s = lk_epoch_metric_update_f64(&m, LK_PROPERTY_ENERGY, e_pred, e_true, 2, &batch, NULL);
        at_status("epoch update 1", s, LK_OK);
        s = lk_epoch_metric_update_f64(&m, LK_PROPERTY_ENERGY, &a, &z, 1, &b1, NULL);
        at_status("epoch update 2", s, LK_OK);
        s = lk_epoch_metric_value(&m, LK_METRIC_RMSE, LK_EMPTY_ZERO, &rmse);
        at_status("epoch value", s, LK_OK);
        /* (4 + 36 + 9) / 3 */
        at_close("epoch RMSE", rmse, 4.0414518843, 1e-9);
        lk_batchwise_push(&bw, 4.4721359550, 2);
        lk_batchwise_push(&bw, 3.0, 1);
        s = lk_batchwise_mean(&bw, LK_EMPTY_ZERO, &mean);
        at_status("batchwise mean", s, LK_OK);
        at_close("rmse_batchwise", mean, (2.0 * 4.4721359550 + 3.0) / 3.0, 1e-9);
    }
    return at_failures;
}
