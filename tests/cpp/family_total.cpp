// The total family (a weighted total of named terms in a caller-allocated lk_total) from
// C++ (run by capi/tests/cpp.rs). Expected values: the per-atom energy RMSE of SPEC.md
// section 6.6 (1.2747548784) and, for the other terms, the formulas written out here in
// double (MSE, MAE and their derivatives); the total's gradient is also checked against
// central differences of the total rebuilt from scratch.
#include "check.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

namespace {

// SPEC 6.6: energies vs 8, 26 for structures of 2 and 4 atoms.
const int64_t ptr[3] = {0, 2, 6};
const double e_true[2] = {8, 26}, atoms[2] = {2, 4};
const double rmse_spec = 1.2747548784;

double sign0(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

// Per-atom energy RMSE (weight 1), energy MSE (weight 0.5) and energy MAE (weight 0.25,
// opts.grad_scale = mae_scale), all accumulated in grad: grad += weight * scale * dL/dpred.
bool build(const double *e_pred, double mae_scale, lk_total &total, double *grad) {
    const lk_batch batch{ptr, 2, 6, nullptr};
    const lk_property_loss rmse{LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_RMSE, 0.0, 0};
    const lk_property_loss mse{LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0, 0};
    const lk_property_loss mae{LK_PROPERTY_ENERGY, LK_METRIC_MAE, 0.0, 0};
    lk_options o = lk_options_default();
    o.grad_scale = mae_scale;
    return lk_total_init(&total) == LK_OK &&
           lk_total_property_loss_f64(&total, "per_atom_energy_rmse", 1.0, &rmse, e_pred,
                                      e_true, 2, &batch, nullptr, nullptr, grad) == LK_OK &&
           lk_total_property_loss_f64(&total, "energy_mse", 0.5, &mse, e_pred, e_true, 2, &batch,
                                      nullptr, nullptr, grad) == LK_OK &&
           lk_total_property_loss_f64(&total, "energy_mae", 0.25, &mae, e_pred, e_true, 2,
                                      &batch, nullptr, &o, grad) == LK_OK;
}

void three_terms(lkt::Checker &t) {
    const double e_pred[2] = {10, 20};
    lk_total total;
    double grad[2] = {0, 0};
    t.check(build(e_pred, 4.0, total, grad), "three terms");
    t.check(total.count == 3, "count = 3");
    t.check(std::string(total.terms[0].name) == "per_atom_energy_rmse" &&
                std::string(total.terms[1].name) == "energy_mse" &&
                std::string(total.terms[2].name) == "energy_mae",
            "names in order");
    t.check(total.terms[3].name[0] == '\0', "unused terms have empty names");
    const double d[2] = {e_pred[0] - e_true[0], e_pred[1] - e_true[1]};
    t.close(total.terms[0].raw, rmse_spec, 1e-10, "per-atom RMSE raw (SPEC 6.6)");
    t.close(total.terms[1].raw, (d[0] * d[0] + d[1] * d[1]) / 2, 1e-15, "MSE raw");
    t.close(total.terms[2].raw, (std::fabs(d[0]) + std::fabs(d[1])) / 2, 1e-15, "MAE raw");
    t.close(total.terms[1].weighted, 0.5 * total.terms[1].raw, 1e-15, "weighted = w * raw");
    t.close(total.total, rmse_spec + 0.5 * 20 + 0.25 * 4, 1e-10, "total");
    std::vector<double> want;
    for (int k = 0; k < 2; ++k) {
        const double e = d[k] / atoms[k];
        want.push_back(e / (2 * total.terms[0].raw * atoms[k]) + 0.5 * d[k] +
                       0.25 * 4.0 * sign0(d[k]) / 2);
    }
    t.close_all(grad, want, 1e-14, "accumulated gradient of the terms");

    // With grad_scale 1 everywhere the gradient is d total / d pred: central differences.
    const double base[2] = {9.25, 21.5};
    double g[2] = {0, 0};
    t.check(build(base, 1.0, total, g), "total at the base point");
    std::vector<double> fd;
    for (int k = 0; k < 2; ++k) {
        const double h = 1e-6;
        double p[2] = {base[0], base[1]}, scratch[2] = {0, 0};
        p[k] = base[k] + h;
        build(p, 1.0, total, scratch);
        const double up = total.total;
        p[k] = base[k] - h;
        build(p, 1.0, total, scratch);
        fd.push_back((up - total.total) / (2 * h));
    }
    t.close_all(g, fd, 1e-7, "total gradient vs finite differences");
}

void add_and_f32(lkt::Checker &t) {
    const lk_batch batch{ptr, 2, 6, nullptr};
    const lk_property_loss mse{LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0, 0};
    const float p32[2] = {10, 20}, y32[2] = {8, 26};
    float g32[2] = {1, 1};
    lk_total total;
    lk_total_init(&total);
    t.status(lk_total_add(&total, "extra", 2.0, 0.25), LK_OK, "lk_total_add");
    t.close(total.total, 0.5, 1e-15, "total after lk_total_add");
    t.status(lk_total_property_loss_f32(&total, "f32_mse", 3.0, &mse, p32, y32, 2, &batch,
                                        nullptr, nullptr, g32),
             LK_OK, "f32 term");
    t.close(total.terms[1].raw, 20.0, 1e-6, "f32 term raw");
    t.close(total.total, 60.5, 1e-6, "total with an f32 term");
    t.close_all(g32, std::vector<double>{1 + 3.0 * 2, 1 - 3.0 * 6}, 1e-6,
                "f32 gradient is accumulated: 1 + 3 * 2 d / 2");
}

void errors(lkt::Checker &t) {
    const lk_batch batch{ptr, 2, 6, nullptr};
    const lk_property_loss mse{LK_PROPERTY_ENERGY, LK_METRIC_MSE, 0.0, 0};
    const double e_pred[2] = {10, 20};
    lk_total total;
    lk_total_init(&total);
    double grad[2] = {0, 0};
    t.status(lk_total_property_loss_f64(&total, "energy", 1.0, &mse, e_pred, e_true, 2, &batch,
                                        nullptr, nullptr, grad),
             LK_OK, "first term");
    const double before = total.total;
    grad[0] = grad[1] = -7;
    t.status(lk_total_property_loss_f64(&total, "energy", 2.0, &mse, e_pred, e_true, 2, &batch,
                                        nullptr, nullptr, grad),
             LK_ERR_DUPLICATE_NAME, "repeated name");
    t.status(lk_total_add(&total, "energy", 1.0, 1.0), LK_ERR_DUPLICATE_NAME,
             "repeated name (lk_total_add)");
    t.status(lk_total_add(&total, "", 1.0, 1.0), LK_ERR_BAD_PARAMETER, "empty name");
    t.status(lk_total_add(&total, nullptr, 1.0, 1.0), LK_ERR_NULL_POINTER, "NULL name");
    t.status(lk_total_add(nullptr, "x", 1.0, 1.0), LK_ERR_NULL_POINTER, "NULL total");
    const std::string long_name(LK_TOTAL_NAME_CAPACITY, 'n');
    t.status(lk_total_add(&total, long_name.c_str(), 1.0, 1.0), LK_ERR_BAD_PARAMETER,
             "name of LK_TOTAL_NAME_CAPACITY bytes");
    t.status(lk_total_add(&total, "w", std::numeric_limits<double>::infinity(), 1.0),
             LK_ERR_BAD_PARAMETER, "infinite weight");
    lk_options none = lk_options_default();
    none.reduction = LK_REDUCTION_NONE;
    t.status(lk_total_property_loss_f64(&total, "none", 1.0, &mse, e_pred, e_true, 2, &batch,
                                        nullptr, &none, grad),
             LK_ERR_BAD_PARAMETER, "LK_REDUCTION_NONE refused");
    t.status(lk_total_property_loss_f64(&total, "short", 1.0, &mse, e_pred, e_true, 1, &batch,
                                        nullptr, nullptr, grad),
             LK_ERR_LENGTH_MISMATCH, "wrong length");
    t.check(total.count == 1 && total.total == before && grad[0] == -7 && grad[1] == -7,
            "total and gradient untouched after the errors");
    const std::string longest(LK_TOTAL_NAME_CAPACITY - 1, 'n');
    t.status(lk_total_add(&total, longest.c_str(), 1.0, 1.0), LK_OK, "name of 31 bytes");
    t.check(longest == total.terms[1].name, "the 31-byte name is kept");

    // Capacity.
    lk_total_init(&total);
    bool ok = true;
    for (int i = 0; i < LK_TOTAL_CAPACITY; ++i) {
        ok = ok && lk_total_add(&total, ("t" + std::to_string(i)).c_str(), 1.0, i + 1.0) == LK_OK;
    }
    t.check(ok, "LK_TOTAL_CAPACITY terms fit");
    t.status(lk_total_add(&total, "one_more", 1.0, 1.0), LK_ERR_CAPACITY, "one term too many");
    t.close(total.total, LK_TOTAL_CAPACITY * (LK_TOTAL_CAPACITY + 1) / 2.0, 1e-15,
            "total of the full list");
}

}  // namespace

LK_FAMILY(total) {
    three_terms(t);
    add_and_f32(t);
    errors(t);
}
