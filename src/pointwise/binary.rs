//! The binary classification family: per-element losses of a probability p or a logit z
//! against a target t ∈ [0, 1] (soft targets allowed). Each type is the per-element math of
//! one loss; each function is [`evaluate`] with that loss, so masks,
//! astroNN's magic number and per-row means, weights, reductions and gradients come from the
//! engine.
//!
//! Notation: σ(z) = 1/(1 + e⁻ᶻ), softplus(z) = ln(1 + eᶻ) (so −ln σ(z) = softplus(−z) and
//! −ln(1 − σ(z)) = softplus(z)); all are evaluated stably by [`crate::math`]. A term whose
//! coefficient is exactly 0 contributes 0 even where its factor is infinite (z = ±∞), so
//! saturated logits give the finite limit instead of NaN from 0·∞.

use super::{evaluate, Pointwise};
use crate::math;
use crate::{Error, Options, Real, Reduced};

/// PyTorch's clamp on each logarithm of the binary cross-entropy.
pub const BCE_LOG_CLAMP: f64 = -100.0;

/// PyTorch's lower bound on p(1 − p) in the BCE gradient. It is the `float` constant 1e-12,
/// also in double precision (9.999999960041972e-13).
pub const BCE_GRAD_EPSILON: f32 = 1e-12;

/// astroNN's (Keras') clip for probabilities, ε = 10⁻⁷.
pub const ASTRONN_EPSILON: f64 = 1e-7;

/// c·x, but exactly 0 when c = 0 (so that 0·∞ = 0).
#[inline(always)]
fn times<T: Real>(c: T, x: T) -> T {
    if c == T::zero() {
        T::zero()
    } else {
        c * x
    }
}

/// softplus(z), softplus(−z), σ(z), σ(−z) from one exponential, one logarithm and one
/// reciprocal ([`math::logistic_kernel`]).
#[inline(always)]
fn logistic_parts<T: Real>(z: T) -> (T, T, T, T) {
    let a = math::abs(z);
    let (l, s_big, s_small) = math::logistic_kernel(z);
    let (sp_big, sp_small) = (a + l, l);
    if z < T::zero() {
        (sp_small, sp_big, s_small, s_big)
    } else {
        (sp_big, sp_small, s_big, s_small)
    }
}

/// BCE with logits and a positive-class weight w₊:
/// ℓ = w₊·t·softplus(−z) + (1 − t)·softplus(z), ∂ℓ/∂z = (1 − t)·σ(z) − w₊·t·σ(−z).
#[inline(always)]
fn bce_logits_core<T: Real>(z: T, t: T, pos_weight: T) -> (T, T) {
    let (sp, sm, s, sn) = logistic_parts(z);
    let a = pos_weight * t;
    let b = T::one() - t;
    (times(a, sm) + times(b, sp), b * s - a * sn)
}

/// PyTorch's `binary_cross_entropy` on probabilities p ∈ [0, 1]:
/// ℓ = (t − 1)·max(ln(1 − p), −100) − t·max(ln p, −100),
/// ∂ℓ/∂p = (p − t)/max(p(1 − p), 10⁻¹²) (the bound is [`BCE_GRAD_EPSILON`]).
///
/// PyTorch refuses p outside [0, 1]; here such p give NaN values (the logarithm of a
/// negative number), which propagate like any NaN input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bce;

impl<T: Real> Pointwise<T> for Bce {
    #[inline(always)]
    fn loss_grad(&self, p: T, t: T) -> (T, T) {
        let clamp = T::from_f64(BCE_LOG_CLAMP);
        let lo = |v: T| if v < clamp { clamp } else { v };
        let log_p = lo(math::ln(p));
        let log_q = lo(math::ln_1p(-p));
        let l = (t - T::one()) * log_q - t * log_p;
        let d = (T::one() - p) * p;
        let eps = T::from_f64(BCE_GRAD_EPSILON as f64);
        let den = if d < eps { eps } else { d };
        (l, (p - t) / den)
    }
}

/// PyTorch's `binary_cross_entropy_with_logits`, with an optional per-column `pos_weight`:
/// ℓ = w₊ⱼ·t·softplus(−z) + (1 − t)·softplus(z), ∂ℓ/∂z = (1 − t)·σ(z) − w₊ⱼ·t·σ(−z),
/// where j is the element's column when the data are rows of `pos_weight.len()` columns
/// (w₊ = 1 without `pos_weight`).
///
/// Each term is non-negative and evaluated without cancellation (PyTorch's form
/// (1 − t)z + (1 + (w₊ − 1)t)·softplus(−z) cancels for z ≪ 0); z = ±∞ gives the finite
/// limit when t makes the infinite term vanish (e.g. z = +∞, t = 1 gives ℓ = 0, gradient 0).
#[derive(Clone, Copy, Debug, Default)]
pub struct BceWithLogits<'a, T> {
    pos_weight: Option<&'a [T]>,
}

impl<'a, T: Real> BceWithLogits<'a, T> {
    /// The loss, with `pos_weight` (one finite value ≥ 0 per column, at least one column) or
    /// without (None).
    pub fn new(pos_weight: Option<&'a [T]>) -> Result<Self, Error> {
        if let Some(pw) = pos_weight {
            if pw.is_empty() || pw.iter().any(|&w| !(w >= T::zero() && w.is_finite())) {
                return Err(Error::BadParameter { what: "pos_weight" });
            }
        }
        Ok(BceWithLogits { pos_weight })
    }
}

impl<T: Real> Pointwise<T> for BceWithLogits<'_, T> {
    #[inline(always)]
    fn loss_grad(&self, z: T, t: T) -> (T, T) {
        bce_logits_core(z, t, T::one())
    }
    fn period(&self) -> usize {
        self.pos_weight.map_or(0, |pw| pw.len())
    }
    #[inline(always)]
    fn loss_grad_at(&self, col: usize, z: T, t: T) -> (T, T) {
        let pw = match self.pos_weight {
            Some(pw) => pw.get(col).copied().unwrap_or(T::one()),
            None => T::one(),
        };
        bce_logits_core(z, t, pw)
    }
}

/// Binary focal loss on logits with focusing parameter γ ≥ 0 (torchvision's
/// `sigmoid_focal_loss` without α; inferno's binary `FocalLoss`), soft targets allowed:
/// ℓ = q^γ·b with b = t·softplus(−z) + (1 − t)·softplus(z) (the BCE with logits) and
/// q = 1 − p_t = t·σ(−z) + (1 − t)·σ(z).
///
/// ∂ℓ/∂z = q^γ·(γ·(q′/q)·b + b′) with b′ = (1 − t)σ(z) − tσ(−z) and
/// q′/q = (1 − 2t)·σ(z)σ(−z)/q, which is σ(−z) for t = 0 and −σ(z) for t = 1 (taken so, it
/// stays finite where q underflows to 0; PyTorch's autograd gives NaN there for γ < 1).
/// γ = 0 is the BCE with logits exactly (0⁰ = 1).
///
/// q^γ is evaluated as e^(γ·ln q), all vectorised: ln q = −softplus(±z) for a hard target
/// t ∈ {0, 1} (exact in the tails, where q underflows), ln of q otherwise.
#[derive(Clone, Copy, Debug)]
pub struct BinaryFocal<T> {
    gamma: T,
}

impl<T: Real> BinaryFocal<T> {
    /// A binary focal loss; γ must be finite and ≥ 0.
    pub fn new(gamma: T) -> Result<Self, Error> {
        if gamma >= T::zero() && gamma.is_finite() {
            Ok(BinaryFocal { gamma })
        } else {
            Err(Error::BadParameter { what: "gamma" })
        }
    }
}

impl<T: Real> Pointwise<T> for BinaryFocal<T> {
    #[inline(always)]
    fn loss_grad(&self, z: T, t: T) -> (T, T) {
        let (sp, sm, s, sn) = logistic_parts(z);
        let u = T::one() - t;
        let b = times(t, sm) + times(u, sp);
        let db = u * s - t * sn;
        if self.gamma == T::zero() {
            return (b, db);
        }
        let q = t * sn + u * s;
        let ln_q = if t == T::one() {
            -sp
        } else if t == T::zero() {
            -sm
        } else {
            math::ln(q)
        };
        let qg = math::exp(self.gamma * ln_q);
        let dq_over_q = if t == T::one() {
            -s
        } else if t == T::zero() {
            sn
        } else {
            (T::one() - t - t) * (s * sn) / q
        };
        (qg * b, qg * (self.gamma * dq_over_q * b + db))
    }
}

/// astroNN's `binary_crossentropy` (SPEC §4.5): on logits, the BCE with logits
/// ℓ = t·softplus(−z) + (1 − t)·softplus(z); on probabilities, p is first clipped to
/// [ε, 1 − ε] (ε = 10⁻⁷, [`ASTRONN_EPSILON`]) and turned into the logit z = ln(p/(1 − p)).
///
/// The gradient with respect to p is (p − t)/(p(1 − p)) inside the clip and 0 outside.
/// With `Options::with_magic(ASTRONN_MAGIC)` and `Options::with_row_len(D)` the reduction
/// is astroNN's: each sample's mean over its valid labels (the magic correction), then the
/// batch mean; astroNN's `nll` is the same with `Reduction::Sum` over the samples.
#[derive(Clone, Copy, Debug, Default)]
pub struct AstroBce {
    /// The predictions are logits (true) or probabilities (false).
    pub from_logits: bool,
}

impl<T: Real> Pointwise<T> for AstroBce {
    #[inline(always)]
    fn loss_grad(&self, p: T, t: T) -> (T, T) {
        if self.from_logits {
            return bce_logits_core(p, t, T::one());
        }
        let eps = T::from_f64(ASTRONN_EPSILON);
        let hi = T::from_f64(1.0 - ASTRONN_EPSILON);
        let clipped = p < eps || p > hi;
        let pc = if p < eps {
            eps
        } else if p > hi {
            hi
        } else {
            p
        };
        let z = math::ln(pc / (T::one() - pc));
        let (l, _) = bce_logits_core(z, t, T::one());
        let g = if clipped {
            T::zero()
        } else {
            (pc - t) / (pc * (T::one() - pc))
        };
        (l, g)
    }
}

/// Binary accuracy, astroNN's `binary_accuracy` / `binary_accuracy_from_logits`:
/// ℓ = 1 if t = round(p) else 0, where p is the prediction (or σ(z) for logits) and round
/// is round-half-to-even (so 0.5 → 0). A NaN prediction gives NaN. The gradient is 0.
///
/// astroNN does not mask magic targets here but multiplies the per-sample mean by the magic
/// correction D/n_valid; a magic target never equals a rounded prediction, so that is the
/// mean over the valid labels: use `Options::with_magic(ASTRONN_MAGIC).with_row_len(D)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryAccuracy {
    /// The predictions are logits (true) or probabilities (false).
    pub from_logits: bool,
}

impl<T: Real> Pointwise<T> for BinaryAccuracy {
    #[inline(always)]
    fn loss_grad(&self, p: T, t: T) -> (T, T) {
        let q = if self.from_logits {
            math::sigmoid(p)
        } else {
            p
        };
        let hit = if q.is_nan() {
            T::NAN
        } else if t.to_f64() == libm::rint(q.to_f64()) {
            T::one()
        } else {
            T::zero()
        };
        (hit, T::zero())
    }
}

/// PyTorch's binary cross-entropy on probabilities ([`Bce`]).
///
/// Arguments, outputs and options as in [`evaluate`].
pub fn bce<T: Real>(
    pred: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(&Bce, pred, target, opts, values, grad)
}

/// PyTorch's binary cross-entropy with logits ([`BceWithLogits`]); `pos_weight`, if given,
/// has one value per column and the data are rows of that many columns (n must be a
/// multiple of it). Per-element weights are `opts.weights`.
///
/// Arguments, outputs and options as in [`evaluate`].
pub fn bce_with_logits<T: Real>(
    logits: &[T],
    target: &[T],
    pos_weight: Option<&[T]>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(
        &BceWithLogits::new(pos_weight)?,
        logits,
        target,
        opts,
        values,
        grad,
    )
}

/// Binary focal loss on logits with γ ≥ 0 ([`BinaryFocal`]).
///
/// Arguments, outputs and options as in [`evaluate`].
pub fn binary_focal<T: Real>(
    logits: &[T],
    target: &[T],
    gamma: T,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(
        &BinaryFocal::new(gamma)?,
        logits,
        target,
        opts,
        values,
        grad,
    )
}

/// astroNN's binary cross-entropy on probabilities or logits ([`AstroBce`]).
///
/// Arguments, outputs and options as in [`evaluate`].
pub fn astronn_bce<T: Real>(
    pred: &[T],
    target: &[T],
    from_logits: bool,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(&AstroBce { from_logits }, pred, target, opts, values, grad)
}

/// Binary accuracy, astroNN's ([`BinaryAccuracy`]); a metric, so there is no gradient.
///
/// Arguments, outputs and options as in [`evaluate`].
pub fn binary_accuracy<T: Real>(
    pred: &[T],
    target: &[T],
    from_logits: bool,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(
        &BinaryAccuracy { from_logits },
        pred,
        target,
        opts,
        values,
        None,
    )
}
