//! astroNN's Bayesian cross-entropies (Kendall & Gal 2017, eq. 12): the cross-entropy of
//! the logits plus a Monte-Carlo term that rewards a logit variance under which the
//! distorted logits would do better, and a variance depressor.
//!
//! # The loss (per sample i, with L labels or classes)
//! * u = the plain cross-entropy of the logits z: astroNN's `categorical_crossentropy`
//!   (F·Σ_c −t_c ln softmax(z)_c, F = L/n_valid) or `binary_crossentropy` (the masked mean
//!   over the labels of the BCE with logits);
//! * d_m = the same cross-entropy of the distorted logits z + ε_m ⊙ s, m = 1..M, with
//!   ε_m ~ N(0, 1) ([`NormalDraws`]) — `logit_var` s scales the noise as a standard
//!   deviation, as in astroNN's code;
//! * ℓ = u·mean_m(−elu(u − d_m)) + u + dep, with elu(x) = x for x > 0 and eˣ − 1 otherwise,
//!   and dep = mean over **all** B·L entries of (eˢ − 1): one number for the batch, added
//!   to every sample (astroNN treats s as a log-variance there).
//!
//! The draws are fixed by the seed, so ℓ is a deterministic, differentiable function of z
//! and s; the gradients with respect to both (through the elu, the distortion and dep) are
//! exact for those draws.
//!
//! # Corrections applied once (SPEC decision)
//! astroNN multiplies the final value by the magic correction F again (so F enters twice,
//! F² on u) and, in the categorical loss, applies the sample weight inside u and again at
//! the end. Here F is applied once, inside u and d_m (as in the plain astroNN
//! cross-entropies), and the sample weight once, as the row weight of the reduction
//! (`opts.weights`, one per sample). With logit_var ≡ 0 the loss is exactly the plain
//! cross-entropy (d_m = u, so the elu term and dep are 0), with the magic number too.
//! Without magic entries and weights, the result is astroNN's (in distribution: its draws
//! are unseeded).

use super::math::{sigmoid, softplus, LogSumExp};
use super::rows::RowPlan;
use crate::pointwise::check_len;
use crate::reduce::{blocked_sum, CompensatedSum};
use crate::{Error, Options, Real, Reduced};

/// astroNN's number of Monte-Carlo draws.
pub const ASTRONN_DRAWS: usize = 25;

/// Draws computed per gradient chunk without recomputation (a stack buffer).
const CHUNK: usize = 32;

/// A counter-based source of standard normal numbers: ε(row, class, draw) is a pure
/// function of (seed, row, class, draw), so a result does not depend on threads, order or
/// batching, and repeats exactly.
///
/// The four 64-bit words are chained through SplitMix64's finaliser (each step
/// h ← mix((h ⊕ x·kᵢ) + γ), with γ = 0x9E3779B97F4A7C15 and an odd constant kᵢ per word),
/// then one Box–Muller transform turns two 53-bit uniforms u₁ ∈ (0, 1], u₂ ∈ [0, 1) into
/// ε = √(−2 ln u₁)·cos(2π u₂), computed in `f64` with `libm` (the same bits everywhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NormalDraws {
    /// The seed.
    pub seed: u64,
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline(always)]
fn step(h: u64, x: u64, k: u64) -> u64 {
    mix((h ^ x.wrapping_mul(k)).wrapping_add(GAMMA))
}

impl NormalDraws {
    /// The draws of `seed`.
    pub const fn new(seed: u64) -> Self {
        NormalDraws { seed }
    }

    /// The standard normal number of (row, class, draw).
    #[inline]
    pub fn normal(&self, row: u64, class: u64, draw: u64) -> f64 {
        let mut h = step(0x243F_6A88_85A3_08D3, self.seed, 0xA076_1D64_78BD_642F);
        h = step(h, row, 0xE703_7ED1_A0B4_28DB);
        h = step(h, class, 0x8EBC_6AF0_9C88_C6E3);
        h = step(h, draw, 0x5899_65CC_7537_4CC3);
        let h2 = step(h, 1, 0x1D8E_4E27_C47D_124F);
        let scale = 1.0 / (1u64 << 53) as f64;
        let u1 = ((h >> 11) + 1) as f64 * scale;
        let u2 = (h2 >> 11) as f64 * scale;
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
    }
}

/// The Monte-Carlo settings: the number of draws M (≥ 1; astroNN uses 25) and the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonteCarlo {
    /// M, the number of draws.
    pub draws: usize,
    /// The generator of the draws.
    pub normals: NormalDraws,
}

impl Default for MonteCarlo {
    /// astroNN's 25 draws, seed 0.
    fn default() -> Self {
        MonteCarlo {
            draws: ASTRONN_DRAWS,
            normals: NormalDraws::new(0),
        }
    }
}

/// One sample's data.
struct Row<'a, T> {
    y: &'a [T],
    z: &'a [T],
    s: &'a [T],
    magic: Option<T>,
    index: u64,
    normals: NormalDraws,
    /// Number of labels not masked.
    valid: usize,
    /// Σ of the kept targets.
    total: f64,
}

impl<T: Real> Row<'_, T> {
    /// The target of entry c, or None where it is masked.
    #[inline]
    fn target(&self, c: usize) -> Option<f64> {
        let y = self.y[c];
        match self.magic {
            Some(m) if y == m || y.is_nan() => None,
            _ => Some(y.to_f64()),
        }
    }
    /// (z̃_c, ε) for a draw (ε = 0 without one). A zero s gives z̃ = z exactly.
    #[inline]
    fn logit(&self, c: usize, draw: Option<u64>) -> (f64, f64) {
        let z = self.z[c].to_f64();
        match draw {
            Some(m) => {
                let e = self.normals.normal(self.index, c as u64, m);
                (z + e * self.s[c].to_f64(), e)
            }
            None => (z, 0.0),
        }
    }
}

/// The cross-entropy family: the per-sample loss at the (distorted) logits and its
/// derivative per entry.
trait Family {
    /// (loss, aux) at the logits of `draw` (None: undistorted); aux is what [`Family::dz`]
    /// needs from the whole row.
    fn loss<T: Real>(&self, row: &Row<'_, T>, draw: Option<u64>) -> (f64, f64);
    /// (∂loss/∂z_c, ε_c) at the logits of `draw`.
    fn dz<T: Real>(&self, row: &Row<'_, T>, c: usize, draw: Option<u64>, aux: f64) -> (f64, f64);
}

/// astroNN's categorical cross-entropy from logits with the magic correction:
/// F·Σ_c t_c (lse(z) − z_c), F = C/n_valid, masked targets set to 0 (every logit stays in
/// the log-sum-exp).
struct Categorical;

impl Family for Categorical {
    fn loss<T: Real>(&self, row: &Row<'_, T>, draw: Option<u64>) -> (f64, f64) {
        let classes = row.z.len();
        let mut lse = LogSumExp::new();
        for c in 0..classes {
            lse.add(row.logit(c, draw).0);
        }
        let lse = lse.value();
        let mut sum = CompensatedSum::new();
        for c in 0..classes {
            match row.target(c) {
                Some(t) if t != 0.0 => sum.add(t * (lse - row.logit(c, draw).0)),
                _ => {}
            }
        }
        (classes as f64 / row.valid as f64 * sum.value(), lse)
    }
    fn dz<T: Real>(&self, row: &Row<'_, T>, c: usize, draw: Option<u64>, lse: f64) -> (f64, f64) {
        let classes = row.z.len();
        let (z, e) = row.logit(c, draw);
        let t = row.target(c).unwrap_or(0.0);
        let f = classes as f64 / row.valid as f64;
        (f * (row.total * libm::exp(z - lse) - t), e)
    }
}

/// astroNN's binary cross-entropy from logits: the masked mean over the labels of
/// softplus(z) − z·t (F·mean = the mean over the n_valid kept labels).
struct Binary;

impl Family for Binary {
    fn loss<T: Real>(&self, row: &Row<'_, T>, draw: Option<u64>) -> (f64, f64) {
        let mut sum = CompensatedSum::new();
        for c in 0..row.z.len() {
            if let Some(t) = row.target(c) {
                let z = row.logit(c, draw).0;
                sum.add(softplus(z) - z * t);
            }
        }
        (sum.value() / row.valid as f64, 0.0)
    }
    fn dz<T: Real>(&self, row: &Row<'_, T>, c: usize, draw: Option<u64>, _aux: f64) -> (f64, f64) {
        match row.target(c) {
            Some(t) => {
                let (z, e) = row.logit(c, draw);
                ((sigmoid(z) - t) / row.valid as f64, e)
            }
            None => (0.0, 0.0),
        }
    }
}

/// elu(x) and its derivative (α = 1): x, 1 for x > 0; eˣ − 1, eˣ otherwise.
#[inline]
fn elu(x: f64) -> (f64, f64) {
    if x > 0.0 {
        (x, 1.0)
    } else {
        (libm::expm1(x), libm::exp(x))
    }
}

/// The checked inputs of one call.
struct Inputs<'a, T> {
    y: &'a [T],
    z: &'a [T],
    s: &'a [T],
    classes: usize,
    mc: MonteCarlo,
    magic: Option<T>,
}

impl<'a, T: Real> Inputs<'a, T> {
    fn row(&self, r: usize) -> Row<'a, T> {
        let span = r * self.classes..(r + 1) * self.classes;
        let y = &self.y[span.clone()];
        let mut row = Row {
            y,
            z: &self.z[span.clone()],
            s: &self.s[span],
            magic: self.magic,
            index: r as u64,
            normals: self.mc.normals,
            valid: 0,
            total: 0.0,
        };
        let mut total = CompensatedSum::new();
        for c in 0..self.classes {
            if let Some(t) = row.target(c) {
                row.valid += 1;
                total.add(t);
            }
        }
        row.total = total.value();
        row
    }
}

#[allow(clippy::too_many_arguments)]
fn robust<T: Real, Fm: Family>(
    family: &Fm,
    y_true: &[T],
    logits: &[T],
    logit_var: &[T],
    classes: usize,
    mc: MonteCarlo,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    mut grad_logits: Option<&mut [T]>,
    mut grad_logit_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = logits.len();
    check_len("y_true", n, y_true.len())?;
    check_len("logit_var", n, logit_var.len())?;
    if classes == 0 {
        return Err(Error::BadParameter { what: "classes" });
    }
    if n % classes != 0 {
        return Err(Error::LengthMismatch {
            what: "logits (a whole number of rows of `classes`)",
            expected: (n / classes + 1) * classes,
            got: n,
        });
    }
    if mc.draws == 0 {
        return Err(Error::BadParameter { what: "draws" });
    }
    for g in [grad_logits.as_deref(), grad_logit_var.as_deref()]
        .into_iter()
        .flatten()
    {
        check_len("grad", n, g.len())?;
    }
    let rows = n / classes;
    let inputs = Inputs {
        y: y_true,
        z: logits,
        s: logit_var,
        classes,
        mc,
        magic: opts.magic,
    };
    let empty = |r: usize| inputs.row(r).valid == 0;
    let plan = RowPlan::new(opts, rows, true, values.as_deref(), empty)?;
    let acc = plan.accumulate();
    // dep = mean of (eˢ − 1) over all entries, and the factor of eˢ in ∂L/∂s: every
    // counting row adds wᵣ·dep to the sum.
    let dep = if n > 0 {
        blocked_sum::<T>(n, |i| libm::expm1(logit_var[i].to_f64())) / n as f64
    } else {
        0.0
    };
    let dep_coef = if n > 0 {
        plan.factor() * plan.weight() / n as f64
    } else {
        0.0
    };
    let draws = mc.draws;
    let inv_m = 1.0 / draws as f64;
    plan.run(values, empty, |r, coef| {
        let row = inputs.row(r);
        let span = r * classes..(r + 1) * classes;
        let mut gz = grad_logits.as_deref_mut().map(|g| &mut g[span.clone()]);
        let mut gs = grad_logit_var.as_deref_mut().map(|g| &mut g[span.clone()]);
        let dep_grad = |c: usize| dep_coef * libm::exp(row.s[c].to_f64());
        let Some(k) = coef else {
            // A row that does not count: only dep's gradient reaches its variances.
            if let Some(g) = gz.as_deref_mut() {
                if !acc {
                    g.iter_mut().for_each(|x| *x = T::zero());
                }
            }
            if let Some(g) = gs.as_deref_mut() {
                for (c, slot) in g.iter_mut().enumerate() {
                    super::put(slot, dep_grad(c), acc);
                }
            }
            return 0.0;
        };
        let (u, aux0) = family.loss(&row, None);
        // First pass over the draws: the mean of −elu(u − d_m) and of elu′(u − d_m);
        // the first CHUNK draws' (d_m, aux_m) are kept for the gradient.
        let mut keep_d = [0.0f64; CHUNK];
        let mut keep_aux = [0.0f64; CHUNK];
        let mut r_sum = CompensatedSum::new();
        let mut e_sum = CompensatedSum::new();
        for m in 0..draws {
            let (d, aux) = family.loss(&row, Some(m as u64));
            if m < CHUNK {
                keep_d[m] = d;
                keep_aux[m] = aux;
            }
            let (e, de) = elu(u - d);
            r_sum.add(-e);
            e_sum.add(de);
        }
        let big_r = r_sum.value() * inv_m;
        let big_e = e_sum.value() * inv_m;
        let l = u * big_r + u + dep;
        if gz.is_none() && gs.is_none() {
            return l;
        }
        // ∂ℓ/∂u (through u itself and the elu) and ∂ℓ/∂d_m = u·elu′(u − d_m)/M.
        let g_u = k * (big_r + 1.0 - u * big_e);
        let mut h = [0.0f64; CHUNK];
        let mut first = true;
        let mut m0 = 0;
        while m0 < draws {
            let m1 = draws.min(m0 + CHUNK);
            for m in m0..m1 {
                let (d, aux) = if draws <= CHUNK {
                    (keep_d[m], keep_aux[m])
                } else {
                    family.loss(&row, Some(m as u64))
                };
                keep_aux[m - m0] = aux;
                h[m - m0] = k * u * elu(u - d).1 * inv_m;
            }
            for c in 0..classes {
                let mut az = CompensatedSum::new();
                let mut as_ = CompensatedSum::new();
                if first {
                    az.add(g_u * family.dz(&row, c, None, aux0).0);
                    as_.add(dep_grad(c));
                }
                for m in m0..m1 {
                    let hm = h[m - m0];
                    if hm != 0.0 {
                        let (dzc, e) = family.dz(&row, c, Some(m as u64), keep_aux[m - m0]);
                        az.add(hm * dzc);
                        as_.add(hm * dzc * e);
                    }
                }
                let add = acc || !first;
                if let Some(g) = gz.as_deref_mut() {
                    super::put(&mut g[c], az.value(), add);
                }
                if let Some(g) = gs.as_deref_mut() {
                    super::put(&mut g[c], as_.value(), add);
                }
            }
            first = false;
            m0 = m1;
        }
        l
    })
}

/// astroNN's `robust_categorical_crossentropy(y_true, y_pred, logit_var, sample_weight)`
/// with the corrections applied once (see the module docs):
/// ℓᵢ = uᵢ·mean_m(−elu(uᵢ − d_{m,i})) + uᵢ + dep, uᵢ = F·Σ_c −t_c ln softmax(zᵢ)_c.
///
/// * `y_true`, `logits` (z), `logit_var` (s): B rows × `classes` values, row-major;
///   `y_true` one-hot or probabilities, entries equal to `opts.magic` (or NaN with magic
///   on) are masked (t = 0 and F = C/n_valid; a row with nothing valid follows
///   `opts.empty`: dropped under `Zero`, NaN under `Nan`, an error under `Error`);
/// * `mc`: the number of draws and their generator (draw m of entry (i, c) is
///   `mc.normals.normal(i, c, m)`);
/// * `values`: with `Reduction::None`, the B per-sample values wᵢℓᵢ (astroNN's output);
/// * `grad_logits`, `grad_logit_var`: if given (B·C values), `grad_scale · ∂L/∂z` and
///   `· ∂L/∂s` for these draws (through the elu, the distortion and dep).
///
/// `opts.weights` are astroNN's sample weights (one per row) and `opts.mask` keeps rows;
/// the mean is Σwℓ/Σw (Keras' `sum_over_batch_size` is `Reduction::Sum` divided by B).
/// `row_len` must be 0. dep averages every entry of s, masked or not, as astroNN does.
#[allow(clippy::too_many_arguments)]
pub fn robust_categorical_crossentropy<T: Real>(
    y_true: &[T],
    logits: &[T],
    logit_var: &[T],
    classes: usize,
    mc: MonteCarlo,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_logits: Option<&mut [T]>,
    grad_logit_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    robust(
        &Categorical,
        y_true,
        logits,
        logit_var,
        classes,
        mc,
        opts,
        values,
        grad_logits,
        grad_logit_var,
    )
}

/// astroNN's `robust_binary_crossentropy(y_true, y_pred, logit_var, sample_weight)` with
/// the corrections applied once (see the module docs):
/// ℓᵢ = uᵢ·mean_m(−elu(uᵢ − d_{m,i})) + uᵢ + dep, uᵢ = the masked mean over the `labels`
/// of softplus(z) − z·t.
///
/// Arguments as in [`robust_categorical_crossentropy`], with `labels` binary labels per row
/// (targets in [0, 1]); masked labels take no part in u, d or the gradient of z.
#[allow(clippy::too_many_arguments)]
pub fn robust_binary_crossentropy<T: Real>(
    y_true: &[T],
    logits: &[T],
    logit_var: &[T],
    labels: usize,
    mc: MonteCarlo,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_logits: Option<&mut [T]>,
    grad_logit_var: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    robust(
        &Binary,
        y_true,
        logits,
        logit_var,
        labels,
        mc,
        opts,
        values,
        grad_logits,
        grad_logit_var,
    )
}
