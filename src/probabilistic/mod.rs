//! Probabilistic and Bayesian losses: heteroscedastic and count likelihoods, KL divergences
//! and the variational free energy, inferno's variance-reduced losses, and astroNN's
//! Bayesian (Monte-Carlo) cross-entropies.
//!
//! * [`gaussian`]: astroNN's [`robust_mse`] (log-variance head, known
//!   label error), PyTorch's [`gaussian_nll`] and
//!   [`poisson_nll`]. The first two differentiate with respect to
//!   both the prediction and the (log-)variance, through [`crate::pointwise::evaluate2`].
//! * [`kl`]: PyTorch's elementwise [`kl_div`], the diagonal-Gaussian
//!   [`gaussian_kl`] of inferno's free energy, and
//!   [`free_energy`] = NLL + kl_weight·KL.
//! * [`variance_reduced`]: inferno's MSE-VR, BCE-with-logits-VR and cross-entropy-VR, which
//!   take the per-logit mean μ and variance v; [`vr_variance`]
//!   computes v from the penultimate features and a low-rank covariance factor.
//! * [`bayesian`]: astroNN's robust categorical and binary cross-entropies with a seeded,
//!   counter-based Monte-Carlo distortion ([`NormalDraws`]).
//!
//! Elementwise losses take the usual [`Options`](crate::Options) (masks, magic number,
//! weights, per-row means, reductions). Row-wise losses (cross-entropy-VR, the Bayesian
//! cross-entropies) read `Options::mask` and `Options::weights` **per row** (one byte / one
//! weight per row) and require `row_len = 0`; see each function.

pub mod bayesian;
pub mod gaussian;
pub mod kl;
pub mod variance_reduced;

mod rows;

pub use bayesian::{
    robust_binary_crossentropy, robust_categorical_crossentropy, MonteCarlo, NormalDraws,
};
pub use gaussian::{gaussian_nll, poisson_nll, robust_mse};
pub use kl::{free_energy, gaussian_kl, kl_div, FreeEnergy, GaussianPrior, KlWeight, Param};
pub use variance_reduced::{bce_with_logits_vr, cross_entropy_vr, mse_vr, vr_variance};

/// Small stable helpers in `f64`.
// These work in f64 with libm (the probabilistic losses compute internally in f64);
// crate::math holds the vectorisable data-type versions used by the engines.
pub(crate) mod math {
    /// softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)), without overflow.
    #[inline]
    pub fn softplus(x: f64) -> f64 {
        let m = if x > 0.0 { x } else { 0.0 };
        m + libm::log1p(libm::exp(-libm::fabs(x)))
    }

    /// (softplus(x), σ(x)) sharing one exponential.
    #[inline]
    pub fn softplus_sigmoid(x: f64) -> (f64, f64) {
        let e = libm::exp(-libm::fabs(x));
        let m = if x > 0.0 { x } else { 0.0 };
        let s = if x >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        (m + libm::log1p(e), s)
    }

    /// The logistic sigmoid 1/(1 + e^(−x)), without overflow for either sign.
    #[inline]
    pub fn sigmoid(x: f64) -> f64 {
        if x >= 0.0 {
            1.0 / (1.0 + libm::exp(-x))
        } else {
            let e = libm::exp(x);
            e / (1.0 + e)
        }
    }

    /// An online log-sum-exp: feed values one by one, read m + ln Σ e^(x − m).
    #[derive(Clone, Copy, Debug)]
    pub struct LogSumExp {
        max: f64,
        sum: f64,
    }

    impl LogSumExp {
        /// The empty sum (ln 0 = −∞).
        pub const fn new() -> Self {
            LogSumExp {
                max: f64::NEG_INFINITY,
                sum: 0.0,
            }
        }
        /// Adds e^x.
        #[inline]
        pub fn add(&mut self, x: f64) {
            if x.is_nan() {
                self.max = f64::NAN;
            } else if self.max.is_nan() || x == f64::NEG_INFINITY {
                // NaN stays NaN; e^(−∞) adds nothing.
            } else if x > self.max {
                // Rescale what was summed to the new maximum (e^(−∞) = 0 on the first value).
                self.sum = self.sum * libm::exp(self.max - x) + 1.0;
                self.max = x;
            } else if self.max != f64::INFINITY {
                self.sum += libm::exp(x - self.max);
            }
        }
        /// ln Σ eˣ (−∞ for no values or all −∞; +∞ if any +∞; NaN if any NaN).
        #[inline]
        pub fn value(&self) -> f64 {
            if self.max.is_nan() {
                f64::NAN
            } else if self.max == f64::INFINITY || self.max == f64::NEG_INFINITY {
                self.max
            } else {
                self.max + libm::log(self.sum)
            }
        }
    }
}

/// Writes `x` into a gradient slot: overwrite, or add.
#[inline(always)]
pub(crate) fn put<T: crate::Real>(slot: &mut T, x: f64, accumulate: bool) {
    let x = T::from_f64(x);
    *slot = if accumulate { *slot + x } else { x };
}
