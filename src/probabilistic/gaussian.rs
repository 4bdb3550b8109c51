//! Heteroscedastic and count likelihoods: astroNN's `robust_mse`, PyTorch's
//! `gaussian_nll_loss` and `poisson_nll_loss`.

use crate::pointwise::{
    check_len, evaluate, evaluate2, evaluate_kernel, option_weight, Kernel, Pointwise, Pointwise2,
    Window,
};
use crate::{Error, Options, Real, Reduced};

/// ½ ln 2π.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_7;

/// PyTorch's Gaussian negative log-likelihood with an elementwise variance:
/// ℓ(p, v, y) = ½(ln v̂ + (p − y)²/v̂) [+ ½ ln 2π with `full`], v̂ = max(v, ε).
///
/// ∂ℓ/∂p = (p − y)/v̂ and ∂ℓ/∂v = ½(1/v̂ − (p − y)²/v̂²). As in PyTorch, the clamp is not
/// differentiated: below ε the gradient with respect to v is the one at v̂ = ε, passed
/// straight through (PyTorch clamps a copy of `var` under `no_grad`).
#[derive(Clone, Copy, Debug)]
pub struct GaussianNll<T> {
    full: bool,
    eps: T,
}

impl<T: Real> GaussianNll<T> {
    /// The loss; ε must be finite and > 0 (PyTorch's default is 1e-6).
    pub fn new(full: bool, eps: T) -> Result<Self, Error> {
        if eps > T::zero() && eps.is_finite() {
            Ok(GaussianNll { full, eps })
        } else {
            Err(Error::BadParameter { what: "eps" })
        }
    }
}

impl<T: Real> Pointwise2<T> for GaussianNll<T> {
    #[inline(always)]
    fn loss_grad(&self, p: T, v: T, y: T) -> (T, T, T) {
        let v = if v < self.eps { self.eps } else { v };
        let d = p - y;
        let half = T::from_f64(0.5);
        let r = d * d / v;
        let mut l = half * (v.ln() + r);
        if self.full {
            l += T::from_f64(HALF_LN_2PI);
        }
        (l, d / v, half * (T::one() - r) / v)
    }
}

/// PyTorch's `gaussian_nll_loss(input, target, var, full, eps)` with an elementwise
/// variance ([`GaussianNll`]): the reduction of ½(ln max(v, ε) + (p − y)²/max(v, ε))
/// [+ ½ ln 2π].
///
/// * `pred`, `var`, `target`: n values each; every variance must be ≥ 0 (PyTorch raises on
///   a negative one; NaN is refused too): [`Error::BadParameter`] `"var"`.
/// * `grad_pred`, `grad_var`: if given, receive `grad_scale · ∂L/∂pred` and
///   `grad_scale · ∂L/∂var` (see [`evaluate2`]).
///
/// Options, `values` and reductions as in [`crate::pointwise::evaluate`].
#[allow(clippy::too_many_arguments)]
pub fn gaussian_nll<T: Real>(
    pred: &[T],
    var: &[T],
    target: &[T],
    full: bool,
    eps: T,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_pred: Option<&mut [T]>,
    grad_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let loss = GaussianNll::new(full, eps)?;
    check_len("var", pred.len(), var.len())?;
    if var.iter().any(|&v| v.is_nan() || v < T::zero()) {
        return Err(Error::BadParameter { what: "var" });
    }
    evaluate2(&loss, pred, var, target, opts, values, grad_pred, grad_var)
}

/// PyTorch's Poisson negative log-likelihood for a target count t:
/// with `log_input`, ℓ = eˣ − t·x (x = log-rate), ∂ℓ/∂x = eˣ − t;
/// otherwise ℓ = x − t·ln(x + ε) (x = rate), ∂ℓ/∂x = 1 − t/(x + ε).
/// With `full`, Stirling's term t·ln t − t + ½ ln(2πt) is added where t > 1 (not
/// differentiated: it depends on the target only).
#[derive(Clone, Copy, Debug)]
pub struct PoissonNll<T> {
    log_input: bool,
    full: bool,
    eps: T,
}

impl<T: Real> PoissonNll<T> {
    /// The loss; ε must be finite and ≥ 0 (PyTorch's default is 1e-8; it is used only
    /// without `log_input`).
    pub fn new(log_input: bool, full: bool, eps: T) -> Result<Self, Error> {
        if eps >= T::zero() && eps.is_finite() {
            Ok(PoissonNll {
                log_input,
                full,
                eps,
            })
        } else {
            Err(Error::BadParameter { what: "eps" })
        }
    }
}

impl<T: Real> Pointwise<T> for PoissonNll<T> {
    #[inline(always)]
    fn loss_grad(&self, x: T, t: T) -> (T, T) {
        let (mut l, g) = if self.log_input {
            let e = x.exp();
            (e - t * x, e - t)
        } else {
            let xe = x + self.eps;
            (x - t * xe.ln(), T::one() - t / xe)
        };
        if self.full && t > T::one() {
            let two_pi = T::from_f64(2.0 * core::f64::consts::PI);
            l += t * t.ln() - t + T::from_f64(0.5) * (two_pi * t).ln();
        }
        (l, g)
    }
}

/// PyTorch's `poisson_nll_loss(input, target, log_input, full, eps)` ([`PoissonNll`]).
///
/// Arguments, outputs and options as in [`crate::pointwise::evaluate`] (`pred` is the
/// input: the log-rate with `log_input`, else the rate). Targets are not checked (PyTorch
/// does not check them either).
#[allow(clippy::too_many_arguments)]
pub fn poisson_nll<T: Real>(
    pred: &[T],
    target: &[T],
    log_input: bool,
    full: bool,
    eps: T,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let loss = PoissonNll::new(log_input, full, eps)?;
    evaluate(&loss, pred, target, opts, values, grad)
}

/// astroNN's heteroscedastic Gaussian term at one element: prediction p, log-variance s,
/// known label error σ, target y. V = eˢ + σ², ℓ = ½((p − y)²/V + ln V),
/// ∂ℓ/∂p = (p − y)/V, ∂ℓ/∂s = ½·(eˢ/V)·(1 − (p − y)²/V).
#[inline(always)]
fn robust_term<T: Real>(p: T, s: T, sigma: T, y: T) -> (T, [T; 2]) {
    let e = s.exp();
    let v = e + sigma * sigma;
    let d = p - y;
    let r = d * d / v;
    let half = T::from_f64(0.5);
    (
        half * (r + v.ln()),
        [d / v, half * (e / v) * (T::one() - r)],
    )
}

/// `robust_mse` bound to its inputs (two differentiable inputs and a known σ per element).
struct Robust<'a, T> {
    pred: &'a [T],
    logvar: &'a [T],
    err: &'a [T],
    target: &'a [T],
}

impl<T: Real> Kernel<T, 2> for Robust<'_, T> {
    type Window<'w>
        = Robust<'w, T>
    where
        Self: 'w;
    fn len(&self) -> usize {
        self.pred.len()
    }
    fn targets(&self) -> &[T] {
        self.target
    }
    #[inline(always)]
    fn window(&self, start: usize, len: usize) -> Robust<'_, T> {
        let r = start..start + len;
        Robust {
            pred: &self.pred[r.clone()],
            logvar: &self.logvar[r.clone()],
            err: &self.err[r.clone()],
            target: &self.target[r],
        }
    }
}

impl<T: Real> Window<T, 2> for Robust<'_, T> {
    #[inline(always)]
    fn target(&self, j: usize) -> T {
        self.target[j]
    }
    #[inline(always)]
    fn loss(&self, j: usize, _c: T) -> T {
        self.loss_grad(j, _c).0
    }
    #[inline(always)]
    fn loss_grad(&self, j: usize, _c: T) -> (T, [T; 2]) {
        robust_term(self.pred[j], self.logvar[j], self.err[j], self.target[j])
    }
}

/// astroNN's `robust_mse(y_true, y_pred, logvar, labels_err)`: the heteroscedastic Gaussian
/// NLL with a predicted log-variance s and a known label error σ added in quadrature,
/// ℓ = ½((ŷ − y)²/V + ln V), V = eˢ + σ² (no ½ ln 2π).
///
/// * `pred` (ŷ), `logvar` (s), `labels_err` (σ), `target` (y): n values each. σ must be
///   finite wherever the element is kept (astroNN zeroes it where the target is the magic
///   number, so anything is accepted there): [`Error::BadParameter`] `"labels_err"`.
/// * `grad_pred`, `grad_logvar`: if given, receive `grad_scale · ∂L/∂ŷ` with
///   ∂ℓ/∂ŷ = (ŷ − y)/V, and `grad_scale · ∂L/∂s` with ∂ℓ/∂s = ½(eˢ/V)(1 − (ŷ − y)²/V).
///
/// astroNN's own reduction is the per-sample masked mean over the D labels, then the batch
/// mean: use `opts.with_magic(T::from_f64(ASTRONN_MAGIC)).with_row_len(D)` (astroNN's
/// `F_i · mean_j` equals the masked mean). astroNN's `sample_weight` multiplies each
/// sample's value; here `opts.weights` weigh the elements inside a row's mean, so a
/// per-sample weight is applied by the caller to the per-row values (`Reduction::None`).
/// Other options, `values` and reductions as in [`crate::pointwise::evaluate`].
///
/// `mse_lin_wrapper` (the prediction head) and `mse_var_wrapper` (the variance head) are
/// this one function: read `grad_pred` or `grad_logvar`.
#[allow(clippy::too_many_arguments)]
pub fn robust_mse<T: Real>(
    pred: &[T],
    logvar: &[T],
    labels_err: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_pred: Option<&mut [T]>,
    grad_logvar: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = pred.len();
    check_len("logvar", n, logvar.len())?;
    check_len("labels_err", n, labels_err.len())?;
    check_len("target", n, target.len())?;
    crate::pointwise::check_options(opts, n)?;
    for (i, (&e, &y)) in labels_err.iter().zip(target).enumerate() {
        if !e.is_finite() && option_weight(opts, i, y) != T::zero() {
            return Err(Error::BadParameter { what: "labels_err" });
        }
    }
    let kernel = Robust {
        pred,
        logvar,
        err: labels_err,
        target,
    };
    evaluate_kernel(&kernel, opts, values, [grad_pred, grad_logvar])
}
