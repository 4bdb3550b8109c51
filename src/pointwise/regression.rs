//! The regression family. Each type is the per-element math of one loss; each function is
//! [`evaluate`] with that loss. Throughout, d = p − y (prediction minus
//! target) and the gradient is taken with respect to p.

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use super::EquivalentVisitor;
use super::{evaluate, Finish, Pointwise};
use crate::{Error, Options, Real, Reduced};

/// Squared error: ℓ = (p − y)², ∂ℓ/∂p = 2(p − y).
#[derive(Clone, Copy, Debug, Default)]
pub struct SquaredError;

impl<T: Real> Pointwise<T> for SquaredError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let d = p - y;
        (d * d, d + d)
    }
}

/// Absolute error: ℓ = |p − y|, ∂ℓ/∂p = sign(p − y) with sign(0) = 0 (PyTorch's subgradient).
#[derive(Clone, Copy, Debug, Default)]
pub struct AbsoluteError;

impl<T: Real> Pointwise<T> for AbsoluteError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let d = p - y;
        (d.abs(), d.signum0())
    }
}

/// Root of the mean squared error: L = √(Σwᵢ(pᵢ − yᵢ)² / Σwᵢ).
///
/// The gradient is (pᵢ − yᵢ)·wᵢ / (Σw · L), and 0 when L = 0 (graph-pes and PyTorch give
/// NaN there). Reductions `Mean` and `Sum` (√ of the sum) and per-row means are
/// supported; `None` is refused; `Partial` returns the pair of the squares.
#[derive(Clone, Copy, Debug, Default)]
pub struct RootSquaredError;

impl<T: Real> Pointwise<T> for RootSquaredError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        SquaredError.loss_grad(p, y)
    }
    fn finish(&self) -> Finish {
        Finish::Sqrt
    }
}

/// Signed error (a bias), astroNN's `mean_error`: ℓ = y − p, ∂ℓ/∂p = −1.
///
/// astroNN's documentation writes ŷ − y but its code computes y − ŷ; the code is followed.
#[derive(Clone, Copy, Debug, Default)]
pub struct SignedError;

impl<T: Real> Pointwise<T> for SignedError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        (y - p, -T::one())
    }
}

/// Squared logarithmic error with astroNN's clip:
/// ℓ = (ln(max(p, ε) + 1) − ln(max(y, ε) + 1))², ε = 10⁻⁷.
///
/// ∂ℓ/∂p = 2(ln(p + 1) − ln(max(y, ε) + 1)) / (p + 1) for p ≥ ε, and 0 below the clip.
#[derive(Clone, Copy, Debug, Default)]
pub struct SquaredLogError;

/// astroNN's (Keras') epsilon.
pub const ASTRONN_EPSILON: f64 = 1e-7;

impl<T: Real> Pointwise<T> for SquaredLogError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let eps = T::from_f64(ASTRONN_EPSILON);
        let clipped = p < eps;
        let pc = if clipped { eps } else { p };
        let yc = if y < eps { eps } else { y };
        let (lp, inv_p) = crate::math::ln_1p_recip(pc);
        let (ly, _) = crate::math::ln_1p_recip(yc);
        let d = lp - ly;
        let g = if clipped { T::zero() } else { (d + d) * inv_p };
        (d * d, g)
    }
}

/// Absolute percentage error, astroNN's `mean_absolute_percentage_error`:
/// ℓ = 100·|y − p| / max(|y|, ε), ε = 10⁻⁷; ∂ℓ/∂p = 100·sign(p − y) / max(|y|, ε).
#[derive(Clone, Copy, Debug, Default)]
pub struct AbsolutePercentageError;

impl<T: Real> Pointwise<T> for AbsolutePercentageError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let eps = T::from_f64(ASTRONN_EPSILON);
        let ay = y.abs();
        let den = if ay < eps { eps } else { ay };
        let hundred = T::from_f64(100.0);
        let d = p - y;
        (hundred * d.abs() / den, hundred * d.signum0() / den)
    }
}

/// Percentage error, the formula astroNN intends for `mean_percentage_error`:
/// ℓ = 100·(y − p)/ỹ, ∂ℓ/∂p = −100/ỹ, where ỹ = y if |y| ≥ ε, else ±ε with y's sign
/// (+ε for y = 0), ε = 10⁻⁷.
///
/// astroNN's code computes 100·(y − p/clip(y, ε, ∞)), an operator-precedence bug that
/// also turns negative targets into ε; this is the documented formula instead (the two
/// agree only when y = 1). Example: y = (2, 4), p = (1, 5) gives 12.5 here, 212.5 in astroNN.
#[derive(Clone, Copy, Debug, Default)]
pub struct PercentageError;

impl<T: Real> Pointwise<T> for PercentageError {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let eps = T::from_f64(ASTRONN_EPSILON);
        let den = if y.abs() >= eps {
            y
        } else if y < T::zero() {
            -eps
        } else {
            eps
        };
        let hundred = T::from_f64(100.0);
        (hundred * (y - p) / den, -hundred / den)
    }
}

/// Huber loss with threshold δ > 0 (PyTorch's `huber_loss`):
/// ℓ = ½d² if |d| < δ, else δ(|d| − ½δ); ∂ℓ/∂p = d if |d| < δ, else δ·sign(d).
///
/// PyTorch's default δ is 1.0 and graph-pes' is 0.5, so δ is always explicit.
#[derive(Clone, Copy, Debug)]
pub struct Huber<T> {
    delta: T,
}

impl<T: Real> Huber<T> {
    /// A Huber loss; δ must be finite and > 0.
    pub fn new(delta: T) -> Result<Self, Error> {
        if delta > T::zero() && delta.is_finite() {
            Ok(Huber { delta })
        } else {
            Err(Error::BadParameter { what: "delta" })
        }
    }
}

/// Huber's ℓ and ∂ℓ/∂p with threshold δ, branch-free: with g = clamp(d, −δ, δ) (the
/// gradient), ℓ = |g·(d − ½g)|, which is ½d² inside (d·(d/2) is the same bits as (d/2)·d,
/// the halving being exact) and δ(|d| − ½δ) outside (g and d − ½g have one sign, so the
/// product is that value up to the sign the absolute value removes, which also makes
/// ℓ(−0) = +0). A NaN d gives a NaN ℓ and gradient.
#[inline(always)]
fn huber_parts<T: Real>(d: T, delta: T) -> (T, T) {
    let g = if d > delta { delta } else { d };
    let g = if g < -delta { -delta } else { g };
    ((g * (d - T::from_f64(0.5) * g)).abs(), g)
}

impl<T: Real> Pointwise<T> for Huber<T> {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        huber_parts(p - y, self.delta)
    }
}

/// 1/t when multiplying a Huber-type loss of threshold t by it gives the same bits as the
/// divided formulas of [`SmoothL1`] and [`ScaleFreeHuber`]: t a power of two in [2⁻⁶⁰, 1]
/// (so 1/t is exact, x·(1/t) = x/t for every x, and the outer value t(|d| − t/2)·(1/t) =
/// |d| − t/2 exactly: the product by t neither overflows nor drops below the normal
/// range); else `None`.
#[cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
fn exact_reciprocal<T: Real>(t: T) -> Option<T> {
    let wide = t.to_f64();
    // A positive power of two has no mantissa bits in its f64 form.
    let power_of_two = wide.to_bits() & ((1u64 << 52) - 1) == 0;
    let in_range = (libm::ldexp(1.0, -60)..=1.0).contains(&wide);
    (power_of_two && in_range).then(|| T::one() / t)
}

/// Huber_t / t computed as Huber_t · r with r = 1/t exact (see [`exact_reciprocal`]):
/// ℓ = ½d²·r if |d| < t, else |d| − ½t; ∂ℓ/∂p = clamp(d, −t, t)·r. Multiplications only,
/// and the same bits as [`SmoothL1`] with β = t and [`ScaleFreeHuber`] with δ = t, which
/// hand it to the engine through [`Pointwise::with_equivalent`].
#[derive(Clone, Copy, Debug)]
#[cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
struct ReciprocalHuber<T> {
    t: T,
    r: T,
}

impl<T: Real> Pointwise<T> for ReciprocalHuber<T> {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let (l, g) = huber_parts(p - y, self.t);
        (l * self.r, g * self.r)
    }
}

/// graph-pes' scale-free Huber loss: Huber_δ / δ, i.e.
/// ℓ = d²/(2δ) if |d| < δ, else |d| − ½δ; ∂ℓ/∂p = d/δ if |d| < δ, else sign(d).
#[derive(Clone, Copy, Debug)]
pub struct ScaleFreeHuber<T> {
    delta: T,
}

impl<T: Real> ScaleFreeHuber<T> {
    /// A scale-free Huber loss; δ must be finite and > 0.
    pub fn new(delta: T) -> Result<Self, Error> {
        Huber::new(delta).map(|h| ScaleFreeHuber { delta: h.delta })
    }
}

impl<T: Real> Pointwise<T> for ScaleFreeHuber<T> {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let d = p - y;
        let a = d.abs();
        let half = T::from_f64(0.5);
        let inner = a < self.delta;
        let l = if inner {
            half * d * d / self.delta
        } else {
            a - half * self.delta
        };
        let g = if inner { d / self.delta } else { d.signum0() };
        (l, g)
    }
    // Only where code size is no concern: each equivalent is one more engine instance.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[inline(always)]
    fn with_equivalent<V: EquivalentVisitor<T>>(&self, visitor: V) -> V::Output {
        match exact_reciprocal(self.delta) {
            // Huber_1 / 1 is Huber_1: no multiplications at all.
            Some(r) if r == T::one() => visitor.visit(&Huber { delta: r }),
            Some(r) => visitor.visit(&ReciprocalHuber { t: self.delta, r }),
            None => visitor.visit(self),
        }
    }
}

/// Smooth L1 loss with threshold β ≥ 0 (PyTorch's `smooth_l1_loss`):
/// ℓ = ½d²/β if |d| < β, else |d| − ½β; ∂ℓ/∂p = d/β if |d| < β, else sign(d).
/// β = 0 is the L1 loss.
#[derive(Clone, Copy, Debug)]
pub struct SmoothL1<T> {
    beta: T,
}

impl<T: Real> SmoothL1<T> {
    /// A smooth L1 loss; β must be finite and ≥ 0.
    pub fn new(beta: T) -> Result<Self, Error> {
        if beta >= T::zero() && beta.is_finite() {
            Ok(SmoothL1 { beta })
        } else {
            Err(Error::BadParameter { what: "beta" })
        }
    }
}

impl<T: Real> Pointwise<T> for SmoothL1<T> {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        let d = p - y;
        let a = d.abs();
        let half = T::from_f64(0.5);
        // β = 0 never takes the quadratic side (|d| < 0 is false), so 0/0 is never selected.
        let inner = a < self.beta;
        let l = if inner {
            half * d * d / self.beta
        } else {
            a - half * self.beta
        };
        let g = if inner { d / self.beta } else { d.signum0() };
        (l, g)
    }
    // Only where code size is no concern: each equivalent is one more engine instance.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[inline(always)]
    fn with_equivalent<V: EquivalentVisitor<T>>(&self, visitor: V) -> V::Output {
        match exact_reciprocal(self.beta) {
            // Huber_1 / 1 is Huber_1: no multiplications at all.
            Some(r) if r == T::one() => visitor.visit(&Huber { delta: r }),
            Some(r) => visitor.visit(&ReciprocalHuber { t: self.beta, r }),
            None => visitor.visit(self),
        }
    }
}

/// Log-cosh loss: ℓ = ln cosh(d); ∂ℓ/∂p = tanh(d).
///
/// Both from [`crate::math::log_cosh_tanh`] in one vectorised pass, without overflow or
/// cancellation: a polynomial in d² for small |d| (where ℓ ≈ d²/2), and
/// |d| − ln 2 + ln(1 + e^(−2|d|)) beyond.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogCosh;

impl<T: Real> Pointwise<T> for LogCosh {
    #[inline(always)]
    fn loss_grad(&self, p: T, y: T) -> (T, T) {
        crate::math::log_cosh_tanh(p - y)
    }
}

macro_rules! regression_fn {
    ($(#[$doc:meta])* $name:ident, $loss:expr) => {
        $(#[$doc])*
        ///
        /// Arguments, outputs and options as in [`evaluate`].
        pub fn $name<T: Real>(
            pred: &[T],
            target: &[T],
            opts: &Options<'_, T>,
            values: Option<&mut [T]>,
            grad: Option<&mut [T]>,
        ) -> Result<Reduced<T>, Error> {
            evaluate(&$loss, pred, target, opts, values, grad)
        }
    };
    ($(#[$doc:meta])* $name:ident, $param:ident, $ctor:path) => {
        $(#[$doc])*
        ///
        /// Arguments, outputs and options as in [`evaluate`].
        pub fn $name<T: Real>(
            pred: &[T],
            target: &[T],
            $param: T,
            opts: &Options<'_, T>,
            values: Option<&mut [T]>,
            grad: Option<&mut [T]>,
        ) -> Result<Reduced<T>, Error> {
            evaluate(&$ctor($param)?, pred, target, opts, values, grad)
        }
    };
}

regression_fn!(
    /// Mean squared error: the reduction of (p − y)² ([`SquaredError`]).
    mse,
    SquaredError
);
regression_fn!(
    /// Mean absolute error (L1): the reduction of |p − y| ([`AbsoluteError`]).
    mae,
    AbsoluteError
);
regression_fn!(
    /// Root mean squared error: √ of the reduced (p − y)² ([`RootSquaredError`]).
    rmse,
    RootSquaredError
);
regression_fn!(
    /// Mean error (bias), astroNN's `mean_error`: the reduction of y − p ([`SignedError`]).
    mean_error,
    SignedError
);
regression_fn!(
    /// Mean squared logarithmic error with astroNN's clip ([`SquaredLogError`]).
    msle,
    SquaredLogError
);
regression_fn!(
    /// Mean absolute percentage error, astroNN's ([`AbsolutePercentageError`]).
    mape,
    AbsolutePercentageError
);
regression_fn!(
    /// Mean percentage error, the intended astroNN formula 100·(y − p)/y ([`PercentageError`]).
    mpe,
    PercentageError
);
regression_fn!(
    /// Huber loss with threshold δ > 0 ([`Huber`]).
    huber,
    delta,
    Huber::new
);
regression_fn!(
    /// graph-pes' scale-free Huber loss Huber_δ/δ, δ > 0 ([`ScaleFreeHuber`]).
    scale_free_huber,
    delta,
    ScaleFreeHuber::new
);
regression_fn!(
    /// Smooth L1 loss with threshold β ≥ 0 ([`SmoothL1`]).
    smooth_l1,
    beta,
    SmoothL1::new
);
regression_fn!(
    /// Log-cosh loss ln cosh(p − y) ([`LogCosh`]).
    log_cosh,
    LogCosh
);
