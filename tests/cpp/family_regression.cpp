// The regression family from C++ (run by capi/tests/cpp.rs): values and gradients against
// formulas written here, finite differences, f32 and f64, options, and error statuses.
#include "check.hpp"

#include <cstdint>
#include <cstring>

namespace {

// One name for both precisions, as a C++ caller would wrap the C functions.
lk_status mse(const std::vector<float> &p, const std::vector<float> &y, const lk_options *o,
              float *out, float *grad) {
    return lk_mse_f32(p.data(), y.data(), nullptr, p.size(), o, out, grad);
}
lk_status mse(const std::vector<double> &p, const std::vector<double> &y, const lk_options *o,
              double *out, double *grad) {
    return lk_mse_f64(p.data(), y.data(), nullptr, p.size(), o, out, grad);
}

template <class T>
void mse_in(lkt::Checker &t, const std::string &type, double rtol) {
    const std::vector<T> pred{T(1.5), T(-2), T(0.25), T(3), T(0)};
    const std::vector<T> y{T(1), T(-1), T(0.75), T(1), T(0)};
    std::vector<T> grad(pred.size(), T(-1));
    T loss = -1;
    t.status(mse(pred, y, nullptr, &loss, grad.data()), LK_OK, "mse " + type);
    double want = 0;
    std::vector<double> want_grad;
    for (std::size_t i = 0; i < pred.size(); ++i) {
        const double d = double(pred[i]) - double(y[i]);
        want += d * d / pred.size();
        want_grad.push_back(2 * d / pred.size());
    }
    t.close(loss, want, rtol, "mse " + type + " value");
    t.close_all(grad, want_grad, rtol, "mse " + type + " gradient");
}

double huber_value(const std::vector<double> &p, const std::vector<double> &y, double delta) {
    double v = 0;
    lk_huber_f64(p.data(), y.data(), nullptr, p.size(), delta, nullptr, &v, nullptr);
    return v;
}

}  // namespace

LK_FAMILY(regression) {
    mse_in<float>(t, "f32", 1e-6);
    mse_in<double>(t, "f64", 1e-15);

    // Huber: the formula, and the gradient against central differences.
    {
        const std::vector<double> pred{0.3, 2.7, -1.2, 0.1, 0.45, 1.0};
        const std::vector<double> y{0.0, 1.0, -1.0, 2.0, 0.5, -3.0};
        const double delta = 1.0;
        std::vector<double> grad(pred.size());
        double loss = 0;
        t.status(lk_huber_f64(pred.data(), y.data(), nullptr, pred.size(), delta, nullptr, &loss,
                              grad.data()),
                 LK_OK, "huber f64");
        double want = 0;
        for (std::size_t i = 0; i < pred.size(); ++i) {
            const double d = std::fabs(pred[i] - y[i]);
            want += (d < delta ? d * d / 2 : delta * (d - delta / 2)) / pred.size();
        }
        t.close(loss, want, 1e-15, "huber f64 value");
        std::vector<double> fd;
        for (std::size_t i = 0; i < pred.size(); ++i) {
            const double h = 1e-6;
            std::vector<double> up = pred, down = pred;
            up[i] += h;
            down[i] -= h;
            fd.push_back((huber_value(up, y, delta) - huber_value(down, y, delta)) / (2 * h));
        }
        t.close_all(grad, fd, 1e-6, "huber f64 gradient vs finite differences");
    }

    // Weighted mean error (f32) with astroNN's magic number masking the last target.
    {
        const float pred[4] = {1, 2, 3, 4};
        const float y[4] = {2, 2, 5, -9999};
        const float w[4] = {1, 3, 0.5f, 2};
        float grad[4] = {0, 0, 0, 0};
        float loss = 0;
        lk_options o = lk_options_default();
        o.use_magic = 1;
        o.magic = LK_ASTRONN_MAGIC;
        t.status(lk_mean_error_f32(pred, y, w, 4, &o, &loss, grad), LK_OK, "mean_error f32");
        const double sw = 1 + 3 + 0.5;
        t.close(loss, (1 * (2 - 1) + 3 * (2 - 2) + 0.5 * (5 - 3)) / sw, 1e-6,
                "weighted mean_error f32 with magic");
        t.close_all(grad, std::vector<double>{-1 / sw, -3 / sw, -0.5 / sw, 0}, 1e-6,
                    "weighted mean_error f32 gradient (magic target gets 0)");
    }

    // Partial sums of two shards merge into the mean of the whole.
    {
        const std::vector<double> pred{0.1, 0.7, -0.4, 2.0, 1.1, -0.3, 0.9};
        const std::vector<double> y{0.0, 1.0, 0.5, 1.5, 1.0, 0.0, -0.2};
        double whole = 0, s = 0;
        t.status(lk_log_cosh_f64(pred.data(), y.data(), nullptr, pred.size(), nullptr, &whole,
                                 nullptr),
                 LK_OK, "log_cosh whole");
        lk_partial a{}, b{};
        lk_options o = lk_options_default();
        o.reduction = LK_REDUCTION_PARTIAL;
        o.partial = &a;
        t.status(lk_log_cosh_f64(pred.data(), y.data(), nullptr, 3, &o, &s, nullptr), LK_OK,
                 "log_cosh shard 1");
        o.partial = &b;
        t.status(lk_log_cosh_f64(pred.data() + 3, y.data() + 3, nullptr, 4, &o, &s, nullptr),
                 LK_OK, "log_cosh shard 2");
        t.status(lk_partial_merge(&a, &b), LK_OK, "lk_partial_merge");
        double merged = 0;
        t.status(lk_partial_mean(&a, LK_EMPTY_ERROR, &merged), LK_OK, "lk_partial_mean");
        t.close(merged, whole, 2.3e-16, "merged partials");
        t.close(a.weight, 7, 0, "merged weight");
    }

    // Errors: the status, the message, and untouched outputs.
    {
        const double pred[3] = {1, 2, 3};
        const double y[3] = {0, 0, 0};
        double grad[3] = {-7, -7, -7};
        double loss = -7;
        t.status(lk_mse_f64(nullptr, y, nullptr, 3, nullptr, &loss, grad), LK_ERR_NULL_POINTER,
                 "NULL pred");
        t.status(lk_mse_f64(nullptr, nullptr, nullptr, 0, nullptr, &loss, nullptr), LK_OK,
                 "NULL pred with n = 0");
        t.close(loss, 0, 0, "an empty mean is 0 by default");
        loss = -7;
        t.status(lk_huber_f64(pred, y, nullptr, 3, std::nan(""), nullptr, &loss, grad),
                 LK_ERR_BAD_PARAMETER, "huber delta NaN");
        t.check(loss == -7 && grad[0] == -7 && grad[1] == -7 && grad[2] == -7,
                "outputs untouched after an error");
        char message[256];
        const std::size_t len = lk_last_error_message(message, sizeof message);
        t.check(len == std::strlen(message) && std::strstr(message, "delta") != nullptr,
                std::string("last error names delta: ") + message);
        char small[5];
        t.check(lk_last_error_message(small, sizeof small) == len && std::strlen(small) == 4,
                "lk_last_error_message truncates and returns the full length");
        t.check(lk_last_error_message(nullptr, 0) == len, "lk_last_error_message(NULL, 0)");

        lk_options o = lk_options_default();
        o.empty = 7;
        t.status(lk_mse_f64(pred, y, nullptr, 3, &o, &loss, nullptr), LK_ERR_BAD_ENUM,
                 "unknown empty policy");

        alignas(double) unsigned char bytes[4 * sizeof(double)] = {};
        const void *odd = bytes + 1;
        t.status(lk_mse_f64(static_cast<const double *>(odd), y, nullptr, 3, nullptr, &loss,
                            nullptr),
                 LK_ERR_MISALIGNED, "misaligned pred");

        double both[4] = {};
        t.status(lk_mse_f64(pred, y, nullptr, 3, nullptr, &both[0], &both[0]), LK_ERR_ALIASING,
                 "out overlaps grad");
        t.check(std::string(lk_status_name(LK_ERR_ALIASING)) == "LK_ERR_ALIASING",
                "lk_status_name");
        t.check(loss == -7, "loss untouched after the errors");
    }

    // The version string agrees with the header's macros.
    {
        const std::string v = std::to_string(LK_VERSION_MAJOR) + "." +
                              std::to_string(LK_VERSION_MINOR) + "." +
                              std::to_string(LK_VERSION_PATCH);
        t.check(v == lk_version(), "lk_version() == LK_VERSION_*");
    }
}
