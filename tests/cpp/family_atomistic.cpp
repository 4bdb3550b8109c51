// The atomistic family (graph-pes property losses over ragged batches, epoch metrics) from
// C++ (run by capi/tests/cpp.rs). Expected values: SPEC.md section 6.5 (MAE and RMSE of
// [1,2,3] vs 0) and 6.6 (per-atom energy RMSE 1.2747548784, energy RMSE 4.4721359550,
// Huber 0.1975, scale-free Huber 0.395); the rest from the documented formulas written out
// here in double (weighted and per-species means, their derivatives) and from central
// differences of the library's own values.
#include "check.hpp"

#include <algorithm>
#include <cstdint>

namespace {

lk_property_loss prop(int32_t property, int32_t metric, double delta = 0.0,
                      uint8_t per_species = 0) {
    return lk_property_loss{property, metric, delta, per_species};
}

double sign0(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

// SPEC 6.6: energies 10, 20 vs 8, 26 for structures of 2 and 4 atoms.
const int64_t energy_ptr[3] = {0, 2, 6};
const double e_pred[2] = {10, 20}, e_true[2] = {8, 26}, atoms[2] = {2, 4};

void per_atom_energy(lkt::Checker &t) {
    const lk_batch batch{energy_ptr, 2, 6, nullptr};
    const double want = 1.2747548784;
    const lk_property_loss per_atom = prop(LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_RMSE);
    double out = 0, grad[2] = {0, 0};
    t.status(lk_property_loss_f64(&per_atom, e_pred, e_true, 2, &batch, nullptr, nullptr, &out,
                                  grad),
             LK_OK, "per-atom energy f64");
    t.close(out, want, 1e-10, "per-atom energy RMSE (SPEC 6.6)");
    // L = sqrt(mean e^2), e_k = d_k / N_k: dL/dpred_k = e_k / (S L N_k).
    std::vector<double> want_grad;
    for (int k = 0; k < 2; ++k) {
        const double e = (e_pred[k] - e_true[k]) / atoms[k];
        want_grad.push_back(e / (2 * out * atoms[k]));
    }
    t.close_all(grad, want_grad, 1e-14, "per-atom energy RMSE gradient");

    const float p32[2] = {10, 20}, y32[2] = {8, 26};
    float out32 = 0, g32[2] = {0, 0};
    t.status(lk_property_loss_f32(&per_atom, p32, y32, 2, &batch, nullptr, nullptr, &out32, g32),
             LK_OK, "per-atom energy f32");
    t.close(out32, want, 1e-6, "per-atom energy RMSE f32");
    t.close_all(g32, want_grad, 1e-6, "per-atom energy RMSE f32 gradient");

    const lk_property_loss energy = prop(LK_PROPERTY_ENERGY, LK_METRIC_RMSE);
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 2, &batch, nullptr, nullptr, &out,
                                  nullptr),
             LK_OK, "energy RMSE");
    t.close(out, 4.4721359550, 1e-10, "energy RMSE (SPEC 6.6)");
}

void spec_graph_pes(lkt::Checker &t) {
    // SPEC 6.5: local energies [1,2,3] vs 0 in one structure of 3 atoms.
    const int64_t p3[2] = {0, 3};
    const lk_batch one{p3, 1, 3, nullptr};
    const double x[3] = {1, 2, 3}, zero[3] = {0, 0, 0};
    double out = -1, grad[3];
    const lk_property_loss mae = prop(LK_PROPERTY_LOCAL_ENERGIES, LK_METRIC_MAE);
    const lk_property_loss rmse = prop(LK_PROPERTY_LOCAL_ENERGIES, LK_METRIC_RMSE);
    t.status(lk_property_loss_f64(&mae, x, zero, 3, &one, nullptr, nullptr, &out, grad), LK_OK,
             "local energies MAE");
    t.close(out, 2.0, 1e-15, "MAE([1,2,3], 0) = 2 (SPEC 6.5)");
    t.close_all(grad, std::vector<double>{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-15, "MAE gradient");
    t.status(lk_property_loss_f64(&rmse, x, zero, 3, &one, nullptr, nullptr, &out, grad), LK_OK,
             "local energies RMSE");
    const double r = std::sqrt(14.0 / 3);
    t.close(out, r, 1e-15, "RMSE([1,2,3], 0) = sqrt(14/3) (SPEC 6.5)");
    t.close_all(grad, std::vector<double>{1 / (3 * r), 2 / (3 * r), 3 / (3 * r)}, 1e-14,
                "RMSE gradient d / (n L)");
    t.status(lk_property_loss_f64(&rmse, x, x, 3, &one, nullptr, nullptr, &out, grad), LK_OK,
             "RMSE of identical vectors");
    t.check(out == 0 && grad[0] == 0 && grad[1] == 0 && grad[2] == 0,
            "RMSE of identical vectors is 0, gradient 0 (SPEC 6.5)");

    // SPEC 6.6: Huber(0.5) and scale-free Huber on errors [0.2, 1.0].
    const int64_t p2[3] = {0, 1, 2};
    const lk_batch two{p2, 2, 2, nullptr};
    const double hp[2] = {0.2, 1.0}, ht[2] = {0, 0};
    const lk_property_loss huber = prop(LK_PROPERTY_ENERGY, LK_METRIC_HUBER, 0.5);
    const lk_property_loss sfh = prop(LK_PROPERTY_ENERGY, LK_METRIC_SCALE_FREE_HUBER, 0.5);
    t.status(lk_property_loss_f64(&huber, hp, ht, 2, &two, nullptr, nullptr, &out, grad), LK_OK,
             "Huber");
    t.close(out, 0.1975, 1e-14, "Huber(0.5) (SPEC 6.6)");
    // d / 2 inside delta, delta sign(d) / 2 outside.
    t.close_all(std::vector<double>{grad[0], grad[1]}, std::vector<double>{0.1, 0.25}, 1e-14,
                "Huber gradient");
    t.status(lk_property_loss_f64(&sfh, hp, ht, 2, &two, nullptr, nullptr, &out, nullptr), LK_OK,
             "scale-free Huber");
    t.close(out, 0.395, 1e-14, "scale-free Huber(0.5) (SPEC 6.6)");
}

// Forces of 3 atoms in 2 structures (1 and 2 atoms), row-major N x 3, with structure
// weights repeated over each atom's components; per-species MAE; RMSE against finite
// differences.
void forces(lkt::Checker &t) {
    const int64_t ptr[3] = {0, 1, 3};
    const int64_t species[3] = {1, 8, 1};
    const double sw[2] = {2.0, 0.5};
    double fp[9], ft[9];
    for (int i = 0; i < 9; ++i) {
        fp[i] = std::sin(1.0 + 3 * i);
        ft[i] = 0.5 * std::cos(2.0 - i);
    }
    const double u[3] = {2.0, 0.5, 0.5};  // per atom
    double out = 0, grad[9];

    lk_batch batch{ptr, 2, 3, nullptr};
    const lk_property_loss mse = prop(LK_PROPERTY_FORCES, LK_METRIC_MSE);
    t.status(lk_property_loss_f64(&mse, fp, ft, 9, &batch, sw, nullptr, &out, grad), LK_OK,
             "weighted forces MSE");
    double num = 0, den = 0;
    std::vector<double> want_grad;
    for (int i = 0; i < 9; ++i) {
        const double d = fp[i] - ft[i];
        num += u[i / 3] * d * d;
        den += u[i / 3];
    }
    for (int i = 0; i < 9; ++i) want_grad.push_back(2 * u[i / 3] * (fp[i] - ft[i]) / den);
    t.close(out, num / den, 1e-14, "weighted forces MSE value");
    t.close_all(grad, want_grad, 1e-14, "weighted forces MSE gradient");

    // Per-species MAE: species 1 (atoms 0, 2: 6 values) and 8 (atom 1: 3 values) count
    // equally: L = (mean_1 |d| + mean_8 |d|) / 2, dL/dp = sign(d) / (2 W_s).
    batch.species = species;
    const lk_property_loss per_species = prop(LK_PROPERTY_FORCES, LK_METRIC_MAE, 0.0, 1);
    t.status(lk_property_loss_f64(&per_species, fp, ft, 9, &batch, nullptr, nullptr, &out,
                                  grad),
             LK_OK, "per-species forces MAE");
    double s1 = 0, s8 = 0;
    want_grad.clear();
    for (int i = 0; i < 9; ++i) {
        const double d = fp[i] - ft[i];
        const bool eight = i / 3 == 1;
        (eight ? s8 : s1) += std::fabs(d);
        want_grad.push_back(sign0(d) / (eight ? 6.0 : 12.0));
    }
    t.close(out, (s1 / 6 + s8 / 3) / 2, 1e-14, "per-species forces MAE value");
    t.close_all(grad, want_grad, 1e-14, "per-species forces MAE gradient");
    batch.species = nullptr;
    t.status(lk_property_loss_f64(&per_species, fp, ft, 9, &batch, nullptr, nullptr, &out,
                                  nullptr),
             LK_ERR_BAD_PARAMETER, "per-species mean without species ids");

    // Weighted RMSE gradient vs central differences.
    const lk_property_loss rmse = prop(LK_PROPERTY_FORCES, LK_METRIC_RMSE);
    t.status(lk_property_loss_f64(&rmse, fp, ft, 9, &batch, sw, nullptr, &out, grad), LK_OK,
             "weighted forces RMSE");
    std::vector<double> fd;
    for (int i = 0; i < 9; ++i) {
        const double h = 1e-6;
        double p[9], up = 0, down = 0;
        std::copy(fp, fp + 9, p);
        p[i] = fp[i] + h;
        lk_property_loss_f64(&rmse, p, ft, 9, &batch, sw, nullptr, &up, nullptr);
        p[i] = fp[i] - h;
        lk_property_loss_f64(&rmse, p, ft, 9, &batch, sw, nullptr, &down, nullptr);
        fd.push_back((up - down) / (2 * h));
    }
    t.close_all(grad, fd, 1e-6, "forces RMSE gradient vs finite differences");

    size_t n = 0;
    t.check(lk_property_len(LK_PROPERTY_FORCES, &batch, &n) == LK_OK && n == 9,
            "lk_property_len(forces) = 3N");
    t.check(lk_property_len(LK_PROPERTY_VIRIAL, &batch, &n) == LK_OK && n == 18,
            "lk_property_len(virial) = 9S");
    t.check(lk_property_batch_size(LK_PROPERTY_FORCES, &batch, &n) == LK_OK && n == 3,
            "lk_property_batch_size(forces) = N");
    t.check(lk_property_batch_size(LK_PROPERTY_ENERGY, &batch, &n) == LK_OK && n == 2,
            "lk_property_batch_size(energy) = S");
}

void epoch(lkt::Checker &t) {
    const lk_batch batch{energy_ptr, 2, 6, nullptr};
    const int64_t p1[2] = {0, 1};
    const lk_batch b1{p1, 1, 1, nullptr};
    const double sw[2] = {1, 3};
    const float a = 3, z = 0;
    lk_epoch_metric m1{0, 0, 0}, m2{0, 0, 0};
    // Batch 1 (weights 1, 3): d = (2, -6); batch 2 (f32): d = 3.
    t.status(lk_epoch_metric_update_f64(&m1, LK_PROPERTY_ENERGY, e_pred, e_true, 2, &batch, sw),
             LK_OK, "epoch update f64");
    t.status(lk_epoch_metric_update_f32(&m2, LK_PROPERTY_ENERGY, &a, &z, 1, &b1, nullptr), LK_OK,
             "epoch update f32");
    t.status(lk_epoch_metric_merge(&m1, &m2), LK_OK, "epoch merge");
    double out = 0;
    t.status(lk_epoch_metric_value(&m1, LK_METRIC_RMSE, LK_EMPTY_ZERO, &out), LK_OK,
             "epoch RMSE");
    t.close(out, std::sqrt((4.0 + 3 * 36 + 9) / 5), 1e-15, "epoch RMSE value");
    t.status(lk_epoch_metric_value(&m1, LK_METRIC_MAE, LK_EMPTY_ZERO, &out), LK_OK, "epoch MAE");
    t.close(out, (2.0 + 3 * 6 + 3) / 5, 1e-15, "epoch MAE value");
    t.status(lk_epoch_metric_value(&m1, LK_METRIC_SCALE_FREE_HUBER, LK_EMPTY_ZERO, &out),
             LK_ERR_BAD_ENUM, "epoch value of a Huber metric");
    const lk_epoch_metric empty{0, 0, 0};
    t.status(lk_epoch_metric_value(&empty, LK_METRIC_MSE, LK_EMPTY_ERROR, &out),
             LK_ERR_EMPTY_MEAN, "empty epoch with LK_EMPTY_ERROR");

    lk_partial bw{};
    lk_batchwise_push(&bw, 4.0, 2);
    lk_batchwise_push(&bw, 1.0, 6);
    lk_batchwise_push(&bw, 100.0, 0);  // batch size 0 adds nothing
    t.status(lk_batchwise_mean(&bw, LK_EMPTY_ZERO, &out), LK_OK, "batchwise mean");
    t.close(out, (2 * 4.0 + 6 * 1.0) / 8, 1e-15, "batchwise mean value");
}

void errors(lkt::Checker &t) {
    const lk_property_loss energy = prop(LK_PROPERTY_ENERGY, LK_METRIC_MSE);
    const lk_batch batch{energy_ptr, 2, 6, nullptr};
    double out = -7, grad[2] = {-7, -7};
    const int64_t bad_ptr[3] = {0, 4, 2};
    const lk_batch bad{bad_ptr, 2, 6, nullptr};
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 2, &bad, nullptr, nullptr, &out, grad),
             LK_ERR_INDEX_OUT_OF_RANGE, "decreasing offsets");
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 1, &batch, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_LENGTH_MISMATCH, "n = 1 for 2 structures");
    const lk_property_loss huber0 = prop(LK_PROPERTY_ENERGY, LK_METRIC_HUBER, 0.0);
    t.status(lk_property_loss_f64(&huber0, e_pred, e_true, 2, &batch, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_BAD_PARAMETER, "Huber delta 0");
    const lk_property_loss unknown = prop(99, LK_METRIC_MSE);
    t.status(lk_property_loss_f64(&unknown, e_pred, e_true, 2, &batch, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_BAD_ENUM, "unknown property");
    const double neg[2] = {1, -1};
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 2, &batch, neg, nullptr, &out, grad),
             LK_ERR_BAD_PARAMETER, "negative structure weight");
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 2, nullptr, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_NULL_POINTER, "NULL batch");
    const int64_t empty_ptr[3] = {0, 0, 6};
    const lk_batch empty{empty_ptr, 2, 6, nullptr};
    const lk_property_loss per_atom = prop(LK_PROPERTY_PER_ATOM_ENERGY, LK_METRIC_MSE);
    t.status(lk_property_loss_f64(&per_atom, e_pred, e_true, 2, &empty, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_INDEX_OUT_OF_RANGE, "per-atom energy of a structure of 0 atoms");
    t.status(lk_property_loss_f64(&energy, e_pred, e_true, 2, &batch, nullptr, nullptr, &out,
                                  &out),
             LK_ERR_ALIASING, "out and grad overlap");
    t.check(out == -7 && grad[0] == -7 && grad[1] == -7, "outputs untouched after the errors");
}

}  // namespace

LK_FAMILY(atomistic) {
    per_atom_energy(t);
    spec_graph_pes(t);
    forces(t);
    epoch(t);
    errors(t);
}
