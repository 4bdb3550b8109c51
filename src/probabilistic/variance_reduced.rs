//! inferno's variance-reduced (VR) losses: the expected loss under a Gaussian last layer,
//! in closed form (MSE) or as a Jensen upper bound (BCE, cross-entropy), from the
//! per-logit mean μ and variance v.
//!
//! # Samples
//! inferno flattens leading sample dimensions into rows: the predictions have S·B rows (S
//! samples of the earlier stochastic layers, B batch rows, sample-major: row s·B + b), the
//! targets have B rows and are repeated over the S samples, and a mean runs over the
//! S·B rows (and the O outputs for MSE-VR). Here the target length fixes B: the data
//! length must be a whole multiple of it (S = 1 for ordinary data).
//!
//! # The variance
//! For a Bayesian linear output layer with mean parameters W, b and a low-rank covariance
//! factor S (θ = μ_θ + S z, z ~ N(0, I_R)), the logit mean is μ = φWᵀ + b and its variance
//! is vₒ = ‖φ̃ᵀSₒ‖², φ̃ = [φ, 1] ([`vr_variance`]). With no covariance, v = 0 and every VR
//! loss is the ordinary loss.

use super::math::{softplus_sigmoid, LogSumExp};
use super::rows::RowPlan;
use crate::pointwise::{check_len, evaluate_kernel, Kernel, Pointwise2, Window};
use crate::reduce::{blocked_sum, CompensatedSum};
use crate::{Error, Options, Real, Reduced};

/// MSE-VR at one element: ℓ = (μ − y)² + v (exact: E[(f − y)²] = (E f − y)² + Var f);
/// ∂ℓ/∂μ = 2(μ − y), ∂ℓ/∂v = 1.
#[derive(Clone, Copy, Debug, Default)]
pub struct MseVr;

impl<T: Real> Pointwise2<T> for MseVr {
    #[inline(always)]
    fn loss_grad(&self, mu: T, v: T, y: T) -> (T, T, T) {
        let d = mu - y;
        (d * d + v, d + d, T::one())
    }
}

/// BCE-with-logits-VR at one element, target t ∈ [0, 1]:
/// ℓ = t·softplus(−μ + v/2) + (1 − t)·softplus(μ + v/2), an upper bound on the expected
/// BCE (E[e^{±f}] = e^{±μ + v/2}); with v = 0 it is the BCE with logits.
/// ∂ℓ/∂μ = −t·σ(−μ + v/2) + (1 − t)·σ(μ + v/2), ∂ℓ/∂v = ½(t·σ(−μ + v/2) + (1 − t)·σ(μ + v/2)).
#[derive(Clone, Copy, Debug, Default)]
pub struct BceWithLogitsVr;

impl<T: Real> Pointwise2<T> for BceWithLogitsVr {
    #[inline(always)]
    fn loss_grad(&self, mu: T, v: T, t: T) -> (T, T, T) {
        let (mu, h, t) = (mu.to_f64(), 0.5 * v.to_f64(), t.to_f64());
        let (a, b) = (h - mu, mu + h);
        // A side with weight 0 (t = 0 or 1) is skipped: no 0·∞ = NaN, and no work.
        let side = |w: f64, x: f64| {
            if w == 0.0 {
                (0.0, 0.0)
            } else {
                let (sp, sg) = softplus_sigmoid(x);
                (w * sp, w * sg)
            }
        };
        let ((la, sa), (lb, sb)) = (side(t, a), side(1.0 - t, b));
        let l = la + lb;
        (
            T::from_f64(l),
            T::from_f64(sb - sa),
            T::from_f64(0.5 * (sa + sb)),
        )
    }
}

/// A two-input loss over S·B elements whose targets (B of them) repeat over the samples.
struct Repeated<'a, T, L> {
    loss: &'a L,
    p: &'a [T],
    q: &'a [T],
    target: &'a [T],
    start: usize,
}

impl<T: Real, L: Pointwise2<T>> Kernel<T, 2> for Repeated<'_, T, L> {
    type Window<'w>
        = Repeated<'w, T, L>
    where
        Self: 'w;
    fn len(&self) -> usize {
        self.p.len()
    }
    fn targets(&self) -> &[T] {
        if self.target.len() == self.p.len() {
            self.target
        } else {
            &[]
        }
    }
    #[inline(always)]
    fn window(&self, start: usize, len: usize) -> Repeated<'_, T, L> {
        Repeated {
            loss: self.loss,
            p: &self.p[start..start + len],
            q: &self.q[start..start + len],
            target: self.target,
            start,
        }
    }
}

impl<T: Real, L: Pointwise2<T>> Window<T, 2> for Repeated<'_, T, L> {
    #[inline(always)]
    fn target(&self, j: usize) -> T {
        // The front end checked that the target is not empty when there are elements.
        let m = self.target.len().max(1);
        self.target
            .get((self.start + j) % m)
            .copied()
            .unwrap_or(T::NAN)
    }
    #[inline(always)]
    fn loss(&self, j: usize, _c: T) -> T {
        self.loss.loss(self.p[j], self.q[j], self.target(j))
    }
    #[inline(always)]
    fn loss_grad(&self, j: usize, _c: T) -> (T, [T; 2]) {
        let (l, dp, dq) = self.loss.loss_grad(self.p[j], self.q[j], self.target(j));
        (l, [dp, dq])
    }
}

/// Checks μ, v and a target repeated over samples; v ≥ 0 everywhere.
fn check_repeated<T: Real>(
    mean: &[T],
    var: &[T],
    target_len: usize,
    opts: &Options<'_, T>,
) -> Result<(), Error> {
    let n = mean.len();
    check_len("var", n, var.len())?;
    if n > 0 && (target_len == 0 || n % target_len != 0) {
        return Err(Error::LengthMismatch {
            what: "target (the data are whole samples of the target's length)",
            expected: if target_len == 0 { n } else { target_len },
            got: target_len,
        });
    }
    if target_len != n && opts.magic.is_some() {
        return Err(Error::BadParameter {
            what: "magic (not with a target repeated over samples)",
        });
    }
    if var.iter().any(|&v| v.is_nan() || v < T::zero()) {
        return Err(Error::BadParameter { what: "var" });
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn repeated<T: Real, L: Pointwise2<T>>(
    loss: &L,
    mean: &[T],
    var: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_mean: Option<&mut [T]>,
    grad_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    check_repeated(mean, var, target.len(), opts)?;
    let kernel = Repeated {
        loss,
        p: mean,
        q: var,
        target,
        start: 0,
    };
    evaluate_kernel(&kernel, opts, values, [grad_mean, grad_var])
}

/// inferno's `MSELossVR` (the `dev` branch's semantics: any number of outputs O): the
/// reduction of (μ − y)² + v over S·B·O elements ([`MseVr`]).
///
/// * `mean` (μ), `var` (v ≥ 0, else [`Error::BadParameter`] `"var"`): S·B·O values,
///   row-major (sample, batch row, output);
/// * `target`: B·O values, repeated over the S samples (its length must divide n);
/// * `grad_mean`, `grad_var`: if given, receive `grad_scale · ∂L/∂μ` and `· ∂L/∂v`.
///
/// Options as in [`crate::pointwise::evaluate`], per element of the S·B·O; the magic
/// number only when S = 1 (the target is then not repeated).
#[allow(clippy::too_many_arguments)]
pub fn mse_vr<T: Real>(
    mean: &[T],
    var: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_mean: Option<&mut [T]>,
    grad_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    repeated(&MseVr, mean, var, target, opts, values, grad_mean, grad_var)
}

/// inferno's `BCEWithLogitsLossVR` (one output): the reduction of
/// t·softplus(−μ + v/2) + (1 − t)·softplus(μ + v/2) over S·B elements ([`BceWithLogitsVr`]).
///
/// Arguments as in [`mse_vr`] with O = 1: `mean`, `var` have S·B values, `target` B.
/// (inferno's multi-output form puts every output into one log-sum-exp, which is wrong;
/// here each element is its own binary problem, which is what O > 1 should mean.)
#[allow(clippy::too_many_arguments)]
pub fn bce_with_logits_vr<T: Real>(
    mean: &[T],
    var: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_mean: Option<&mut [T]>,
    grad_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    repeated(
        &BceWithLogitsVr,
        mean,
        var,
        target,
        opts,
        values,
        grad_mean,
        grad_var,
    )
}

/// inferno's `CrossEntropyLossVR`: per row r of C logits with mean μ and variance v and a
/// class index y, ℓᵣ = −μ_y + ln Σ_c exp(μ_c + v_c/2), an upper bound on the expected
/// cross-entropy (the −μ_y term is exact, the log-sum-exp is bounded by Jensen).
///
/// ∂ℓ/∂μ_c = π_c − [c = y] and ∂ℓ/∂v_c = π_c/2, with π = softmax(μ + v/2).
///
/// * `mean`, `var`: S·B rows × `classes` values, row-major; v ≥ 0;
/// * `target`: B class indices in 0..C (else [`Error::IndexOutOfRange`] with the row),
///   repeated over the S samples (row r uses `target[r mod B]`);
/// * `values`: with `Reduction::None`, one value per row (S·B);
/// * `grad_mean`, `grad_var`: if given (S·B·C values), receive `grad_scale · ∂L/∂μ`, `∂L/∂v`.
///
/// `opts.mask` and `opts.weights` are per row (S·B of them); the mean is Σwℓ/Σw over the
/// kept rows; `row_len` must be 0 and the magic number is refused. No class weights,
/// ignore index or label smoothing (inferno has none).
#[allow(clippy::too_many_arguments)]
pub fn cross_entropy_vr<T: Real>(
    mean: &[T],
    var: &[T],
    target: &[i64],
    classes: usize,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    mut grad_mean: Option<&mut [T]>,
    mut grad_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = mean.len();
    check_len("var", n, var.len())?;
    if classes == 0 {
        return Err(Error::BadParameter { what: "classes" });
    }
    if n % classes != 0 {
        return Err(Error::LengthMismatch {
            what: "mean (a whole number of rows of `classes`)",
            expected: (n / classes + 1) * classes,
            got: n,
        });
    }
    let rows = n / classes;
    let b = target.len();
    if rows > 0 && (b == 0 || rows % b != 0) {
        return Err(Error::LengthMismatch {
            what: "target (the rows are whole samples of the target's length)",
            expected: if b == 0 { rows } else { b },
            got: b,
        });
    }
    for (row, &y) in target.iter().enumerate() {
        if !(0..classes as i64).contains(&y) {
            return Err(Error::IndexOutOfRange { row, index: y });
        }
    }
    if var.iter().any(|&v| v.is_nan() || v < T::zero()) {
        return Err(Error::BadParameter { what: "var" });
    }
    for g in [grad_mean.as_deref(), grad_var.as_deref()]
        .into_iter()
        .flatten()
    {
        check_len("grad", n, g.len())?;
    }
    let plan = RowPlan::new(opts, rows, false, values.as_deref(), |_| false)?;
    let acc = plan.accumulate();
    plan.run(
        values,
        |_| false,
        |r, coef| {
            let (mu, v) = (
                &mean[r * classes..][..classes],
                &var[r * classes..][..classes],
            );
            let y = target.get(r % b.max(1)).map_or(0, |&y| y as usize);
            let mut lse = LogSumExp::new();
            for c in 0..classes {
                lse.add(mu[c].to_f64() + 0.5 * v[c].to_f64());
            }
            let z = lse.value();
            let l = z - mu[y].to_f64();
            let gm = grad_mean
                .as_deref_mut()
                .map(|g| &mut g[r * classes..][..classes]);
            let gv = grad_var
                .as_deref_mut()
                .map(|g| &mut g[r * classes..][..classes]);
            write_softmax_grads(mu, v, z, y, coef, acc, gm, gv);
            l
        },
    )
}

/// Writes coef·(π − e_y) and coef·π/2 for one row (0, or nothing when accumulating, for a
/// row that does not count).
#[allow(clippy::too_many_arguments)]
fn write_softmax_grads<T: Real>(
    mu: &[T],
    v: &[T],
    lse: f64,
    y: usize,
    coef: Option<f64>,
    acc: bool,
    gm: Option<&mut [T]>,
    gv: Option<&mut [T]>,
) {
    let pi = |c: usize| libm::exp(mu[c].to_f64() + 0.5 * v[c].to_f64() - lse);
    match coef {
        Some(k) => {
            if let Some(g) = gm {
                for (c, slot) in g.iter_mut().enumerate() {
                    let e = if c == y { 1.0 } else { 0.0 };
                    super::put(slot, k * (pi(c) - e), acc);
                }
            }
            if let Some(g) = gv {
                for (c, slot) in g.iter_mut().enumerate() {
                    super::put(slot, k * 0.5 * pi(c), acc);
                }
            }
        }
        None if !acc => {
            for g in [gm, gv].into_iter().flatten() {
                g.iter_mut().for_each(|x| *x = T::zero());
            }
        }
        None => {}
    }
}

/// The variance of each logit of a Bayesian linear layer given the penultimate features:
/// v[i, o] = Σ_r (Σ_f φ̃[i, f]·Sₒ[f, r])², φ̃ = [φ, 1] with a bias factor, φ̃ = φ without.
///
/// * `phi`: rows × `features` values (row-major; leading sample dimensions flattened);
/// * `factor_weight`: `outputs` × `features` × `rank` values, inferno's `factor["weight"]`
///   of shape (O, F_in, R), row-major;
/// * `factor_bias`: `None`, or `outputs` × `rank` values, inferno's `factor["bias"]` (O, R);
/// * `out`: rows × `outputs` values, overwritten.
///
/// The inner products are accumulated in `f64` in a fixed order (deterministic). Nothing
/// is allocated; nothing is written on error (lengths, `features` = 0).
pub fn vr_variance<T: Real>(
    phi: &[T],
    features: usize,
    factor_weight: &[T],
    factor_bias: Option<&[T]>,
    outputs: usize,
    rank: usize,
    out: &mut [T],
) -> Result<(), Error> {
    if features == 0 {
        return Err(Error::BadParameter { what: "features" });
    }
    if phi.len() % features != 0 {
        return Err(Error::LengthMismatch {
            what: "phi (a whole number of rows of `features`)",
            expected: (phi.len() / features + 1) * features,
            got: phi.len(),
        });
    }
    let rows = phi.len() / features;
    let overflow = Error::LengthMismatch {
        what: "factor_weight (outputs × features × rank overflows)",
        expected: usize::MAX,
        got: 0,
    };
    let fw_len = outputs
        .checked_mul(features)
        .and_then(|x| x.checked_mul(rank))
        .ok_or(overflow)?;
    check_len("factor_weight", fw_len, factor_weight.len())?;
    if let Some(fb) = factor_bias {
        check_len(
            "factor_bias",
            outputs.checked_mul(rank).ok_or(overflow)?,
            fb.len(),
        )?;
    }
    check_len("out", rows.checked_mul(outputs).ok_or(overflow)?, out.len())?;
    for i in 0..rows {
        let x = &phi[i * features..][..features];
        for o in 0..outputs {
            let s_o = &factor_weight[o * features * rank..][..features * rank];
            let mut v = CompensatedSum::new();
            for r in 0..rank {
                let mut s =
                    blocked_sum::<T>(features, |f| x[f].to_f64() * s_o[f * rank + r].to_f64());
                if let Some(fb) = factor_bias {
                    s += fb[o * rank + r].to_f64();
                }
                v.add(s * s);
            }
            out[i * outputs + o] = T::from_f64(v.value());
        }
    }
    Ok(())
}
