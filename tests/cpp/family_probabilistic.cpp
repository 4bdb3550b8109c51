// The probabilistic family from C++ (run by capi/tests/cpp.rs): heteroscedastic NLLs,
// variance-reduced losses, Gaussian KL and free energy, the low-rank logit variance and
// astroNN's Bayesian cross-entropies. Expected values: SPEC.md section 6.6 (robust_mse
// 0.5246530722; CE-VR 0.6020896433 and 0.4076059644 with var = 0; BCE-VR 0.6443966601,
// 0.9740769842, 0.5543552445; Gaussian KL elements 1.9325359655, 0, 6.4077562790); the rest
// from the documented formulas written out here in double, and from central differences of
// the library's own values (both inputs of the two-input losses).
#include "check.hpp"

#include <cstdint>
#include <functional>

namespace {

constexpr double MAGIC = LK_ASTRONN_MAGIC;
constexpr double KL_EPS = 1e-6;  // inferno's eps in the Gaussian KL

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// Central differences of f with respect to each entry of x.
std::vector<double> central(const std::function<double(const std::vector<double> &)> &f,
                            const std::vector<double> &x, double h = 1e-6) {
    std::vector<double> fd;
    for (std::size_t i = 0; i < x.size(); ++i) {
        std::vector<double> up = x, down = x;
        up[i] += h;
        down[i] -= h;
        fd.push_back((f(up) - f(down)) / (2 * h));
    }
    return fd;
}

// One name for both precisions.
lk_status gaussian_nll(const std::vector<float> &x, const std::vector<float> &v,
                       const std::vector<float> &y, float *out, float *g, float *gv) {
    return lk_gaussian_nll_f32(x.data(), v.data(), y.data(), nullptr, x.size(), 0, 1e-6f,
                               nullptr, out, g, gv);
}
lk_status gaussian_nll(const std::vector<double> &x, const std::vector<double> &v,
                       const std::vector<double> &y, double *out, double *g, double *gv) {
    return lk_gaussian_nll_f64(x.data(), v.data(), y.data(), nullptr, x.size(), 0, 1e-6, nullptr,
                               out, g, gv);
}

// gaussian_nll_loss (not full): L = (1/n) sum 0.5 (ln v + d^2/v), dL/dx = d/v/n,
// dL/dv = 0.5 (1/v - d^2/v^2)/n.
template <class T>
void gaussian_nll_in(lkt::Checker &t, const std::string &type, double rtol) {
    const std::vector<T> x{T(0.5), T(-1), T(2), T(0.125)};
    const std::vector<T> y{T(0), T(1), T(1.5), T(0.25)};
    const std::vector<T> v{T(2), T(0.5), T(0.25), T(4)};
    std::vector<T> g(4), gv(4);
    T out = 0;
    t.status(gaussian_nll(x, v, y, &out, g.data(), gv.data()), LK_OK, "gaussian_nll " + type);
    double want = 0;
    std::vector<double> wg, wgv;
    for (std::size_t i = 0; i < 4; ++i) {
        const double d = double(x[i]) - double(y[i]), vi = double(v[i]);
        want += 0.5 * (std::log(vi) + d * d / vi) / 4;
        wg.push_back(d / vi / 4);
        wgv.push_back(0.5 * (1 / vi - d * d / (vi * vi)) / 4);
    }
    t.close(out, want, rtol, "gaussian_nll " + type + " value");
    t.close_all(g, wg, rtol, "gaussian_nll " + type + " grad (pred)");
    t.close_all(gv, wgv, rtol, "gaussian_nll " + type + " grad_var");

    std::vector<T> bad = v;
    bad[2] = T(-0.25);
    std::vector<T> g2(4, T(-7)), gv2(4, T(-7));
    T out2 = -7;
    t.status(gaussian_nll(x, bad, y, &out2, g2.data(), gv2.data()), LK_ERR_BAD_PARAMETER,
             "gaussian_nll " + type + " negative variance");
    bool untouched = out2 == T(-7);
    for (std::size_t i = 0; i < 4; ++i) untouched = untouched && g2[i] == T(-7) && gv2[i] == T(-7);
    t.check(untouched, "gaussian_nll " + type + " outputs untouched after a negative variance");
}

}  // namespace

LK_FAMILY(probabilistic) {
    gaussian_nll_in<float>(t, "f32", 2e-6);
    gaussian_nll_in<double>(t, "f64", 1e-14);

    // astroNN robust_mse: SPEC 6.6 (magic label, per-row mean of 2 kept labels); gradients
    // (p - y)/V / 2 and 0.5 exp(lv)/V (1 - (p - y)^2/V) / 2 with V = exp(lv) + err^2 = [1, -, 3].
    {
        const double y[3] = {1, MAGIC, 3}, p[3] = {0, 5, 3};
        const double lv[3] = {0, 0, std::log(2.0)}, e[3] = {0, 0, 1};
        const float y32[3] = {1, -9999, 3}, p32[3] = {0, 5, 3};
        const float lv32[3] = {0, 0, float(std::log(2.0))}, e32[3] = {0, 0, 1};
        std::vector<double> gp(3), glv(3);
        double out = 0;
        float out32 = 0;
        lk_options astro = lk_options_default();
        astro.use_magic = 1;
        astro.row_len = 3;
        t.status(lk_robust_mse_f64(p, lv, e, y, nullptr, 3, &astro, &out, gp.data(), glv.data()),
                 LK_OK, "lk_robust_mse_f64");
        t.close(out, 0.5246530722, 1e-9, "robust_mse SPEC 6.6 value");
        t.close_all(gp, std::vector<double>{-0.5, 0, 0}, 1e-15, "robust_mse grad_pred");
        t.close_all(glv, std::vector<double>{0, 0, 1.0 / 6}, 1e-15, "robust_mse grad_logvar");
        t.status(lk_robust_mse_f32(p32, lv32, e32, y32, nullptr, 3, &astro, &out32, nullptr,
                                   nullptr),
                 LK_OK, "lk_robust_mse_f32");
        t.close(out32, 0.5246530722, 1e-6, "robust_mse f32 value");

        // Both gradients against central differences on plain data (mean over 4).
        const std::vector<double> p2{0.3, -1.2, 2.0, 0.7}, y2{0, -0.5, 1, 1.5};
        const std::vector<double> e2{0.1, 0, 0.5, 0.2}, lv2{0.2, -0.4, 0, 1};
        std::vector<double> g1(4), g2(4);
        t.status(lk_robust_mse_f64(p2.data(), lv2.data(), e2.data(), y2.data(), nullptr, 4,
                                   nullptr, &out, g1.data(), g2.data()),
                 LK_OK, "robust_mse plain");
        auto value = [&](const std::vector<double> &pp, const std::vector<double> &ll) {
            double v = 0;
            lk_robust_mse_f64(pp.data(), ll.data(), e2.data(), y2.data(), nullptr, 4, nullptr, &v,
                              nullptr, nullptr);
            return v;
        };
        t.close_all(g1, central([&](const std::vector<double> &a) { return value(a, lv2); }, p2),
                    1e-7, "robust_mse grad_pred vs finite differences");
        t.close_all(g2, central([&](const std::vector<double> &a) { return value(p2, a); }, lv2),
                    1e-7, "robust_mse grad_logvar vs finite differences");
    }

    // CE-VR: SPEC 6.6 values; grad_mean = p - onehot(y), grad_var = p/2, p = softmax(mean +
    // var/2); a bad class and a negative variance leave the outputs untouched.
    {
        const double mu[3] = {1, 0, -1}, v[3] = {0.5, 0.2, 0}, v0[3] = {0, 0, 0};
        const double neg[3] = {0.5, -0.2, 0};
        const float mu32[3] = {1, 0, -1}, v32[3] = {0.5f, 0.2f, 0};
        const int64_t y[1] = {0}, bad[1] = {3};
        double out = 0, gm[3], gv[3];
        float out32 = 0;
        t.status(lk_cross_entropy_vr_f64(mu, v, y, nullptr, 1, 3, 1, nullptr, &out, gm, gv), LK_OK,
                 "lk_cross_entropy_vr_f64");
        t.close(out, 0.6020896433, 1e-9, "CE-VR SPEC 6.6 value");
        double s = 0;
        for (int k = 0; k < 3; ++k) s += std::exp(mu[k] + v[k] / 2);
        std::vector<double> wm, wv;
        for (int k = 0; k < 3; ++k) {
            const double pk = std::exp(mu[k] + v[k] / 2) / s;
            wm.push_back(pk - (k == 0 ? 1 : 0));
            wv.push_back(pk / 2);
        }
        t.close_all(gm, wm, 1e-15, "CE-VR grad_mean");
        t.close_all(gv, wv, 1e-15, "CE-VR grad_var");
        t.status(lk_cross_entropy_vr_f64(mu, v0, y, nullptr, 1, 3, 1, nullptr, &out, nullptr,
                                         nullptr),
                 LK_OK, "CE-VR var = 0");
        t.close(out, 0.4076059644, 1e-9, "CE-VR SPEC 6.6 value with var = 0");
        t.status(lk_cross_entropy_vr_f32(mu32, v32, y, nullptr, 1, 3, 1, nullptr, &out32, nullptr,
                                         nullptr),
                 LK_OK, "lk_cross_entropy_vr_f32");
        t.close(out32, 0.6020896433, 1e-6, "CE-VR f32 value");

        out = 42;
        double g42[3] = {42, 42, 42};
        t.status(lk_cross_entropy_vr_f64(mu, v, bad, nullptr, 1, 3, 1, nullptr, &out, g42,
                                         nullptr),
                 LK_ERR_INDEX_OUT_OF_RANGE, "CE-VR class 3 of 3");
        t.status(lk_cross_entropy_vr_f64(mu, neg, y, nullptr, 1, 3, 1, nullptr, &out, g42,
                                         nullptr),
                 LK_ERR_BAD_PARAMETER, "CE-VR negative variance");
        t.check(out == 42 && g42[0] == 42 && g42[1] == 42 && g42[2] == 42,
                "CE-VR outputs untouched after the errors");
    }

    // BCE-VR: SPEC 6.6 values; then both gradients by the formula and by central differences,
    // with S = 2 samples sharing B = 2 targets.
    {
        double out = 0;
        float out32 = 0;
        const double m1[1] = {0.3}, v1[1] = {0.4}, v0[1] = {0}, t1[1] = {1}, t0[1] = {0};
        const float m32[1] = {0.3f}, v32[1] = {0.4f}, t32[1] = {1};
        t.status(lk_bce_with_logits_vr_f64(m1, v1, t1, nullptr, 1, 1, nullptr, &out, nullptr,
                                           nullptr),
                 LK_OK, "lk_bce_with_logits_vr_f64");
        t.close(out, 0.6443966601, 1e-9, "BCE-VR SPEC 6.6 t = 1");
        lk_bce_with_logits_vr_f64(m1, v1, t0, nullptr, 1, 1, nullptr, &out, nullptr, nullptr);
        t.close(out, 0.9740769842, 1e-9, "BCE-VR SPEC 6.6 t = 0");
        lk_bce_with_logits_vr_f64(m1, v0, t1, nullptr, 1, 1, nullptr, &out, nullptr, nullptr);
        t.close(out, 0.5543552445, 1e-9, "BCE-VR SPEC 6.6 var = 0");
        t.status(lk_bce_with_logits_vr_f32(m32, v32, t32, nullptr, 1, 1, nullptr, &out32, nullptr,
                                           nullptr),
                 LK_OK, "lk_bce_with_logits_vr_f32");
        t.close(out32, 0.6443966601, 1e-6, "BCE-VR f32 value");

        const std::vector<double> m{0.3, -1.1, 2.0, 0.4}, v{0.4, 0.9, 0.05, 1.2}, y{1, 0.25};
        std::vector<double> gm(4), gv(4), wm, wv;
        t.status(lk_bce_with_logits_vr_f64(m.data(), v.data(), y.data(), nullptr, 4, 2, nullptr,
                                           &out, gm.data(), gv.data()),
                 LK_OK, "BCE-VR 2 samples");
        double want = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const double yi = y[i % 2], a = -m[i] + v[i] / 2, b = m[i] + v[i] / 2;
            // softplus(x) = max(x, 0) + log1p(exp(-|x|))
            const double spa = std::fmax(a, 0) + std::log1p(std::exp(-std::fabs(a)));
            const double spb = std::fmax(b, 0) + std::log1p(std::exp(-std::fabs(b)));
            want += (yi * spa + (1 - yi) * spb) / 4;
            wm.push_back((-yi * sigmoid(a) + (1 - yi) * sigmoid(b)) / 4);
            wv.push_back(0.5 * (yi * sigmoid(a) + (1 - yi) * sigmoid(b)) / 4);
        }
        t.close(out, want, 1e-14, "BCE-VR value (targets repeated over samples)");
        t.close_all(gm, wm, 1e-14, "BCE-VR grad_mean formula");
        t.close_all(gv, wv, 1e-14, "BCE-VR grad_var formula");
        auto value = [&](const std::vector<double> &mm, const std::vector<double> &vv) {
            double r = 0;
            lk_bce_with_logits_vr_f64(mm.data(), vv.data(), y.data(), nullptr, 4, 2, nullptr, &r,
                                      nullptr, nullptr);
            return r;
        };
        t.close_all(gm, central([&](const std::vector<double> &a) { return value(a, v); }, m),
                    1e-7, "BCE-VR grad_mean vs finite differences");
        t.close_all(gv, central([&](const std::vector<double> &a) { return value(m, a); }, v),
                    1e-7, "BCE-VR grad_var vs finite differences");
    }

    // MSE-VR: (1/n) sum (mean - y)^2 + var; a negative variance leaves everything untouched.
    {
        const double m[4] = {0.5, -1, 0.25, 2}, v[4] = {0.5, 0.2, 1.5, 0.1}, y[2] = {1, 0};
        const double neg[4] = {0.5, 0.2, -0.1, 0.1};
        double out = 0, gm[4], gv[4];
        t.status(lk_mse_vr_f64(m, v, y, nullptr, 4, 2, nullptr, &out, gm, gv), LK_OK,
                 "lk_mse_vr_f64");
        double want = 0;
        std::vector<double> wm;
        for (int i = 0; i < 4; ++i) {
            want += ((m[i] - y[i % 2]) * (m[i] - y[i % 2]) + v[i]) / 4;
            wm.push_back(2 * (m[i] - y[i % 2]) / 4);
        }
        t.close(out, want, 1e-15, "MSE-VR value");
        t.close_all(gm, wm, 1e-15, "MSE-VR grad_mean");
        t.close_all(gv, std::vector<double>(4, 0.25), 1e-15, "MSE-VR grad_var");
        const float m32[4] = {0.5f, -1, 0.25f, 2}, v32[4] = {0.5f, 0.2f, 1.5f, 0.1f};
        const float y32[2] = {1, 0};
        float out32 = 0;
        t.status(lk_mse_vr_f32(m32, v32, y32, nullptr, 4, 2, nullptr, &out32, nullptr, nullptr),
                 LK_OK, "lk_mse_vr_f32");
        t.close(out32, want, 1e-6, "MSE-VR f32 value");
        out = 42;
        double g42[4] = {42, 42, 42, 42}, h42[4] = {42, 42, 42, 42};
        t.status(lk_mse_vr_f64(m, neg, y, nullptr, 4, 2, nullptr, &out, g42, h42),
                 LK_ERR_BAD_PARAMETER, "MSE-VR negative variance");
        bool untouched = out == 42;
        for (int i = 0; i < 4; ++i) untouched = untouched && g42[i] == 42 && h42[i] == 42;
        t.check(untouched, "MSE-VR outputs untouched after a negative variance");
    }

    // Gaussian KL: SPEC 6.6 elements against N(0, 1); with per-element priors, summed,
    // KL = 0.5 (vp/vq + (m - m0)^2/vq - 1 - ln(vp/vq)), dKL/dm = (m - m0)/vq,
    // dKL/dscale = scale (1/vq - 1/vp), vp = scale^2 + eps, vq = s0^2 + eps; a zero prior
    // scale (scalar or per element) is refused with the outputs untouched.
    {
        const double m[3] = {0.5, 0, 0}, s[3] = {0.1, 1, 0};
        const float m32[3] = {0.5f, 0, 0}, s32[3] = {0.1f, 1, 0};
        double vals[3];
        float vals32[3];
        lk_options none = lk_options_default();
        none.reduction = LK_REDUCTION_NONE;
        t.status(lk_gaussian_kl_f64(m, s, nullptr, nullptr, 0, 1, nullptr, 3, &none, vals,
                                    nullptr, nullptr),
                 LK_OK, "lk_gaussian_kl_f64");
        t.close(vals[0], 1.9325359655, 1e-9, "KL (0.5, 0.1) SPEC 6.6");
        t.check(vals[1] == 0, "KL (0, 1) is exactly 0");
        t.close(vals[2], 6.4077562790, 1e-9, "KL (0, 0) SPEC 6.6");
        t.status(lk_gaussian_kl_f32(m32, s32, nullptr, nullptr, 0, 1, nullptr, 3, &none, vals32,
                                    nullptr, nullptr),
                 LK_OK, "lk_gaussian_kl_f32");
        t.close(vals32[0], 1.9325359655, 1e-5, "KL (0.5, 0.1) f32");
        t.close(vals32[2], 6.4077562790, 1e-5, "KL (0, 0) f32");

        const double m2[3] = {0.2, -0.7, 1.1}, s2[3] = {0.6, 1.3, 0.2};
        const double pl[3] = {0.1, 0, -0.5}, ps[3] = {0.8, 1.5, 2};
        lk_options sum = lk_options_default();
        sum.reduction = LK_REDUCTION_SUM;
        double out = 0, gm[3], gs[3], want = 0;
        std::vector<double> wm, ws;
        t.status(lk_gaussian_kl_f64(m2, s2, pl, ps, 0, 1, nullptr, 3, &sum, &out, gm, gs), LK_OK,
                 "KL with per-element priors");
        for (int k = 0; k < 3; ++k) {
            const double vp = s2[k] * s2[k] + KL_EPS, vq = ps[k] * ps[k] + KL_EPS;
            const double d = m2[k] - pl[k];
            want += 0.5 * (vp / vq + d * d / vq - 1 - std::log(vp / vq));
            wm.push_back(d / vq);
            ws.push_back(s2[k] * (1 / vq - 1 / vp));
        }
        t.close(out, want, 1e-14, "KL sum with per-element priors");
        t.close_all(gm, wm, 1e-14, "KL grad_mean");
        t.close_all(gs, ws, 1e-14, "KL grad_scale");

        out = 42;
        double g42[3] = {42, 42, 42}, h42[3] = {42, 42, 42};
        t.status(lk_gaussian_kl_f64(m2, s2, nullptr, nullptr, 0, 0, nullptr, 3, &sum, &out, g42,
                                    h42),
                 LK_ERR_BAD_PARAMETER, "KL prior scale 0");
        const double ps0[3] = {0.8, 0, 2};
        t.status(lk_gaussian_kl_f64(m2, s2, pl, ps0, 0, 1, nullptr, 3, &sum, &out, g42, h42),
                 LK_ERR_BAD_PARAMETER, "KL per-element prior scale 0");
        bool untouched = out == 42;
        for (int i = 0; i < 3; ++i) untouched = untouched && g42[i] == 42 && h42[i] == 42;
        t.check(untouched, "KL outputs untouched after a zero prior scale");
    }

    // Free energy nll + w KL with out = {F, KL, w}.
    {
        const double m[3] = {0.5, 0, 0}, s[3] = {0.1, 1, 0};
        const double kl = 1.9325359655 + 6.4077562790;
        double fe[3], gm[3], gs[3];
        t.status(lk_free_energy_f64(2, m, s, nullptr, nullptr, 0, 1, 3, 0.5, 0, 1, 0, fe, gm, gs),
                 LK_OK, "lk_free_energy_f64");
        t.close_all(fe, std::vector<double>{2 + 0.5 * kl, kl, 0.5}, 1e-9, "free energy {F, KL, w}");
        std::vector<double> wm, ws;
        for (int k = 0; k < 3; ++k) {
            wm.push_back(0.5 * m[k] / (1 + KL_EPS));
            ws.push_back(0.5 * s[k] * (1 / (1 + KL_EPS) - 1 / (s[k] * s[k] + KL_EPS)));
        }
        t.close_all(gm, wm, 1e-15, "free energy grad_mean");
        t.close_all(gs, ws, 1e-14, "free energy grad_scale");
        const float m32[3] = {0.5f, 0, 0}, s32[3] = {0.1f, 1, 0};
        float fe32[3];
        t.status(lk_free_energy_f32(2, m32, s32, nullptr, nullptr, 0, 1, 3, 0, 1, 1, 0, fe32,
                                    nullptr, nullptr),
                 LK_OK, "lk_free_energy_f32 auto weight");
        t.close(fe32[2], 1.0 / 3, 1e-7, "free energy auto weight 1/n (f32)");
        t.close(fe32[0], 2 + kl / 3, 1e-5, "free energy f32");
    }

    // vr_variance: out[i, o] = sum_r (sum_f phi[i, f] W[o, f, r] + b[o, r])^2.
    {
        constexpr std::size_t NR = 3, NF = 2, NO = 2, NK = 3;
        std::vector<double> phi(NR * NF), w(NO * NF * NK), b(NO * NK), out(NR * NO), want;
        for (std::size_t i = 0; i < phi.size(); ++i) phi[i] = 0.4 * std::sin(double(i) + 1);
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.3 * std::cos(double(2 * i) + 0.5);
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = 0.05 * double(i) - 0.1;
        for (std::size_t i = 0; i < NR; ++i) {
            for (std::size_t o = 0; o < NO; ++o) {
                double acc = 0;
                for (std::size_t r = 0; r < NK; ++r) {
                    double sr = b[o * NK + r];
                    for (std::size_t f = 0; f < NF; ++f) {
                        sr += phi[i * NF + f] * w[(o * NF + f) * NK + r];
                    }
                    acc += sr * sr;
                }
                want.push_back(acc);
            }
        }
        t.status(lk_vr_variance_f64(phi.data(), NR, NF, w.data(), b.data(), NO, NK, out.data()),
                 LK_OK, "lk_vr_variance_f64");
        t.close_all(out, want, 1e-14, "vr_variance values");
        std::vector<float> phi32(phi.begin(), phi.end()), w32(w.begin(), w.end());
        std::vector<float> b32(b.begin(), b.end()), out32(NR * NO);
        t.status(lk_vr_variance_f32(phi32.data(), NR, NF, w32.data(), b32.data(), NO, NK,
                                    out32.data()),
                 LK_OK, "lk_vr_variance_f32");
        t.close_all(out32, want, 1e-5, "vr_variance f32 values");
        std::vector<double> keep(NR * NO, 42);
        t.status(lk_vr_variance_f64(phi.data(), NR, 0, w.data(), nullptr, NO, NK, keep.data()),
                 LK_ERR_BAD_PARAMETER, "vr_variance with 0 features");
        t.check(keep == std::vector<double>(NR * NO, 42), "vr_variance out untouched");
    }

    // astroNN Bayesian cross-entropies: with logit_var = 0 the plain values (SPEC 6.6), and
    // with logit_var > 0 (fixed seed, so a smooth function of its inputs) both gradients
    // against central differences.
    {
        const double y[6] = {1, MAGIC, 1, 1, MAGIC, 0};
        const double zc[6] = {1, 0, 1, 2, 1, 0}, zero[6] = {0, 0, 0, 0, 0, 0};
        double vals[2];
        lk_options astro = lk_options_default();
        astro.use_magic = 1;
        astro.reduction = LK_REDUCTION_NONE;
        t.status(lk_robust_categorical_crossentropy_f64(y, zc, zero, nullptr, 2, 3,
                                                        LK_ASTRONN_DRAWS, 1, &astro, vals,
                                                        nullptr, nullptr),
                 LK_OK, "lk_robust_categorical_crossentropy_f64");
        t.close_all(vals, std::vector<double>{2.5859844122, 0.6114089467}, 1e-9,
                    "robust CCE SPEC 6.6 rows");

        const std::vector<double> yc{1, 0, 0, 0, 0, 1}, yb{1, 0, 1, 0, 1, 1};
        const std::vector<double> z{0.5, -0.3, 1.2, 0.1, 0.8, -0.6};
        const std::vector<double> lv{0.3, 0.5, 0.2, 0.4, 0.1, 0.6};
        for (int binary = 0; binary < 2; ++binary) {
            const std::string name = binary ? "robust BCE" : "robust CCE";
            const std::vector<double> &yt = binary ? yb : yc;
            auto call = [&](const std::vector<double> &zz, const std::vector<double> &ll,
                            double *out, double *gz, double *gl) {
                return binary ? lk_robust_binary_crossentropy_f64(yt.data(), zz.data(), ll.data(),
                                                                  nullptr, 2, 3, 25, 7, nullptr,
                                                                  out, gz, gl)
                              : lk_robust_categorical_crossentropy_f64(
                                    yt.data(), zz.data(), ll.data(), nullptr, 2, 3, 25, 7,
                                    nullptr, out, gz, gl);
            };
            auto value = [&](const std::vector<double> &zz, const std::vector<double> &ll) {
                double r = 0;
                call(zz, ll, &r, nullptr, nullptr);
                return r;
            };
            double out = 0;
            std::vector<double> gz(6), gl(6);
            t.status(call(z, lv, &out, gz.data(), gl.data()), LK_OK, name + " with logit_var");
            t.close_all(gz, central([&](const std::vector<double> &a) { return value(a, lv); }, z),
                        1e-6, name + " grad_logits vs finite differences");
            t.close_all(gl, central([&](const std::vector<double> &a) { return value(z, a); }, lv),
                        1e-6, name + " grad_logit_var vs finite differences");
            std::vector<float> yt32(yt.begin(), yt.end()), z32(z.begin(), z.end());
            std::vector<float> lv32(lv.begin(), lv.end());
            float out32 = 0;
            const lk_status st32 =
                binary ? lk_robust_binary_crossentropy_f32(yt32.data(), z32.data(), lv32.data(),
                                                           nullptr, 2, 3, 25, 7, nullptr, &out32,
                                                           nullptr, nullptr)
                       : lk_robust_categorical_crossentropy_f32(yt32.data(), z32.data(),
                                                                lv32.data(), nullptr, 2, 3, 25, 7,
                                                                nullptr, &out32, nullptr, nullptr);
            t.status(st32, LK_OK, name + " f32");
            t.close(out32, out, 1e-5, name + " f32 vs f64");
        }
        t.check(lk_normal_draw(5, 1, 2, 3) == lk_normal_draw(5, 1, 2, 3) &&
                    lk_normal_draw(5, 1, 2, 3) != lk_normal_draw(6, 1, 2, 3),
                "lk_normal_draw is a function of its key");
        double keep = 42;
        t.status(lk_robust_binary_crossentropy_f64(y, zc, zero, nullptr, 2, 3, 0, 1, nullptr,
                                                   &keep, nullptr, nullptr),
                 LK_ERR_BAD_PARAMETER, "robust BCE with 0 draws");
        t.check(keep == 42, "robust BCE out untouched after 0 draws");
    }
}
