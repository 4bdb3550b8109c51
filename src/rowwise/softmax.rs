//! Softmax cross-entropy (class-index and probability targets, label smoothing, z-loss),
//! NLL, the multiclass focal loss and categorical accuracy.
//!
//! Notation for a row x of C logits with target class y: m = maxₖ xₖ, dₖ = xₖ − m,
//! s = Σₖ e^(dₖ), ln pₖ = dₖ − ln s (the log-softmax), lse = m + ln s, and wₖ the class
//! weights (1 when absent).

use super::{check_class_weights, evaluate, rows_of, Data, RowIo, RowLoss};
use crate::math::{exp, shift, softmax_normaliser};
use crate::pointwise::check_len;
use crate::{Error, Options, Real, Reduced};

/// PyTorch's default `ignore_index`.
pub const IGNORE_INDEX: i64 = -100;

/// c·x in `f64`, but exactly 0 when c = 0 (so that 0·∞ = 0).
#[inline(always)]
fn times(c: f64, x: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        c * x
    }
}

/// Class-index targets with their class weights and ignored value.
#[derive(Clone, Copy)]
struct Targets<'a, T> {
    target: &'a [i64],
    classes: usize,
    class_weights: Option<&'a [T]>,
    ignore_index: Option<i64>,
}

impl<'a, T: Real> Targets<'a, T> {
    /// Checks the shape (`n` inputs, one target per row) and the class weights.
    fn new(
        n: usize,
        target: &'a [i64],
        classes: usize,
        class_weights: Option<&'a [T]>,
        ignore_index: Option<i64>,
    ) -> Result<Self, Error> {
        let rows = rows_of("logits (a whole number of rows of `classes`)", n, classes)?;
        check_len("target", rows, target.len())?;
        check_class_weights(class_weights, classes)?;
        Ok(Targets {
            target,
            classes,
            class_weights,
            ignore_index,
        })
    }

    /// Row r's class and its weight, None for an ignored row, an error for a class out of
    /// range.
    #[inline(always)]
    fn of(&self, r: usize) -> Result<Option<(usize, T)>, Error> {
        let y = self.target[r];
        if Some(y) == self.ignore_index {
            return Ok(None);
        }
        if y < 0 || y as u64 >= self.classes as u64 {
            return Err(Error::IndexOutOfRange { row: r, index: y });
        }
        let k = y as usize;
        Ok(Some((k, self.class_weights.map_or(T::one(), |w| w[k]))))
    }

    /// Row r's class and weight for a row that counts (checked by `of` before).
    #[inline(always)]
    fn get(&self, r: usize) -> (usize, T) {
        match self.of(r) {
            Ok(Some(yw)) => yw,
            _ => (0, T::zero()),
        }
    }
}

/// Parameters of [`cross_entropy`] (PyTorch's `cross_entropy` with class-index targets,
/// plus the z-loss term). `CrossEntropy::default()` is PyTorch's default.
#[derive(Clone, Copy, Debug)]
pub struct CrossEntropy<'a, T> {
    /// Per-class weights w (C values, each finite and ≥ 0), or None for wₖ = 1.
    pub class_weights: Option<&'a [T]>,
    /// Rows whose target equals this are left out (PyTorch's default −100, [`IGNORE_INDEX`]);
    /// None: every target must be a class.
    pub ignore_index: Option<i64>,
    /// Label smoothing ε ∈ [0, 1].
    pub label_smoothing: T,
    /// Coefficient λ ≥ 0 of the z-loss term λ·w_y·lse² (PaLM's auxiliary loss; 0 = off).
    pub z_loss: T,
}

impl<T: Real> Default for CrossEntropy<'_, T> {
    fn default() -> Self {
        CrossEntropy {
            class_weights: None,
            ignore_index: Some(IGNORE_INDEX),
            label_smoothing: T::zero(),
            z_loss: T::zero(),
        }
    }
}

struct CeKernel<'a, T> {
    t: Targets<'a, T>,
    eps: f64,
    lambda: f64,
    /// Σₖ wₖ.
    weight_total: f64,
}

impl<'a, T: Real> CeKernel<'a, T> {
    fn new(
        n: usize,
        target: &'a [i64],
        classes: usize,
        p: &CrossEntropy<'a, T>,
    ) -> Result<Self, Error> {
        let t = Targets::new(n, target, classes, p.class_weights, p.ignore_index)?;
        let eps = p.label_smoothing;
        if !(eps >= T::zero() && eps <= T::one()) {
            return Err(Error::BadParameter {
                what: "label_smoothing",
            });
        }
        if !(p.z_loss >= T::zero() && p.z_loss.is_finite()) {
            return Err(Error::BadParameter { what: "z_loss" });
        }
        let weight_total = match p.class_weights {
            Some(w) => crate::reduce::sum(w),
            None => classes as f64,
        };
        Ok(CeKernel {
            t,
            eps: eps.to_f64(),
            lambda: p.z_loss.to_f64(),
            weight_total,
        })
    }
}

impl<T: Real> RowLoss<T> for CeKernel<'_, T> {
    #[inline(always)]
    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        Ok(match self.t.of(r)? {
            // With label smoothing a row of zero target weight still has a loss (PyTorch).
            Some((_, w)) if w != T::zero() || self.eps > 0.0 => Some(w),
            _ => None,
        })
    }

    #[inline(always)]
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T {
        let (y, wy) = self.t.get(r);
        let wy = wy.to_f64();
        let x = io.x();
        let (m, s) = softmax_normaliser(x);
        let ln_s = libm::log(s);
        let c = ln_s - shift(x[y], m).to_f64();
        let (eps, classes) = (self.eps, self.t.classes as f64);
        // ℓ = (1 − ε)·w_y·(−ln p_y) + (ε/C)·Σₖ wₖ·(−ln pₖ) + λ·w_y·lse².
        let mut loss = times((1.0 - eps) * wy, c);
        if eps > 0.0 {
            let w = self.t.class_weights;
            let mut wd = 0.0;
            for (k, &v) in x.iter().enumerate() {
                let wk = w.map_or(1.0, |w| w[k].to_f64());
                wd += times(wk, shift(v, m).to_f64());
            }
            loss += eps / classes * (self.weight_total * ln_s - wd);
        }
        let lse = m.to_f64() + ln_s;
        if self.lambda > 0.0 {
            loss += self.lambda * wy * lse * lse;
        }
        if I::GRAD {
            // ∂ℓ/∂xₖ = pₖ·A − (1 − ε)·w_y·[k = y] − (ε/C)·wₖ,
            // A = (1 − ε)·w_y + (ε/C)·Σw + 2λ·w_y·lse.
            let mut a = (1.0 - eps) * wy + eps / classes * self.weight_total;
            if self.lambda > 0.0 {
                a += 2.0 * self.lambda * wy * lse;
            }
            let g = scale.to_f64();
            let ca = T::from_f64(g * a / s);
            let cy = T::from_f64(g * (1.0 - eps) * wy);
            match (eps > 0.0, self.t.class_weights) {
                (false, _) => io.put(|k, v| {
                    let p = exp(shift(v, m)) * ca;
                    if k == y {
                        p - cy
                    } else {
                        p
                    }
                }),
                (true, w) => {
                    let ce = T::from_f64(g * eps / classes);
                    io.put(|k, v| {
                        let p = exp(shift(v, m)) * ca;
                        let wk = w.map_or(T::one(), |w| w[k]);
                        let p = p - ce * wk;
                        if k == y {
                            p - cy
                        } else {
                            p
                        }
                    })
                }
            }
        }
        T::from_f64(loss)
    }
}

/// Softmax cross-entropy with class-index targets, PyTorch's `cross_entropy` (with
/// `weight`, `ignore_index`, `label_smoothing`), plus an optional z-loss term.
///
/// Row r with target y and logits x has
/// ℓᵣ = (1 − ε)·w_y·(−ln p_y) + (ε/C)·Σₖ wₖ·(−ln pₖ) + λ·w_y·lse(x)², normaliser νᵣ = w_y,
/// so the mean is Σℓ / Σ w_y over the rows not ignored, exactly as PyTorch (whose smoothing
/// term is also divided by Σ w_y). The gradient is
/// ∂ℓᵣ/∂xₖ = pₖ·((1 − ε)w_y + (ε/C)Σw + 2λw_y·lse) − (1 − ε)·w_y·[k = y] − (ε/C)·wₖ.
///
/// `logits`: rows × C, row-major; `target`: one class in 0..C (or `ignore_index`) per row;
/// `grad`: None or rows × C. Options, reductions and outputs as in the
/// [module docs](crate::rowwise). A class out of range fails with
/// [`Error::IndexOutOfRange`] naming the first such row; nothing is written.
/// Rows with w_y = 0 and ε = 0 are left out (PyTorch would give 0·∞ = NaN for a −∞ logit).
pub fn cross_entropy<T: Real>(
    logits: &[T],
    target: &[i64],
    classes: usize,
    params: &CrossEntropy<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let kernel = CeKernel::new(logits.len(), target, classes, params)?;
    let data = Data::Separate { x: logits, grad };
    evaluate(&kernel, data, classes, opts, values)
}

/// [`cross_entropy`] that overwrites the logits with the gradient
/// `grad_scale · ∂L/∂logits` (rows left out get 0), row by row, so no second rows × C
/// buffer is needed. Each row is read (softmax normaliser and loss) before it is
/// overwritten. `opts.grad_mode` must be `Overwrite`. On error the logits are untouched.
pub fn cross_entropy_in_place<T: Real>(
    logits: &mut [T],
    target: &[i64],
    classes: usize,
    params: &CrossEntropy<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let kernel = CeKernel::new(logits.len(), target, classes, params)?;
    evaluate(&kernel, Data::InPlace(logits), classes, opts, values)
}

/// Parameters of [`cross_entropy_probs`] (PyTorch's `cross_entropy` with probability
/// targets).
#[derive(Clone, Copy, Debug)]
pub struct ProbCrossEntropy<'a, T> {
    /// Per-class weights w (C values, each finite and ≥ 0), or None for wₖ = 1.
    pub class_weights: Option<&'a [T]>,
    /// Label smoothing ε ∈ [0, 1]: the target becomes (1 − ε)·t + ε/C.
    pub label_smoothing: T,
}

impl<T: Real> Default for ProbCrossEntropy<'_, T> {
    fn default() -> Self {
        ProbCrossEntropy {
            class_weights: None,
            label_smoothing: T::zero(),
        }
    }
}

struct ProbKernel<'a, T> {
    target: &'a [T],
    classes: usize,
    class_weights: Option<&'a [T]>,
    eps: T,
}

impl<T: Real> RowLoss<T> for ProbKernel<'_, T> {
    #[inline(always)]
    fn prepare(&self, _: usize) -> Result<Option<T>, Error> {
        Ok(Some(T::one()))
    }

    #[inline(always)]
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T {
        let c = self.classes;
        let t = &self.target[r * c..(r + 1) * c];
        let x = io.x();
        let (m, s) = softmax_normaliser(x);
        let ln_s = libm::log(s);
        let eps = self.eps;
        let uniform = eps / T::from_f64(c as f64);
        let smooth = |k: usize| {
            let wk = self.class_weights.map_or(T::one(), |w| w[k]);
            wk * ((T::one() - eps) * t[k] + uniform)
        };
        // ℓ = −Σₖ wₖt′ₖ ln pₖ = B·ln s − Σₖ wₖt′ₖ dₖ with B = Σₖ wₖt′ₖ.
        let (mut b, mut wtd) = (0.0, 0.0);
        for (k, &v) in x.iter().enumerate() {
            let wt = smooth(k).to_f64();
            b += wt;
            wtd += times(wt, shift(v, m).to_f64());
        }
        if I::GRAD {
            let g = scale.to_f64();
            let cb = T::from_f64(g * b / s);
            let sc = scale;
            io.put(|k, v| exp(shift(v, m)) * cb - sc * smooth(k));
        }
        T::from_f64(b * ln_s - wtd)
    }
}

/// Softmax cross-entropy with probability targets, PyTorch's `cross_entropy` with a
/// floating-point target of the logits' shape:
/// ℓᵣ = −Σₖ wₖ·t′ₖ·ln pₖ with t′ = (1 − ε)·t + ε/C; every row has weight νᵣ = 1, so the mean
/// divides by the number of rows (PyTorch's rule for probability targets).
///
/// ∂ℓᵣ/∂xₖ = (Σⱼ wⱼt′ⱼ)·pₖ − wₖt′ₖ. A target of exactly 0 contributes 0 even at a −∞ logit.
/// `target`: rows × C (not checked to sum to 1). Options, reductions and outputs as in the
/// [module docs](crate::rowwise).
pub fn cross_entropy_probs<T: Real>(
    logits: &[T],
    target: &[T],
    classes: usize,
    params: &ProbCrossEntropy<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    rows_of(
        "logits (a whole number of rows of `classes`)",
        logits.len(),
        classes,
    )?;
    check_len("target", logits.len(), target.len())?;
    check_class_weights(params.class_weights, classes)?;
    let eps = params.label_smoothing;
    if !(eps >= T::zero() && eps <= T::one()) {
        return Err(Error::BadParameter {
            what: "label_smoothing",
        });
    }
    let kernel = ProbKernel {
        target,
        classes,
        class_weights: params.class_weights,
        eps,
    };
    let data = Data::Separate { x: logits, grad };
    evaluate(&kernel, data, classes, opts, values)
}

/// Parameters of [`nll`] (PyTorch's `nll_loss`).
#[derive(Clone, Copy, Debug)]
pub struct Nll<'a, T> {
    /// Per-class weights w (C values, each finite and ≥ 0), or None for wₖ = 1.
    pub class_weights: Option<&'a [T]>,
    /// Rows whose target equals this are left out (default −100); None: none is.
    pub ignore_index: Option<i64>,
}

impl<T: Real> Default for Nll<'_, T> {
    fn default() -> Self {
        Nll {
            class_weights: None,
            ignore_index: Some(IGNORE_INDEX),
        }
    }
}

struct NllKernel<'a, T> {
    t: Targets<'a, T>,
}

impl<T: Real> RowLoss<T> for NllKernel<'_, T> {
    #[inline(always)]
    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        Ok(self
            .t
            .of(r)?
            .and_then(|(_, w)| (w != T::zero()).then_some(w)))
    }

    #[inline(always)]
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T {
        let (y, wy) = self.t.get(r);
        let l = -wy * io.x()[y];
        let gy = -scale * wy;
        io.put(|k, _| if k == y { gy } else { T::zero() });
        l
    }
}

/// Negative log-likelihood on log-probabilities, PyTorch's `nll_loss`:
/// ℓᵣ = −w_y·x_y with normaliser νᵣ = w_y (mean = Σℓ/Σw_y over rows not ignored);
/// ∂ℓᵣ/∂xₖ = −w_y·[k = y]. Rows with w_y = 0 are left out.
///
/// `log_probs`: rows × C (typically a log-softmax); `target` as in [`cross_entropy`].
pub fn nll<T: Real>(
    log_probs: &[T],
    target: &[i64],
    classes: usize,
    params: &Nll<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let t = Targets::new(
        log_probs.len(),
        target,
        classes,
        params.class_weights,
        params.ignore_index,
    )?;
    let data = Data::Separate { x: log_probs, grad };
    evaluate(&NllKernel { t }, data, classes, opts, values)
}

/// Parameters of [`focal`] (the multiclass focal loss).
#[derive(Clone, Copy, Debug)]
pub struct Focal<'a, T> {
    /// Focusing parameter γ ≥ 0 (inferno's default 2).
    pub gamma: T,
    /// Per-class weights w (C values, each finite and ≥ 0), or None for wₖ = 1.
    pub class_weights: Option<&'a [T]>,
    /// Rows whose target equals this are left out (default −100); None: none is.
    pub ignore_index: Option<i64>,
    /// inferno's quirk: the modulating factor uses p_y^(w_y) (e^(−w_y·CE)) instead of p_y.
    pub weight_in_probability: bool,
}

impl<T: Real> Default for Focal<'_, T> {
    fn default() -> Self {
        Focal {
            gamma: T::from_f64(2.0),
            class_weights: None,
            ignore_index: Some(IGNORE_INDEX),
            weight_in_probability: false,
        }
    }
}

struct FocalKernel<'a, T> {
    t: Targets<'a, T>,
    gamma: f64,
    quirk: bool,
}

impl<T: Real> RowLoss<T> for FocalKernel<'_, T> {
    #[inline(always)]
    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        Ok(self
            .t
            .of(r)?
            .and_then(|(_, w)| (w != T::zero()).then_some(w)))
    }

    #[inline(always)]
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T {
        let (y, wy) = self.t.get(r);
        let wy = wy.to_f64();
        let x = io.x();
        let (m, s) = softmax_normaliser(x);
        let c = libm::log(s) - shift(x[y], m).to_f64(); // −ln p_y
                                                        // The probability in the modulating factor: p_y, or p_y^(w_y) for inferno's quirk.
        let cc = if self.quirk { wy * c } else { c };
        let q = -libm::expm1(-cc); // 1 − p
        let qg = if self.gamma == 0.0 {
            1.0
        } else {
            libm::pow(q, self.gamma)
        };
        let loss = wy * qg * c;
        if I::GRAD {
            // dℓ/dc = w_y·q^γ·(1 + γ·c′/(e^(c′) − 1)), c′ = cc (the ratio → 1 at c′ = 0,
            // → 0 at c′ = ∞); then ∂c/∂xₖ = pₖ − [k = y].
            let ratio = if cc == 0.0 {
                1.0
            } else if cc == f64::INFINITY {
                0.0
            } else {
                cc / libm::expm1(cc)
            };
            let dl = wy * qg * (1.0 + self.gamma * ratio);
            let g = scale.to_f64() * dl;
            let cp = T::from_f64(g / s);
            let cy = T::from_f64(g);
            io.put(|k, v| {
                let p = exp(shift(v, m)) * cp;
                if k == y {
                    p - cy
                } else {
                    p
                }
            });
        }
        T::from_f64(loss)
    }
}

/// Multiclass focal loss on logits with class-index targets (inferno's `FocalLoss`,
/// task "multiclass", with the project's treatment of class weights):
/// ℓᵣ = w_y·(1 − p_y)^γ·(−ln p_y), normaliser νᵣ = w_y (weighted mean Σℓ/Σw_y).
///
/// With `weight_in_probability` (inferno's code): ℓᵣ = (1 − p_y^(w_y))^γ·w_y·(−ln p_y).
/// γ = 0 is [`cross_entropy`] exactly (0⁰ = 1). The gradient is
/// ∂ℓᵣ/∂xₖ = w_y·(1 − π)^γ·(1 + γ·c′/(e^(c′) − 1))·(pₖ − [k = y]) with π the probability in
/// the modulating factor and c′ = −ln π, evaluated so that it stays finite as π → 1.
/// Rows with w_y = 0 are left out. A negative or non-finite γ is refused.
pub fn focal<T: Real>(
    logits: &[T],
    target: &[i64],
    classes: usize,
    params: &Focal<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let t = Targets::new(
        logits.len(),
        target,
        classes,
        params.class_weights,
        params.ignore_index,
    )?;
    if !(params.gamma >= T::zero() && params.gamma.is_finite()) {
        return Err(Error::BadParameter { what: "gamma" });
    }
    let kernel = FocalKernel {
        t,
        gamma: params.gamma.to_f64(),
        quirk: params.weight_in_probability,
    };
    let data = Data::Separate { x: logits, grad };
    evaluate(&kernel, data, classes, opts, values)
}

/// The first index of the largest entry, and whether the row holds a NaN.
#[inline(always)]
pub(super) fn argmax<T: Real>(x: &[T]) -> (usize, bool) {
    let mut best = 0;
    let mut nan = false;
    for (k, &v) in x.iter().enumerate() {
        nan |= v.is_nan();
        if v > x[best] {
            best = k;
        }
    }
    (best, nan)
}

struct AccuracyKernel<'a, T> {
    t: Targets<'a, T>,
}

impl<T: Real> RowLoss<T> for AccuracyKernel<'_, T> {
    #[inline(always)]
    fn prepare(&self, r: usize) -> Result<Option<T>, Error> {
        Ok(self.t.of(r)?.map(|_| T::one()))
    }

    #[inline(always)]
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, _: T) -> T {
        let (y, _) = self.t.get(r);
        match argmax(io.x()) {
            (_, true) => T::NAN,
            (k, false) if k == y => T::one(),
            _ => T::zero(),
        }
    }
}

/// Categorical accuracy with class-index targets: ℓᵣ = 1 if argmaxₖ xₖ = y else 0, ties
/// going to the first index; a row holding a NaN gives NaN. Rows whose target is
/// `ignore_index` are left out; the mean is the fraction of correct rows (weighted by
/// `opts.weights`). A metric: there is no gradient.
pub fn categorical_accuracy<T: Real>(
    pred: &[T],
    target: &[i64],
    classes: usize,
    ignore_index: Option<i64>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let t = Targets::new(pred.len(), target, classes, None, ignore_index)?;
    let data = Data::Separate {
        x: pred,
        grad: None,
    };
    evaluate(&AccuracyKernel { t }, data, classes, opts, values)
}
