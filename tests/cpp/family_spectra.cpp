// The spectra family (DRDMannTurb's spectra-fitting aggregate) from C++ (run by
// capi/tests/cpp.rs). Expected values: SPEC.md section 6.6 (the single-component and the
// non-uniform cases), the documented formulas written out here in double (log-MSE, the
// node-mean slope and curvature penalties, regulariser, coherence and the simple terms'
// derivatives), and central differences of the library's total.
#include "check.hpp"

#include <algorithm>
#include <limits>

namespace {

// SPEC 6.6, non-uniform case: k1 = [0.1, 0.2, 0.5, 1], C = 2 (row-major C x L).
const double nk1[4] = {0.1, 0.2, 0.5, 1.0};
const double ny[8] = {4, 3, 2.5, 1, -0.5, -0.4, -0.45, -0.1};
const double nt[8] = {3, 3, 2, 1.5, -0.6, -0.3, -0.4, -0.2};
const double theta[3] = {0.5, -1.0, 2.0};

// Pen1 = a1 mean ReLU(d1)^2 / zref, Pen2 = a2 mean ReLU(d2)^2 / zref^2 with
// d1_j = (l_j+1 - l_j) / h1_j, d2_j = (d1_j+1 - d1_j) / ((h1_j + h1_j+1) / 2), l = ln|y|.
void penalties(const double *y, int c, const double *k1, int l, double zref, double a1,
               double a2, double &pen1, double &pen2) {
    pen1 = pen2 = 0;
    for (int i = 0; i < c; ++i) {
        std::vector<double> h1, d1;
        for (int j = 0; j + 1 < l; ++j) {
            h1.push_back(std::log(k1[j + 1]) - std::log(k1[j]));
            d1.push_back((std::log(std::fabs(y[i * l + j + 1])) - std::log(std::fabs(y[i * l + j]))) /
                         h1.back());
            pen1 += std::pow(std::max(d1.back(), 0.0), 2);
        }
        for (int j = 0; j + 2 < l; ++j) {
            const double d2 = (d1[j + 1] - d1[j]) / ((h1[j] + h1[j + 1]) / 2);
            pen2 += std::pow(std::max(d2, 0.0), 2);
        }
    }
    pen1 = a1 * pen1 / (c * (l - 1)) / zref;
    pen2 = a2 * pen2 / (c * (l - 2)) / (zref * zref);
}

void single_component(lkt::Checker &t) {
    // SPEC 6.6: k1 = [1, 10, 100], y = [1, 2, 8], data = 1.
    const double k1[3] = {1, 10, 100}, y[3] = {1, 2, 8}, d[3] = {1, 1, 1};
    double work[6], grad[3];
    lk_spectra_grid grid;
    lk_spectra_terms terms;
    t.check(lk_spectra_workspace_len(3) == 6 && lk_spectra_workspace_len(0) == 0,
            "lk_spectra_workspace_len");
    t.status(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, &grid), LK_OK, "grid init");
    lk_spectra_params p = lk_spectra_params_default();
    p.alpha_pen1 = 1;
    p.alpha_pen2 = 1;
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, grad, nullptr, nullptr),
             LK_OK, "eval f64");
    t.close(terms.mse, 1.6015100464, 1e-10, "MSE (SPEC 6.6)");
    t.close(terms.pen1, 0.2265476457, 1e-8, "Pen1 (SPEC 6.6)");
    t.close(terms.pen2, 0.0170918144, 1e-8, "Pen2 (SPEC 6.6)");
    t.close(terms.total, terms.mse + terms.pen1 + terms.pen2, 1e-15, "total");
    double pen1, pen2;
    penalties(y, 1, k1, 3, 1.0, 1.0, 1.0, pen1, pen2);
    t.close(terms.pen1, pen1, 1e-13, "Pen1 = the formula written here");
    t.close(terms.pen2, pen2, 1e-13, "Pen2 = the formula written here");

    t.status(lk_spectra_grid_init_f64(k1, 3, 2.0, work, 6, &grid), LK_OK, "grid zref 2");
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, nullptr, nullptr, nullptr),
             LK_OK, "eval zref 2");
    t.close(terms.pen1, 0.1132738229, 1e-8, "Pen1 zref 2 (SPEC 6.6)");
    t.close(terms.pen2, 0.0042729536, 3e-8, "Pen2 zref 2 (SPEC 6.6)");

    // MSE alone (NULL params): gradient 2 ln|y/d| / (C L y), times the scale.
    lk_grad_options g = lk_grad_options_default();
    g.scale = 0.5;
    t.status(lk_spectra_eval_f64(&grid, nullptr, y, d, 1, nullptr, 0, nullptr, nullptr, 0, &g,
                                 &terms, grad, nullptr, nullptr),
             LK_OK, "MSE alone");
    std::vector<double> want;
    for (int j = 0; j < 3; ++j) want.push_back(0.5 * 2 * std::log(y[j]) / (3 * y[j]));
    t.close_all(grad, want, 1e-14, "scaled MSE gradient");

    // f32: values computed in double inside.
    const float k1f[3] = {1, 10, 100}, yf[3] = {1, 2, 8}, df[3] = {1, 1, 1};
    float gf[3];
    t.status(lk_spectra_grid_init_f32(k1f, 3, 1.0f, work, 6, &grid), LK_OK, "grid init f32");
    t.status(lk_spectra_eval_f32(&grid, &p, yf, df, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, gf, nullptr, nullptr),
             LK_OK, "eval f32");
    t.close(terms.total, 1.6015100464 + 0.2265476457 + 0.0170918144, 1e-6, "total f32");
    t.check(std::isfinite(gf[0]) && std::isfinite(gf[2]), "f32 gradient is finite");
}

void nonuniform(lkt::Checker &t) {
    double work[10], gt[3], gm[8];
    lk_spectra_grid grid;
    lk_spectra_terms terms;
    lk_spectra_params p = lk_spectra_params_default();
    t.status(lk_spectra_grid_init_f64(nk1, 4, 90.0, work, 10, &grid), LK_OK, "grid zref 90");
    p.alpha_pen1 = 1;
    p.alpha_pen2 = 1;
    p.beta_reg = 1e-5;
    t.status(lk_spectra_eval_f64(&grid, &p, ny, nt, 2, theta, 3, nullptr, nullptr, 0, nullptr,
                                 &terms, nullptr, gt, nullptr),
             LK_OK, "non-uniform zref 90");
    t.close(terms.mse, 0.1134104944, 1e-9, "MSE (SPEC 6.6)");
    t.close(terms.pen1, 3.05988524e-5, 3e-8, "Pen1 zref 90 (SPEC 6.6)");
    t.close(terms.pen2, 1.18965761e-5, 3e-8, "Pen2 zref 90 (SPEC 6.6)");
    t.close(terms.reg, 1.75e-5, 1e-12, "Reg (SPEC 6.6)");
    t.close(terms.total, 0.1134704899, 1e-9, "total zref 90 (SPEC 6.6)");
    t.close_all(gt, std::vector<double>{2e-5 * 0.5 / 3, 2e-5 * -1.0 / 3, 2e-5 * 2.0 / 3}, 1e-14,
                "d Reg / d theta = 2 beta theta / n");

    t.status(lk_spectra_grid_init_f64(nk1, 4, 1.0, work, 10, &grid), LK_OK, "grid zref 1");
    p.alpha_pen1 = 1e-5;
    p.beta_reg = 2e-4;
    t.status(lk_spectra_eval_f64(&grid, &p, ny, nt, 2, theta, 3, nullptr, nullptr, 0, nullptr,
                                 &terms, gm, nullptr, nullptr),
             LK_OK, "non-uniform zref 1");
    t.close(terms.pen1, 2.75389672e-8, 3e-8, "Pen1 zref 1 (SPEC 6.6)");
    t.close(terms.pen2, 0.0963622661, 1e-9, "Pen2 zref 1 (SPEC 6.6)");
    t.close(terms.total, 0.2101227881, 1e-9, "total zref 1 (SPEC 6.6)");
    double pen1, pen2;
    penalties(ny, 2, nk1, 4, 1.0, 1e-5, 1.0, pen1, pen2);
    t.close(terms.pen1, pen1, 1e-12, "Pen1 zref 1 = the formula written here");
    t.close(terms.pen2, pen2, 1e-12, "Pen2 zref 1 = the formula written here");

    // d total / d model against central differences (relative steps).
    std::vector<double> fd;
    for (int i = 0; i < 8; ++i) {
        const double h = 1e-6 * std::fabs(ny[i]);
        double y[8];
        std::copy(ny, ny + 8, y);
        lk_spectra_terms a, b;
        y[i] = ny[i] + h;
        lk_spectra_eval_f64(&grid, &p, y, nt, 2, theta, 3, nullptr, nullptr, 0, nullptr, &a,
                            nullptr, nullptr, nullptr);
        y[i] = ny[i] - h;
        lk_spectra_eval_f64(&grid, &p, y, nt, 2, theta, 3, nullptr, nullptr, 0, nullptr, &b,
                            nullptr, nullptr, nullptr);
        fd.push_back((a.total - b.total) / (2 * h));
    }
    double worst = 0, scale = 0;
    for (int i = 0; i < 8; ++i) {
        worst = std::max(worst, std::fabs(gm[i] - fd[i]));
        scale = std::max(scale, std::fabs(fd[i]));
    }
    t.check(worst <= 1e-6 * scale, "d total / d model vs finite differences");

    // Coherence: gamma * mean (m - d)^2, gradient 2 gamma (m - d) / n; trapezoid norm.
    const double cm[3] = {0.2, 0.4, 0.6}, cd[3] = {0.0, 0.5, 0.5};
    double gc[3];
    p.norm = LK_SPECTRA_NORM_TRAPEZOID;
    p.gamma_coherence = 2.0;
    t.status(lk_spectra_eval_f64(&grid, &p, ny, nt, 2, theta, 3, cm, cd, 3, nullptr, &terms,
                                 nullptr, nullptr, gc),
             LK_OK, "coherence, trapezoid norm");
    t.close(terms.coherence, 2.0 * (0.04 + 0.01 + 0.01) / 3, 1e-14, "coherence value");
    t.close_all(gc, std::vector<double>{4 * 0.2 / 3, 4 * -0.1 / 3, 4 * 0.1 / 3}, 1e-13,
                "coherence gradient");
}

void errors(lkt::Checker &t) {
    const double k1[3] = {1, 10, 100}, bad_k1[3] = {1, 0, 100};
    const double y[3] = {0, 2, 8}, d[3] = {0, 1, 1};
    double work[6] = {-7, -7, -7, -7, -7, -7}, grad[3] = {5, 5, 5};
    lk_spectra_grid grid;
    lk_spectra_terms terms;
    lk_spectra_params p = lk_spectra_params_default();
    t.status(lk_spectra_grid_init_f64(bad_k1, 3, 1.0, work, 6, &grid), LK_ERR_BAD_PARAMETER,
             "k1 not increasing");
    t.status(lk_spectra_grid_init_f64(k1, 3, std::nan(""), work, 6, &grid), LK_ERR_BAD_PARAMETER,
             "zref NaN");
    t.status(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 7, &grid), LK_ERR_LENGTH_MISMATCH,
             "work_len 7 for 3 points");
    t.status(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, nullptr), LK_ERR_NULL_POINTER,
             "NULL grid");
    t.check(std::all_of(work, work + 6, [](double w) { return w == -7; }),
            "workspace untouched");

    t.status(lk_spectra_grid_init_f64(k1, 3, 1.0, work, 6, &grid), LK_OK, "grid");
    p.norm = 9;
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, grad, nullptr, nullptr),
             LK_ERR_BAD_ENUM, "unknown norm");
    p.norm = LK_SPECTRA_NORM_MEAN;
    p.alpha_pen1 = std::numeric_limits<double>::infinity();
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, grad, nullptr, nullptr),
             LK_ERR_BAD_PARAMETER, "infinite coefficient");
    p.alpha_pen1 = 0;
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 nullptr, grad, nullptr, nullptr),
             LK_ERR_NULL_POINTER, "NULL terms");
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, const_cast<double *>(d), nullptr, nullptr),
             LK_ERR_ALIASING, "gradient over the data");
    t.check(grad[0] == 5 && grad[1] == 5 && grad[2] == 5, "gradient untouched");

    // 0/0 in the log-ratio: LK_ERR_NOT_FINITE, and terms and gradient ARE written.
    t.status(lk_spectra_eval_f64(&grid, &p, y, d, 1, nullptr, 0, nullptr, nullptr, 0, nullptr,
                                 &terms, grad, nullptr, nullptr),
             LK_ERR_NOT_FINITE, "0/0 in the log-ratio");
    t.check(std::isnan(terms.total) && std::isnan(terms.mse) && std::isnan(grad[0]),
            "NaN reported in the terms and the gradient");
    t.close(grad[1], 2 * std::log(2.0) / (3 * 2.0), 1e-14, "finite gradient entries written");
}

}  // namespace

LK_FAMILY(spectra) {
    single_component(t);
    nonuniform(t);
    errors(t);
}
