// The penalty family (Rockpool's boundary penalties) from C++ (run by capi/tests/cpp.rs).
// Expected values: SPEC.md section 6.2 (10 e for +-2 * ones(10) with bounds [-1, 1]; 0 at
// the bounds) and 6.6 (sebl([1.5, -2, 0.3]) = 4.3670030992, bounds_cost of [0.5, 2, -3] =
// 10.1073379); the rest from the documented formula exp(x - upper) / exp(lower - x) and
// its derivative written out here, and central differences of the library's values.
#include "check.hpp"

#include <limits>

namespace {

const double e = std::exp(1.0);
const double inf = std::numeric_limits<double>::infinity();

// sum exp(x - up) over x > up + sum exp(lo - x) over x < lo, and its derivative.
double sebl_formula(const std::vector<double> &x, double lo, double up,
                    std::vector<double> &grad) {
    double v = 0;
    grad.clear();
    for (double xi : x) {
        const double g = xi > up ? std::exp(xi - up) : (xi < lo ? -std::exp(lo - xi) : 0.0);
        v += std::fabs(g);
        grad.push_back(g);
    }
    return v;
}

void summed_exp(lkt::Checker &t) {
    std::vector<double> x(10, 2.0), g(10), want_grad;
    double out = 0;
    t.status(lk_summed_exp_boundary_loss_f64(x.data(), 10, -1, 1, nullptr, &out, g.data()), LK_OK,
             "sebl f64");
    t.close(out, 10 * e, 1e-15, "sebl(2 ones(10)) = 10 e (SPEC 6.2)");
    t.close_all(g, std::vector<double>(10, e), 1e-15, "sebl gradient e");
    std::vector<float> xf(10, -2.0f), gf(10);
    float outf = 0;
    t.status(lk_summed_exp_boundary_loss_f32(xf.data(), 10, -1, 1, nullptr, &outf, gf.data()),
             LK_OK, "sebl f32");
    t.close(outf, 10 * e, 1e-6, "sebl(-2 ones(10)) = 10 e f32 (SPEC 6.2)");
    t.close_all(gf, std::vector<double>(10, -e), 1e-6, "sebl f32 gradient -e");
    for (int i = 0; i < 10; ++i) x[i] = i % 2 ? 1.0 : -1.0;
    t.status(lk_summed_exp_boundary_loss_f64(x.data(), 10, -1, 1, nullptr, &out, g.data()), LK_OK,
             "sebl at the bounds");
    t.check(out == 0 && g[0] == 0 && g[1] == 0, "0 at the bounds (SPEC 6.2)");
    const std::vector<double> s{1.5, -2.0, 0.3};
    t.status(lk_summed_exp_boundary_loss_f64(s.data(), 3, -1, 1, nullptr, &out, g.data()), LK_OK,
             "sebl([1.5, -2, 0.3])");
    t.close(out, 4.3670030992, 1e-10, "sebl([1.5, -2, 0.3]) (SPEC 6.6)");

    // Mixed values, with a scale and accumulation, against the formula and finite
    // differences.
    const std::vector<double> m{-2.0, -0.6, 0.1, 0.7, 1.1, 3.0, -1.25};
    const double lo = -0.5, up = 0.75;
    std::vector<double> gm(m.size(), 1.0);
    lk_grad_options go = lk_grad_options_default();
    go.scale = 3;
    go.accumulate = 1;
    t.status(lk_summed_exp_boundary_loss_f64(m.data(), m.size(), lo, up, &go, &out, gm.data()),
             LK_OK, "sebl mixed");
    const double want = sebl_formula(m, lo, up, want_grad);
    t.close(out, want, 1e-15, "sebl mixed = formula");
    std::vector<double> acc;
    for (double w : want_grad) acc.push_back(1 + 3 * w);
    t.close_all(gm, acc, 1e-15, "grad += 3 * d sebl / dx");
    std::vector<double> fd;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const double h = 1e-6;
        std::vector<double> p = m;
        double a = 0, b = 0;
        p[i] = m[i] + h;
        lk_summed_exp_boundary_loss_f64(p.data(), p.size(), lo, up, nullptr, &a, nullptr);
        p[i] = m[i] - h;
        lk_summed_exp_boundary_loss_f64(p.data(), p.size(), lo, up, nullptr, &b, nullptr);
        fd.push_back((a - b) / (2 * h));
    }
    std::vector<double> g1(m.size());
    lk_summed_exp_boundary_loss_f64(m.data(), m.size(), lo, up, nullptr, &out, g1.data());
    double worst = 0;
    for (std::size_t i = 0; i < m.size(); ++i) worst = std::fmax(worst, std::fabs(g1[i] - fd[i]));
    t.check(worst <= 1e-7 * std::exp(3.0 - up), "sebl gradient vs finite differences");
}

void regularizer(lkt::Checker &t) {
    lk_boundary_regularizer reg = lk_boundary_regularizer_default();
    t.check(reg.lower == -inf && reg.upper == inf, "default: no bounds");
    const double x[3] = {-5.0, 2.0, 0.3};
    double out = -1, g[3];
    t.status(lk_boundary_regularizer_f64(&reg, x, 3, nullptr, &out, g), LK_OK, "no bounds");
    t.check(out == 0 && g[0] == 0, "no bounds cost 0");
    reg.lower = 0.0;  // a real bound here (Rockpool treats 0 as none, SPEC 6.6)
    t.status(lk_boundary_regularizer_f64(&reg, x, 1, nullptr, &out, g), LK_OK, "lower 0");
    t.close(out, std::exp(5.0), 1e-15, "lower bound 0: e^5");
    t.close(g[0], -std::exp(5.0), 1e-15, "its gradient");
    const float xf[1] = {-5.0f};
    float outf = 0, gf[1];
    t.status(lk_boundary_regularizer_f32(&reg, xf, 1, nullptr, &outf, gf), LK_OK, "f32");
    t.close(outf, std::exp(5.0), 1e-6, "f32 regulariser");
    t.close(gf[0], -std::exp(5.0), 1e-6, "f32 regulariser gradient");
}

void bounds_cost(lkt::Checker &t) {
    const double a[3] = {0.5, 2.0, -3.0}, b[2] = {5.0, -1.0}, b_lo[2] = {4.0, 0.0};
    double ga[3], gb[2], out = -1;
    lk_bounds_group_f64 groups[2] = {{a, 3, nullptr, nullptr, -1.0, 1.0, ga},
                                     {b, 2, b_lo, nullptr, 0.0, inf, gb}};
    t.status(lk_bounds_cost_f64(groups, 1, nullptr, &out), LK_OK, "one group");
    t.close(out, 10.1073379, 1e-8, "bounds_cost [0.5, 2, -3] (SPEC 6.6)");
    t.close_all(ga, std::vector<double>{0, e, -e * e}, 1e-15, "bounds_cost gradient");
    t.status(lk_bounds_cost_f64(groups, 2, nullptr, &out), LK_OK, "two groups");
    t.close(out, e + e * e + e, 1e-15, "two groups: per-element lower bounds");
    t.close_all(gb, std::vector<double>{0, -e}, 1e-15, "group 2 gradient");
    t.status(lk_bounds_cost_f64(nullptr, 0, nullptr, &out), LK_OK, "no groups");
    t.check(out == 0, "no groups cost 0");
    const float af[3] = {0.5f, 2.0f, -3.0f};
    float gaf[3], outf = 0;
    const lk_bounds_group_f32 gf{af, 3, nullptr, nullptr, -1.0f, 1.0f, gaf};
    t.status(lk_bounds_cost_f32(&gf, 1, nullptr, &outf), LK_OK, "f32 group");
    t.close(outf, 10.1073379, 1e-6, "bounds_cost f32 (SPEC 6.6)");
    t.close_all(gaf, std::vector<double>{0, e, -e * e}, 1e-6, "bounds_cost f32 gradient");
}

void errors(lkt::Checker &t) {
    const double a[3] = {0.5, 2.0, -3.0}, b[2] = {5.0, -1.0};
    double ga[3] = {9, 9, 9}, gb[2] = {9, 9}, out = -1;
    t.status(lk_summed_exp_boundary_loss_f64(a, 3, 1, -1, nullptr, &out, ga),
             LK_ERR_BAD_PARAMETER, "lower > upper");
    t.status(lk_summed_exp_boundary_loss_f64(a, 3, inf, inf, nullptr, &out, ga),
             LK_ERR_BAD_PARAMETER, "lower = +inf");
    t.status(lk_summed_exp_boundary_loss_f64(nullptr, 3, -1, 1, nullptr, &out, ga),
             LK_ERR_NULL_POINTER, "NULL data");
    lk_grad_options go = lk_grad_options_default();
    go.scale = std::nan("");
    t.status(lk_summed_exp_boundary_loss_f64(a, 3, -1, 1, &go, &out, ga), LK_ERR_BAD_PARAMETER,
             "NaN gradient scale");
    t.status(lk_boundary_regularizer_f64(nullptr, a, 3, nullptr, &out, ga), LK_ERR_NULL_POINTER,
             "NULL regulariser");
    lk_bounds_group_f64 groups[2] = {{a, 3, nullptr, nullptr, -1.0, 1.0, ga},
                                     {b, 2, nullptr, nullptr, std::nan(""), 1.0, gb}};
    t.status(lk_bounds_cost_f64(groups, 2, nullptr, &out), LK_ERR_BAD_PARAMETER,
             "NaN bound in group 2");
    groups[1].lower_scalar = 0;
    groups[1].grad = ga + 2;
    t.status(lk_bounds_cost_f64(groups, 2, nullptr, &out), LK_ERR_ALIASING,
             "group 2 gradient overlaps group 1's");
    groups[1].grad = gb;
    groups[1].params = nullptr;
    t.status(lk_bounds_cost_f64(groups, 2, nullptr, &out), LK_ERR_NULL_POINTER,
             "group 2 params NULL");
    t.check(out == -1 && ga[0] == 9 && ga[1] == 9 && ga[2] == 9 && gb[0] == 9 && gb[1] == 9,
            "outputs untouched after the errors");
}

}  // namespace

LK_FAMILY(penalty) {
    summed_exp(t);
    regularizer(t);
    bounds_cost(t);
    errors(t);
}
