//! KL divergences and inferno's variational free energy.

use crate::pointwise::{check_len, evaluate, evaluate_kernel, Kernel, Pointwise, Window};
use crate::{Error, GradMode, Options, Real, Reduced, Reduction};

/// PyTorch's elementwise `kl_div(input, target, log_target)`, with `input` x the
/// log-probabilities of the model and `target` t the reference distribution:
/// * `log_target = false`: ℓ = t·(ln t − x), and ℓ = 0 where t = 0 (PyTorch's
///   xlogy(t, t) − t·x); ∂ℓ/∂x = −t;
/// * `log_target = true` (t holds log-probabilities): ℓ = eᵗ·(t − x); ∂ℓ/∂x = −eᵗ.
///   At t = −∞ this gives the limit 0 (PyTorch gives NaN there, from 0·∞).
#[derive(Clone, Copy, Debug, Default)]
pub struct KlDiv {
    /// Whether the target holds log-probabilities.
    pub log_target: bool,
}

impl<T: Real> Pointwise<T> for KlDiv {
    #[inline(always)]
    fn loss_grad(&self, x: T, t: T) -> (T, T) {
        if self.log_target {
            let e = t.exp();
            if e == T::zero() {
                (T::zero(), -e)
            } else {
                (e * (t - x), -e)
            }
        } else if t == T::zero() {
            (T::zero(), -t)
        } else {
            (t * t.ln() - t * x, -t)
        }
    }
}

/// PyTorch's `kl_div(input, target, reduction, log_target)` ([`KlDiv`]): the reduction of
/// t·(ln t − x) (or eᵗ(t − x) with `log_target`), with its gradient with respect to the
/// input x.
///
/// PyTorch's `reduction="mean"` is the mean over all elements (`Reduction::Mean`); its
/// `"batchmean"` (the KL divergence proper, divided by the batch size B) is
/// `Reduction::Sum` divided by B, with `grad_scale` = 1/B.
/// Arguments, outputs and options as in [`crate::pointwise::evaluate`].
pub fn kl_div<T: Real>(
    input: &[T],
    target: &[T],
    log_target: bool,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate(&KlDiv { log_target }, input, target, opts, values, grad)
}

/// inferno's ε added to both variances of the Gaussian KL.
pub const INFERNO_KL_EPS: f64 = 1e-6;

/// One value for every parameter, or one per parameter.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a, T> {
    /// The same value for all parameters.
    All(T),
    /// One value per parameter (the length must be that of the means).
    Each(&'a [T]),
}

impl<T: Real> Param<'_, T> {
    #[inline(always)]
    fn at(&self, i: usize) -> T {
        match self {
            Param::All(x) => *x,
            Param::Each(v) => v[i],
        }
    }
    fn window(&self, start: usize, len: usize) -> Param<'_, T> {
        match self {
            Param::All(x) => Param::All(*x),
            Param::Each(v) => Param::Each(&v[start..start + len]),
        }
    }
    fn check(&self, what: &'static str, n: usize) -> Result<(), Error> {
        match self {
            Param::All(_) => Ok(()),
            Param::Each(v) => check_len(what, n, v.len()),
        }
    }
}

/// A diagonal Gaussian prior N(m₀, s₀²) over the parameters. The default is inferno's:
/// m₀ = 0, s₀ = 1.
#[derive(Clone, Copy, Debug)]
pub struct GaussianPrior<'a, T> {
    /// The prior means m₀.
    pub loc: Param<'a, T>,
    /// The prior scales s₀ (finite and > 0).
    pub scale: Param<'a, T>,
}

impl<T: Real> Default for GaussianPrior<'_, T> {
    fn default() -> Self {
        GaussianPrior {
            loc: Param::All(T::zero()),
            scale: Param::All(T::one()),
        }
    }
}

/// The Gaussian KL bound to its inputs: means m, scales s, the prior.
struct GaussKl<'a, T> {
    m: &'a [T],
    s: &'a [T],
    prior: GaussianPrior<'a, T>,
}

impl<T: Real> Kernel<T, 2> for GaussKl<'_, T> {
    type Window<'w>
        = GaussKl<'w, T>
    where
        Self: 'w;
    fn len(&self) -> usize {
        self.m.len()
    }
    fn targets(&self) -> &[T] {
        // No targets: the front end refuses the magic number.
        &[]
    }
    #[inline(always)]
    fn window(&self, start: usize, len: usize) -> GaussKl<'_, T> {
        GaussKl {
            m: &self.m[start..start + len],
            s: &self.s[start..start + len],
            prior: GaussianPrior {
                loc: self.prior.loc.window(start, len),
                scale: self.prior.scale.window(start, len),
            },
        }
    }
}

impl<T: Real> Window<T, 2> for GaussKl<'_, T> {
    #[inline(always)]
    fn target(&self, _j: usize) -> T {
        T::zero()
    }
    #[inline(always)]
    fn loss(&self, j: usize, c: T) -> T {
        self.loss_grad(j, c).0
    }
    #[inline(always)]
    fn loss_grad(&self, j: usize, _c: T) -> (T, [T; 2]) {
        let eps = T::from_f64(INFERNO_KL_EPS);
        let (m, s) = (self.m[j], self.s[j]);
        let (m0, s0) = (self.prior.loc.at(j), self.prior.scale.at(j));
        let vp = s * s + eps;
        let vq = s0 * s0 + eps;
        let d = m - m0;
        // r − 1 − ln r with r = vp/vq: near r = 1 as x − ln(1 + x), x = (vp − vq)/vq, which
        // does not cancel; elsewhere with ln r = ln vp − ln vq, which stays accurate when
        // vp ≪ vq (where 1 + x would have lost vp's digits).
        let x = (vp - vq) / vq;
        let half = T::from_f64(0.5);
        let r_term = if x.abs() < half {
            x - x.ln_1p()
        } else {
            x - (vp.ln() - vq.ln())
        };
        let l = half * (r_term + d * d / vq);
        (l, [d / vq, s * (T::one() / vq - T::one() / vp)])
    }
}

/// The KL divergence between a diagonal Gaussian posterior N(m, s²) and a diagonal
/// Gaussian prior N(m₀, s₀²), per parameter, with inferno's ε = 10⁻⁶
/// ([`INFERNO_KL_EPS`]):
/// KLₖ = ½(vp/vq + (m − m₀)²/vq − 1 − ln(vp/vq)), vp = s² + ε, vq = s₀² + ε.
///
/// ∂KLₖ/∂m = (m − m₀)/vq and ∂KLₖ/∂s = s·(1/vq − 1/vp) (only s² enters, so the sign of s
/// is irrelevant, as in inferno where s are the `DiagonalCovariance` scales).
///
/// * `mean`, `scale`: the n posterior means and scales (any finite s, 0 included);
/// * `prior`: m₀ and s₀ (s₀ finite and > 0, else [`Error::BadParameter`] `"prior scale"`);
/// * `grad_mean`, `grad_scale`: if given, receive `grad_scale · ∂L/∂m` and `· ∂L/∂s`.
///
/// inferno's KL is the **sum** over parameters: use `Reduction::Sum` (the default options
/// give the mean). Masks, weights, `Partial` (for parameters sharded across ranks) and the
/// gradient options work as in [`crate::pointwise::evaluate`]; the magic number is refused
/// (there is no target).
#[allow(clippy::too_many_arguments)]
pub fn gaussian_kl<T: Real>(
    mean: &[T],
    scale: &[T],
    prior: &GaussianPrior<'_, T>,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_mean: Option<&mut [T]>,
    grad_scale: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = mean.len();
    check_len("scale", n, scale.len())?;
    prior.loc.check("prior loc", n)?;
    prior.scale.check("prior scale", n)?;
    let bad_scale = |s0: &T| !(*s0 > T::zero() && s0.is_finite());
    let bad = match prior.scale {
        Param::All(s0) => bad_scale(&s0),
        Param::Each(v) => v.iter().any(bad_scale),
    };
    if bad {
        return Err(Error::BadParameter {
            what: "prior scale",
        });
    }
    if opts.magic.is_some() {
        return Err(Error::BadParameter {
            what: "magic (the Gaussian KL has no target)",
        });
    }
    let kernel = GaussKl {
        m: mean,
        s: scale,
        prior: *prior,
    };
    evaluate_kernel(&kernel, opts, values, [grad_mean, grad_scale])
}

/// The weight of the KL term in the free energy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KlWeight<T> {
    /// An explicit weight (finite, ≥ 0); inferno's default is 1.0. Pass 1/N (N the data
    /// set size) for the per-datum ELBO.
    Value(T),
    /// inferno's `kl_weight=None`: 1/P, P the number of mean parameters (`mean.len()`).
    Auto,
}

impl<T: Real> Default for KlWeight<T> {
    /// inferno's default, 1.0.
    fn default() -> Self {
        KlWeight::Value(T::one())
    }
}

/// The variational free energy (negative ELBO) and its parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FreeEnergy<T> {
    /// NLL + kl_weight · KL.
    pub value: T,
    /// The KL divergence (summed over parameters).
    pub kl: T,
    /// The weight used.
    pub kl_weight: T,
}

/// inferno's `VariationalFreeEnergy` (alias `NegativeELBO`): NLL + kl_weight · KL, with
/// KL = Σₖ KLₖ the diagonal-Gaussian divergence of [`gaussian_kl`] between the posterior
/// (means m, scales s) and the prior.
///
/// The NLL is whatever loss the caller evaluated (e.g. a mean cross-entropy over the
/// batch): pass its value as `nll`, and its gradient with respect to the network outputs
/// comes from that loss's own call. This function adds the KL part: `grad_mean` and
/// `grad_scale` (if given, n values each) receive `grad_scale_factor · kl_weight · ∂KL/∂m`
/// and `· ∂KL/∂s`, overwritten or added (`mode`). To train the means and scales of a
/// Bayesian layer, accumulate these into the same buffers that receive the NLL's
/// back-propagated gradient.
///
/// inferno's NLL over sample dimensions is ambiguous (SPEC §7); here the NLL is the
/// caller's, so a Monte-Carlo NLL averaged over samples × batch is simply passed in.
///
/// Errors (nothing written): lengths, a prior scale ≤ 0, a negative or non-finite weight,
/// `Auto` with no parameters, a non-finite `grad_scale_factor`.
#[allow(clippy::too_many_arguments)]
pub fn free_energy<T: Real>(
    nll: T,
    mean: &[T],
    scale: &[T],
    prior: &GaussianPrior<'_, T>,
    kl_weight: KlWeight<T>,
    grad_scale_factor: T,
    mode: GradMode,
    grad_mean: Option<&mut [T]>,
    grad_scale: Option<&mut [T]>,
) -> Result<FreeEnergy<T>, Error> {
    let w = match kl_weight {
        KlWeight::Value(w) if w >= T::zero() && w.is_finite() => w,
        KlWeight::Value(_) => return Err(Error::BadParameter { what: "kl_weight" }),
        KlWeight::Auto if mean.is_empty() => {
            return Err(Error::BadParameter {
                what: "kl_weight (auto needs at least one mean parameter)",
            })
        }
        KlWeight::Auto => T::from_f64(1.0 / mean.len() as f64),
    };
    if !grad_scale_factor.is_finite() {
        return Err(Error::BadParameter { what: "grad_scale" });
    }
    let opts = Options {
        reduction: Reduction::Sum,
        grad_scale: grad_scale_factor * w,
        grad_mode: mode,
        ..Options::default()
    };
    let r = gaussian_kl(mean, scale, prior, &opts, None, grad_mean, grad_scale)?;
    Ok(FreeEnergy {
        value: T::from_f64(nll.to_f64() + w.to_f64() * r.partial.sum),
        kl: r.value,
        kl_weight: w,
    })
}
