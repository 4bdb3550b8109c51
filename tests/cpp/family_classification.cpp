// The classification family (binary losses and row-wise softmax losses) from C++ (run by
// capi/tests/cpp.rs): rows x classes logits row-major, class indices int64_t. Expected
// values: SPEC.md section 6.6 (inferno binary focal 0.1732867951, CE 0.2413112967,
// multiclass focal 0.0110927501 and 0.0707352897 with a class weight; astroNN BCE from logits
// 0.3936693358 / 0.2200948493, CCE from logits 2.5859844122 / 0.6114089467); the rest from
// the documented formulas written out here in double (log-softmax, softplus, their
// derivatives) and from central differences of the library's own values.
#include "check.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace {

constexpr std::size_t R = 5, C = 4;  // rows, classes
constexpr int64_t IGNORE = -100;     // PyTorch's default ignore_index

// logits[r][k], row-major.
template <class T>
std::vector<T> logits() {
    std::vector<T> x(R * C);
    for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t k = 0; k < C; ++k) {
            x[r * C + k] = T(2 * std::cos(double(3 * r + 2 * k + 1)) - 0.1 * double(k));
        }
    }
    return x;
}

// log softmax of row r of x (in double): x - (m + log sum exp(x - m)).
template <class T>
std::vector<double> log_softmax(const std::vector<T> &x, std::size_t r, std::size_t c = C) {
    double m = double(x[r * c]);
    for (std::size_t k = 1; k < c; ++k) m = std::fmax(m, double(x[r * c + k]));
    double s = 0;
    for (std::size_t k = 0; k < c; ++k) s += std::exp(double(x[r * c + k]) - m);
    std::vector<double> l(c);
    for (std::size_t k = 0; k < c; ++k) l[k] = double(x[r * c + k]) - (m + std::log(s));
    return l;
}

double softplus(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// One name for both precisions, as a C++ caller would wrap the C functions.
lk_status ce(const std::vector<float> &x, const int64_t *y, const float *w, float eps, float z,
             const lk_options *o, float *out, float *grad) {
    return lk_cross_entropy_f32(x.data(), y, x.size() / C, C, w, IGNORE, eps, z, nullptr, o, out,
                                grad);
}
lk_status ce(const std::vector<double> &x, const int64_t *y, const double *w, double eps,
             double z, const lk_options *o, double *out, double *grad) {
    return lk_cross_entropy_f64(x.data(), y, x.size() / C, C, w, IGNORE, eps, z, nullptr, o, out,
                                grad);
}
lk_status ce_in_place(std::vector<float> &x, const int64_t *y, const float *w, float eps,
                      const lk_options *o, float *out) {
    return lk_cross_entropy_in_place_f32(x.data(), y, x.size() / C, C, w, IGNORE, eps, 0.0f,
                                         nullptr, o, out);
}
lk_status ce_in_place(std::vector<double> &x, const int64_t *y, const double *w, double eps,
                      const lk_options *o, double *out) {
    return lk_cross_entropy_in_place_f64(x.data(), y, x.size() / C, C, w, IGNORE, eps, 0.0,
                                         nullptr, o, out);
}
lk_status focal(const std::vector<float> &x, const int64_t *y, const float *w, float gamma,
                uint8_t in_p, const lk_options *o, float *out, float *grad) {
    return lk_focal_f32(x.data(), y, x.size() / C, C, w, IGNORE, gamma, in_p, nullptr, o, out,
                        grad);
}
lk_status focal(const std::vector<double> &x, const int64_t *y, const double *w, double gamma,
                uint8_t in_p, const lk_options *o, double *out, double *grad) {
    return lk_focal_f64(x.data(), y, x.size() / C, C, w, IGNORE, gamma, in_p, nullptr, o, out,
                        grad);
}

const int64_t targets[R] = {3, 0, IGNORE, 1, 3};

// Cross-entropy with class weights and z-loss (no smoothing), per-row values and the mean:
// l_r = w_y (-ls_y) + lambda w_y lse^2, L = sum l_r / sum w_y (rows not ignored),
// dL/dx_rk = (p_k (w_y + 2 lambda w_y lse) - w_y [k == y]) / sum w_y.
template <class T>
void cross_entropy_in(lkt::Checker &t, const std::string &type, double rtol) {
    const std::vector<T> x = logits<T>();
    const T w[C] = {T(1), T(0.5), T(2), T(1.5)};
    const double lambda = 0.05;
    std::vector<double> want_values(R, 0.0), want_grad(R * C, 0.0);
    double sum = 0, norm = 0;
    for (std::size_t r = 0; r < R; ++r) {
        if (targets[r] == IGNORE) continue;
        const std::size_t y = std::size_t(targets[r]);
        const std::vector<double> ls = log_softmax(x, r);
        const double lse = double(x[r * C]) - ls[0], wy = double(w[y]);
        want_values[r] = wy * (-ls[y]) + lambda * wy * lse * lse;
        sum += want_values[r];
        norm += wy;
        for (std::size_t k = 0; k < C; ++k) {
            want_grad[r * C + k] = std::exp(ls[k]) * (wy + 2 * lambda * wy * lse);
        }
        want_grad[r * C + y] -= wy;
    }
    for (double &g : want_grad) g /= norm;

    T out = -1;
    std::vector<T> grad(R * C, T(-1));
    t.status(ce(x, targets, w, T(0), T(lambda), nullptr, &out, grad.data()), LK_OK,
             "cross_entropy " + type);
    t.close(out, sum / norm, rtol, "cross_entropy " + type + " weighted mean with z-loss");
    t.close_all(grad, want_grad, 10 * rtol, "cross_entropy " + type + " gradient");

    lk_options o = lk_options_default();
    o.reduction = LK_REDUCTION_NONE;
    std::vector<T> values(R, T(-1));
    t.status(ce(x, targets, w, T(0), T(lambda), &o, values.data(), nullptr), LK_OK,
             "cross_entropy " + type + " per row");
    t.close_all(values, want_values, rtol, "cross_entropy " + type + " per-row values (0 ignored)");

    // Rows split into two shards: their partials merge into the mean of the whole.
    lk_partial a{}, b{};
    o.reduction = LK_REDUCTION_PARTIAL;
    o.partial = &a;
    T s = 0;
    const std::vector<T> head(x.begin(), x.begin() + 2 * C), tail(x.begin() + 2 * C, x.end());
    t.status(ce(head, targets, w, T(0), T(lambda), &o, &s, nullptr), LK_OK,
             "cross_entropy " + type + " shard 1");
    o.partial = &b;
    t.status(ce(tail, targets + 2, w, T(0), T(lambda), &o, &s, nullptr), LK_OK,
             "cross_entropy " + type + " shard 2");
    t.close((a.sum + b.sum) / (a.weight + b.weight), sum / norm, rtol,
            "cross_entropy " + type + " merged partials");
    t.close(a.weight + b.weight, norm, rtol, "cross_entropy " + type + " merged weight = sum w_y");
}

// The in-place cross-entropy (class weights, label smoothing, a masked row) against the
// separate gradient buffer, and the smoothed value against PyTorch's formula:
// L = sum_r [(1 - eps) w_y (-ls_y) + (eps/C) sum_k w_k (-ls_k)] / sum_r w_y.
template <class T>
void in_place_in(lkt::Checker &t, const std::string &type, double rtol) {
    const std::vector<T> x = logits<T>();
    const int64_t y[R] = {1, 2, 0, 3, 2};
    const uint8_t mask[R] = {1, 1, 0, 1, 1};
    const T w[C] = {T(0.25), T(1), T(3), T(0.5)};
    const T eps = T(0.15);
    double sum = 0, norm = 0;
    for (std::size_t r = 0; r < R; ++r) {
        if (!mask[r]) continue;
        const std::vector<double> ls = log_softmax(x, r);
        const std::size_t k = std::size_t(y[r]);
        double smooth = 0;
        for (std::size_t j = 0; j < C; ++j) smooth += double(w[j]) * (-ls[j]);
        sum += (1 - double(eps)) * double(w[k]) * (-ls[k]) + double(eps) / C * smooth;
        norm += double(w[k]);
    }
    lk_options o = lk_options_default();
    o.mask = mask;
    T out = -1, out_ip = -1;
    std::vector<T> grad(R * C, T(-1));
    t.status(ce(x, y, w, eps, T(0), &o, &out, grad.data()), LK_OK,
             "cross_entropy " + type + " smoothed, masked");
    t.close(out, sum / norm, rtol, "cross_entropy " + type + " smoothed value");
    std::vector<T> buf = x;
    t.status(ce_in_place(buf, y, w, eps, &o, &out_ip), LK_OK, "cross_entropy_in_place " + type);
    t.close(out_ip, out, rtol, "cross_entropy_in_place " + type + " value");
    t.close_all(buf, grad, rtol, "cross_entropy_in_place " + type + " = the separate gradient");
    t.check(buf[2 * C] == 0 && buf[2 * C + 1] == 0 && buf[2 * C + 2] == 0 && buf[2 * C + 3] == 0,
            "cross_entropy_in_place " + type + ": the masked row becomes 0");
}

double focal_value(const std::vector<double> &x, const int64_t *y, const double *w) {
    double v = 0;
    focal(x, y, w, 2.5, 1, nullptr, &v, nullptr);
    return v;
}

void focal_checks(lkt::Checker &t) {
    // SPEC 6.6 (inferno): z = [2, 0.5, -1], y = 0.
    const double z[3] = {2, 0.5, -1};
    const float z32[3] = {2, 0.5f, -1};
    const int64_t y0 = 0;
    const double w0[3] = {2, 1, 1};
    lk_options none = lk_options_default();
    none.reduction = LK_REDUCTION_NONE;
    double v = 0;
    float v32 = 0;
    t.status(lk_cross_entropy_f64(z, &y0, 1, 3, nullptr, IGNORE, 0, 0, nullptr, nullptr, &v,
                                  nullptr),
             LK_OK, "cross_entropy of [2, 0.5, -1]");
    t.close(v, 0.2413112967, 1e-9, "CE of [2, 0.5, -1] (SPEC 6.6)");
    t.status(lk_focal_f64(z, &y0, 1, 3, nullptr, IGNORE, 2, 0, nullptr, nullptr, &v, nullptr),
             LK_OK, "focal f64");
    t.close(v, 0.0110927501, 1e-8, "focal gamma 2 (SPEC 6.6)");
    t.status(lk_focal_f32(z32, &y0, 1, 3, nullptr, IGNORE, 2, 0, nullptr, nullptr, &v32, nullptr),
             LK_OK, "focal f32");
    t.close(v32, 0.0110927501, 1e-5, "focal f32 gamma 2 (SPEC 6.6)");
    t.status(lk_focal_f64(z, &y0, 1, 3, w0, IGNORE, 2, 1, nullptr, &none, &v, nullptr), LK_OK,
             "focal weight in probability");
    t.close(v, 0.0707352897, 1e-8, "inferno's weighted focal element (SPEC 6.6)");
    t.status(lk_focal_f64(z, &y0, 1, 3, w0, IGNORE, 2, 0, nullptr, &none, &v, nullptr), LK_OK,
             "focal plain weight");
    t.close(v, 0.0221855002, 1e-8, "plain weighted focal element (SPEC 6.6)");

    // Focal (inferno's weighting, gamma 2.5) gradient against central differences.
    const std::vector<double> x = logits<double>();
    const double w[C] = {0.5, 1.5, 1, 2};
    std::vector<double> grad(R * C), fd(R * C);
    double loss = 0;
    t.status(focal(x, targets, w, 2.5, 1, nullptr, &loss, grad.data()), LK_OK, "focal 2.5");
    t.close(loss, focal_value(x, targets, w), 0, "focal value with and without the gradient");
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double h = 1e-6;
        std::vector<double> up = x, down = x;
        up[i] += h;
        down[i] -= h;
        fd[i] = (focal_value(up, targets, w) - focal_value(down, targets, w)) / (2 * h);
    }
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        worst = std::fmax(worst, std::fabs(grad[i] - fd[i]));
        scale = std::fmax(scale, std::fabs(fd[i]));
    }
    t.check(worst <= 1e-7 * scale, "focal gradient vs finite differences");
    t.check(grad[2 * C] == 0 && grad[2 * C + 3] == 0, "focal: the ignored row gets 0");
}

// NLL, probability targets, categorical accuracy.
void nll_probs_accuracy(lkt::Checker &t) {
    const std::vector<double> x = logits<double>();
    std::vector<double> lp(R * C), onehot(R * C, 0.0);
    for (std::size_t r = 0; r < R; ++r) {
        const std::vector<double> ls = log_softmax(x, r);
        std::copy(ls.begin(), ls.end(), lp.begin() + std::ptrdiff_t(r * C));
    }
    const int64_t y[R] = {0, 3, 1, 1, 2};
    for (std::size_t r = 0; r < R; ++r) onehot[r * C + std::size_t(y[r])] = 1;
    double nll = 0, ce_v = 0, probs = 0;
    std::vector<double> g_nll(R * C), g_ce(R * C), g_probs(R * C);
    t.status(lk_nll_f64(lp.data(), y, R, C, nullptr, IGNORE, nullptr, nullptr, &nll, g_nll.data()),
             LK_OK, "nll f64");
    double want = 0;
    std::vector<double> want_g(R * C, 0.0);
    for (std::size_t r = 0; r < R; ++r) {
        want -= lp[r * C + std::size_t(y[r])] / R;
        want_g[r * C + std::size_t(y[r])] = -1.0 / R;
    }
    t.close(nll, want, 1e-15, "nll = -mean lp_y");
    t.close_all(g_nll, want_g, 0, "nll gradient -[k == y] / R");
    const std::vector<float> lp32(lp.begin(), lp.end());
    float nll32 = 0;
    t.status(lk_nll_f32(lp32.data(), y, R, C, nullptr, IGNORE, nullptr, nullptr, &nll32, nullptr),
             LK_OK, "nll f32");
    t.close(nll32, want, 1e-6, "nll f32");

    // A one-hot probability target is the class-index cross-entropy, value and gradient.
    t.status(lk_cross_entropy_f64(x.data(), y, R, C, nullptr, IGNORE, 0, 0, nullptr, nullptr,
                                  &ce_v, g_ce.data()),
             LK_OK, "cross_entropy for the one-hot comparison");
    t.status(lk_cross_entropy_probs_f64(x.data(), onehot.data(), R, C, nullptr, 0, nullptr,
                                        nullptr, &probs, g_probs.data()),
             LK_OK, "cross_entropy_probs f64");
    t.close(probs, ce_v, 1e-14, "one-hot probability targets = index targets");
    t.close(ce_v, want, 1e-14, "cross_entropy = nll of the log-softmax");
    t.close_all(g_probs, g_ce, 1e-12, "one-hot probability targets: the same gradient");

    // Soft targets with smoothing and class weights: gradient against central differences.
    std::vector<double> soft(R * C);
    for (std::size_t i = 0; i < soft.size(); ++i) soft[i] = 0.1 + double((i * 7) % 5);
    for (std::size_t r = 0; r < R; ++r) {
        const double s = std::accumulate(soft.begin() + std::ptrdiff_t(r * C),
                                         soft.begin() + std::ptrdiff_t(r * C + C), 0.0);
        for (std::size_t k = 0; k < C; ++k) soft[r * C + k] /= s;
    }
    const double w[C] = {1, 2, 0.5, 1.25};
    auto value = [&](const std::vector<double> &z) {
        double v = 0;
        lk_cross_entropy_probs_f64(z.data(), soft.data(), R, C, w, 0.3, nullptr, nullptr, &v,
                                   nullptr);
        return v;
    };
    t.status(lk_cross_entropy_probs_f64(x.data(), soft.data(), R, C, w, 0.3, nullptr, nullptr,
                                        &probs, g_probs.data()),
             LK_OK, "cross_entropy_probs soft");
    double want_soft = 0;
    for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t k = 0; k < C; ++k) {
            const double tk = 0.7 * soft[r * C + k] + 0.3 / C;
            want_soft -= w[k] * tk * lp[r * C + k] / R;
        }
    }
    t.close(probs, want_soft, 1e-14, "soft targets: -mean sum_k w_k t'_k lp_k");
    std::vector<double> fd(R * C);
    for (std::size_t i = 0; i < x.size(); ++i) {
        std::vector<double> up = x, down = x;
        up[i] += 1e-6;
        down[i] -= 1e-6;
        fd[i] = (value(up) - value(down)) / 2e-6;
    }
    t.close_all(g_probs, fd, 1e-6, "cross_entropy_probs gradient vs finite differences");

    // Categorical accuracy: argmax against the target, an ignored row left out of the mean.
    const int64_t ya[R] = {0, 1, IGNORE, 2, 3};
    std::size_t hits = 0;
    for (std::size_t r = 0; r < R; ++r) {
        if (ya[r] == IGNORE) continue;
        const auto row = x.begin() + std::ptrdiff_t(r * C);
        hits += std::size_t(std::max_element(row, row + C) - row) == std::size_t(ya[r]);
    }
    double acc = -1;
    t.status(lk_categorical_accuracy_f64(x.data(), ya, R, C, IGNORE, nullptr, nullptr, &acc),
             LK_OK, "categorical_accuracy f64");
    t.close(acc, double(hits) / (R - 1), 1e-15, "categorical accuracy over the rows not ignored");
}

// Binary: BCE with logits (pos_weight per column) against its formula and central differences,
// gamma = 0 focal = BCE with logits, SPEC values for binary focal and astroNN.
void binary_checks(lkt::Checker &t) {
    constexpr std::size_t cols = 3, n = 9;
    const double z[n] = {0.5, -1, 2, 0, -0.3, 1.2, 3, -2.5, 0.1};
    const double y[n] = {1, 0, 0.3, 1, 0, 0.8, 0.5, 1, 0};
    const double pw[cols] = {2, 0.5, 1.5};
    double want = 0, want_g[n], out = 0, grad[n];
    for (std::size_t i = 0; i < n; ++i) {
        const double p = pw[i % cols];
        want += (p * y[i] * softplus(-z[i]) + (1 - y[i]) * softplus(z[i])) / n;
        want_g[i] = ((1 - y[i]) * sigmoid(z[i]) - p * y[i] * sigmoid(-z[i])) / n;
    }
    t.status(lk_bce_with_logits_f64(z, y, nullptr, pw, cols, n, nullptr, &out, grad), LK_OK,
             "bce_with_logits f64");
    t.close(out, want, 1e-14, "bce_with_logits, pos_weight per column");
    t.close_all(grad, want_g, 1e-13, "bce_with_logits gradient");
    float z32[n], y32[n], pw32[cols], out32 = 0, grad32[n];
    for (std::size_t i = 0; i < n; ++i) z32[i] = float(z[i]), y32[i] = float(y[i]);
    for (std::size_t j = 0; j < cols; ++j) pw32[j] = float(pw[j]);
    t.status(lk_bce_with_logits_f32(z32, y32, nullptr, pw32, cols, n, nullptr, &out32, grad32),
             LK_OK, "bce_with_logits f32");
    t.close(out32, want, 1e-6, "bce_with_logits f32");
    t.close_all(grad32, want_g, 1e-5, "bce_with_logits f32 gradient");

    // Binary focal with gamma 0 is the BCE with logits (no pos_weight).
    double focal0 = 0, bce = 0;
    t.status(lk_binary_focal_f64(z, y, nullptr, n, 0, nullptr, &focal0, nullptr), LK_OK,
             "binary_focal gamma 0");
    t.status(lk_bce_with_logits_f64(z, y, nullptr, nullptr, 1, n, nullptr, &bce, nullptr), LK_OK,
             "bce_with_logits without pos_weight");
    t.close(focal0, bce, 1e-14, "binary focal gamma 0 = BCE with logits");
    // SPEC 6.6: z = 0, t = 1, gamma = 2 gives ln(2)/4.
    const double zero = 0, one = 1;
    t.status(lk_binary_focal_f64(&zero, &one, nullptr, 1, 2, nullptr, &out, nullptr), LK_OK,
             "binary_focal f64");
    t.close(out, 0.1732867951, 1e-9, "binary focal (SPEC 6.6)");
    // Weighted binary focal (gamma 1.5): gradient against central differences.
    const double wts[n] = {1, 2, 0.5, 1, 3, 1, 0.25, 1, 2};
    auto value = [&](const double *zz) {
        double v = 0;
        lk_binary_focal_f64(zz, y, wts, n, 1.5, nullptr, &v, nullptr);
        return v;
    };
    t.status(lk_binary_focal_f64(z, y, wts, n, 1.5, nullptr, &out, grad), LK_OK,
             "weighted binary_focal");
    std::vector<double> fd(n);
    for (std::size_t i = 0; i < n; ++i) {
        double up[n], down[n];
        std::copy(z, z + n, up);
        std::copy(z, z + n, down);
        up[i] += 1e-6;
        down[i] -= 1e-6;
        fd[i] = (value(up) - value(down)) / 2e-6;
    }
    t.close_all(grad, fd, 1e-6, "weighted binary focal gradient vs finite differences");

    // astroNN (SPEC 6.6): magic -9999, 3 labels per sample, per-sample values.
    const double M = LK_ASTRONN_MAGIC;
    lk_options o = lk_options_default();
    o.use_magic = 1;
    o.reduction = LK_REDUCTION_NONE;
    o.row_len = 3;
    const double yb[6] = {1, M, 1, 1, M, 0}, zb[6] = {0.5, 0, 1, 2, 0, -1};
    double v[2] = {0, 0};
    t.status(lk_astronn_bce_f64(zb, yb, nullptr, 6, 1, &o, v, nullptr), LK_OK, "astronn_bce f64");
    t.close(v[0], 0.3936693358, 1e-9, "astroNN BCE sample 0 (SPEC 6.6)");
    t.close(v[1], 0.2200948493, 1e-9, "astroNN BCE sample 1 (SPEC 6.6)");
    // Binary accuracy from logits: sigmoid(z) rounds to 1 for z > 0, 0 for z < 0.
    const float zl[6] = {0.5f, 0, 1, 2, 0, -1}, yl[6] = {1, float(M), 0, 0, float(M), 0};
    float acc[2] = {-1, -1};
    t.status(lk_binary_accuracy_f32(zl, yl, nullptr, 6, 1, &o, acc), LK_OK,
             "binary_accuracy f32 from logits");
    t.close(acc[0], 0.5, 0, "binary accuracy sample 0 (1 of 2 valid labels)");
    t.close(acc[1], 0.5, 0, "binary accuracy sample 1 (1 of 2 valid labels)");
    // astroNN CCE from logits (SPEC 6.6), f32.
    o.row_len = 0;
    const float yc[6] = {1, float(M), 1, 1, float(M), 0}, zc[6] = {1, 0, 1, 2, 1, 0};
    float c32[2] = {0, 0};
    t.status(lk_astronn_cce_f32(zc, yc, 2, 3, 1, nullptr, &o, c32, nullptr), LK_OK,
             "astronn_cce f32");
    t.close(c32[0], 2.5859844122, 1e-6, "astroNN CCE sample 0 (SPEC 6.6)");
    t.close(c32[1], 0.6114089467, 1e-6, "astroNN CCE sample 1 (SPEC 6.6)");
}

// Bad input: the status, and outputs (or the in-place logits) untouched.
template <class T>
void errors_in(lkt::Checker &t, const std::string &type) {
    const std::vector<T> x = logits<T>();
    const int64_t high[R] = {3, 0, 4, 1, 2};  // class 4 of 4 in row 2
    const int64_t low[R] = {3, 0, 1, -1, 2};  // -1 is not the ignore_index
    const int64_t good[R] = {3, 0, 1, 1, 2};
    T out = -7;
    std::vector<T> grad(R * C, T(-7));
    t.status(ce(x, high, nullptr, T(0), T(0), nullptr, &out, grad.data()),
             LK_ERR_INDEX_OUT_OF_RANGE, "cross_entropy " + type + ": class 4 of 4");
    char message[256];
    lk_last_error_message(message, sizeof message);
    t.check(std::string(message).find("row 2") != std::string::npos,
            "the message names row 2: " + std::string(message));
    t.status(ce(x, low, nullptr, T(0), T(0), nullptr, &out, grad.data()),
             LK_ERR_INDEX_OUT_OF_RANGE, "cross_entropy " + type + ": class -1");
    t.status(focal(x, high, nullptr, T(2), 0, nullptr, &out, grad.data()),
             LK_ERR_INDEX_OUT_OF_RANGE, "focal " + type + ": class out of range");
    t.status(focal(x, good, nullptr, T(-1), 0, nullptr, &out, grad.data()), LK_ERR_BAD_PARAMETER,
             "focal " + type + ": gamma -1");
    lk_last_error_message(message, sizeof message);
    t.check(std::string(message).find("gamma") != std::string::npos,
            "the message names gamma: " + std::string(message));
    t.status(ce(x, good, nullptr, T(-0.1), T(0), nullptr, &out, grad.data()),
             LK_ERR_BAD_PARAMETER, "cross_entropy " + type + ": label_smoothing -0.1");
    t.status(ce(x, good, nullptr, T(NAN), T(0), nullptr, &out, grad.data()), LK_ERR_BAD_PARAMETER,
             "cross_entropy " + type + ": label_smoothing NaN");
    const T bad_w[C] = {T(1), T(-1), T(1), T(1)};
    t.status(ce(x, good, bad_w, T(0), T(0), nullptr, &out, grad.data()), LK_ERR_BAD_PARAMETER,
             "cross_entropy " + type + ": negative class weight");
    t.check(out == T(-7) && std::all_of(grad.begin(), grad.end(), [](T g) { return g == T(-7); }),
            "cross_entropy " + type + ": outputs untouched after the errors");

    std::vector<T> buf = x;
    t.status(ce_in_place(buf, high, nullptr, T(0), nullptr, &out), LK_ERR_INDEX_OUT_OF_RANGE,
             "cross_entropy_in_place " + type + ": class out of range");
    lk_options acc = lk_options_default();
    acc.grad_accumulate = 1;
    t.status(ce_in_place(buf, good, nullptr, T(0), &acc, &out), LK_ERR_BAD_PARAMETER,
             "cross_entropy_in_place " + type + ": grad_accumulate");
    t.check(buf == x && out == T(-7), "cross_entropy_in_place " + type + ": logits untouched");
}

void binary_errors(lkt::Checker &t) {
    const double z[4] = {0.5, -1, 2, 0}, y[4] = {1, 0, 1, 0};
    const double neg_pw[2] = {1, -0.5};
    double out = -7, grad[4] = {-7, -7, -7, -7};
    t.status(lk_binary_focal_f64(z, y, nullptr, 4, -0.5, nullptr, &out, grad),
             LK_ERR_BAD_PARAMETER, "binary_focal f64: gamma -0.5");
    const float z32[4] = {0.5f, -1, 2, 0}, y32[4] = {1, 0, 1, 0};
    float out32 = -7;
    t.status(lk_binary_focal_f32(z32, y32, nullptr, 4, -2, nullptr, &out32, nullptr),
             LK_ERR_BAD_PARAMETER, "binary_focal f32: gamma -2");
    t.status(lk_bce_with_logits_f64(z, y, nullptr, neg_pw, 2, 4, nullptr, &out, grad),
             LK_ERR_BAD_PARAMETER, "bce_with_logits: negative pos_weight");
    t.status(lk_cross_entropy_f64(z, nullptr, 2, 2, nullptr, IGNORE, 0, 0, nullptr, nullptr, &out,
                                  grad),
             LK_ERR_NULL_POINTER, "cross_entropy: NULL target");
    t.check(out == -7 && out32 == -7 && std::all_of(grad, grad + 4, [](double g) { return g == -7; }),
            "binary errors: outputs untouched");
}

}  // namespace

LK_FAMILY(classification) {
    cross_entropy_in<float>(t, "f32", 1e-6);
    cross_entropy_in<double>(t, "f64", 1e-14);
    in_place_in<float>(t, "f32", 1e-6);
    in_place_in<double>(t, "f64", 1e-14);
    focal_checks(t);
    nll_probs_accuracy(t);
    binary_checks(t);
    errors_in<float>(t, "f32");
    errors_in<double>(t, "f64");
    binary_errors(t);
}
