//! DRDMannTurb's spectra-fitting loss: log-ratio MSE, slope and curvature penalties in
//! log-log, the weight regulariser and the coherence MSE, with their gradients.
//!
//! # Setting
//! A model of the one-point spectra Jᵢ(k₁) (C components, e.g. uu, vv, ww, uw, each stored
//! as k₁·F(k₁)) is fitted to data J̃ᵢ on a wavenumber grid k₁ = (k₁,₀ < … < k₁,L−1), all
//! positive. Spectra are row-major C × L: entry (i, j) is at `i·L + j`. The penalties act
//! on x = ln k₁ and lᵢⱼ = ln|Jᵢ(k₁,ⱼ)|:
//!
//! * h1ⱼ = xⱼ₊₁ − xⱼ (j < L−1), h2ⱼ = (xⱼ₊₂ − xⱼ)/2 = (h1ⱼ + h1ⱼ₊₁)/2 (j < L−2), the
//!   spacing of the mid-points mⱼ = (xⱼ + xⱼ₊₁)/2;
//! * the slope d1ᵢⱼ = (lᵢ,ⱼ₊₁ − lᵢⱼ)/h1ⱼ (a forward difference, sampled at mⱼ);
//! * the curvature d2ᵢⱼ = (d1ᵢ,ⱼ₊₁ − d1ᵢⱼ)/h2ⱼ (the 3-point second difference on a
//!   non-uniform grid, sampled at xⱼ₊₁).
//!
//! [`SpectraGrid`] computes 1/h1, 1/h2 and the trapezoid weights once into a caller-provided
//! workspace, so a fitting loop pays only for the pass over the spectra. All arithmetic is done in `f64` (f32
//! inputs are widened exactly; the gradients are rounded back): on fine grids the
//! differences of logarithms cancel badly in `f32`.
//!
//! # The terms (DRDMannTurb's code, which is the contract)
//! | term | value |
//! |---|---|
//! | [`log_mse`] | MSE = (1/(C·L)) Σᵢⱼ ln²\|Jᵢⱼ / J̃ᵢⱼ\| |
//! | [`slope_penalty`] | Pen1 = α₁ · mean over C·(L−1) nodes of ReLU(d1ᵢⱼ)² / zref |
//! | [`curvature_penalty`] | Pen2 = α₂ · mean over C·(L−2) nodes of ReLU(d2ᵢⱼ)² / zref² |
//! | [`weight_regularizer`] | Reg = β · (1/N) Σₖ θₖ² |
//! | [`coherence_mse`] | Coh = γ · (mean (Cu−C̃u)² + mean (Cv−C̃v)² + mean (Cw−C̃w)²)/3 |
//!
//! The coefficient and the zref scaling are inside each term, as in DRDMannTurb, so the
//! total ([`SpectraLoss::eval`]) is a plain sum. Only rising slopes and convex curvature
//! (in log-log) are penalised; ReLU′(0) = 0.
//!
//! DRDMannTurb documents the penalties as (1/|D|) Σᵢ ∫_D ReLU(·)² d(ln k₁) but computes the
//! plain node mean above (exact only on a uniform log grid, and then as a Riemann sum).
//! [`PenaltyNorm::Trapezoid`] offers the integral, by the trapezoid rule in ln k₁ over the
//! nodes where the derivative is sampled, divided by the length of the interval they span
//! (so the weights of each row sum to 1); the components are still averaged (the
//! documented formula sums them: multiply α by C to get it). With a single node the
//! "integral" is that node's value. The default is the node mean.
//!
//! ```
//! use losskit::spectra::{SpectraGrid, SpectraInput, SpectraLoss, SpectraParams, SpectraGrads, SpectraTerms};
//! let k1 = [1.0f64, 10.0, 100.0];
//! let mut work = [0.0; SpectraGrid::workspace_len(3)];
//! let grid = SpectraGrid::new(&k1, 1.0, &mut work).unwrap();
//! let params = SpectraParams { alpha_pen1: 1.0, alpha_pen2: 1.0, ..Default::default() };
//! let loss = SpectraLoss::new(grid, params).unwrap();
//! let (model, data) = ([1.0, 2.0, 8.0], [1.0, 1.0, 1.0]);
//! let mut grad = [0.0; 3];
//! let mut terms = SpectraTerms::default();
//! let grads = SpectraGrads { model: Some(&mut grad), ..Default::default() };
//! loss.eval(&SpectraInput::new(&model, &data), grads, &mut terms).unwrap();
//! assert!((terms.mse - 1.6015100464).abs() < 1e-9);
//! assert!((terms.pen1 - 0.2265476457).abs() < 1e-9);
//! assert!((terms.pen2 - 0.0170918144).abs() < 1e-9);
//! assert_eq!(terms.total, terms.mse + terms.pen1 + terms.pen2);
//! ```

use crate::grad::GradOut;
use crate::pointwise::check_len;
use crate::reduce::{blocked_sum, CompensatedSum};
use crate::{Error, GradMode, Real};

#[inline(always)]
fn ln(x: f64) -> f64 {
    <f64 as Real>::ln(x)
}

#[inline(always)]
fn abs(x: f64) -> f64 {
    <f64 as Real>::abs(x)
}

/// A compensated sum that keeps an infinite total infinite. ([`CompensatedSum`] turns
/// +∞ into NaN: the rounding error of an infinite addition is ∞ − ∞.) A NaN addend, or
/// +∞ and −∞ together, still give NaN.
struct Acc {
    c: CompensatedSum,
    plain: f64,
}

impl Acc {
    fn new() -> Self {
        Acc {
            c: CompensatedSum::new(),
            plain: 0.0,
        }
    }
    #[inline(always)]
    fn add(&mut self, x: f64) {
        self.c.add(x);
        self.plain += x;
    }
    fn value(&self) -> f64 {
        if self.plain.is_finite() {
            self.c.value()
        } else {
            self.plain
        }
    }
}

/// `blocked_sum` of `f`, except that a sum that comes out NaN only because an addend is
/// infinite (see [`Acc`]) is returned as that infinity, from a plain re-summation.
fn sum_keeping_inf<T: Real>(n: usize, f: impl Fn(usize) -> f64) -> f64 {
    let s = blocked_sum::<T>(n, &f);
    if s.is_nan() {
        let plain: f64 = (0..n).map(f).sum();
        if plain.is_infinite() {
            return plain;
        }
    }
    s
}

/// ReLU that keeps NaN (as `torch.relu` does), so a NaN spectrum shows in the value.
#[inline(always)]
fn relu(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() {
        x
    } else {
        0.0
    }
}

/// ln|y/t|, from the ratio when it is a normal number (one rounding, accurate when y ≈ t),
/// else as ln|y| − ln|t| (a ratio that over- or underflows, zeros, infinities and NaN give
/// the same ±∞ / NaN as the ratio would in exact arithmetic).
#[inline(always)]
fn log_ratio(y: f64, t: f64) -> f64 {
    let q = abs(y / t);
    if (f64::MIN_POSITIVE..=f64::MAX).contains(&q) {
        ln(q)
    } else {
        ln(abs(y)) - ln(abs(t))
    }
}

/// How a penalty averages over the grid nodes of one component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PenaltyNorm {
    /// The unweighted mean over the finite-difference nodes (DRDMannTurb's code; default).
    #[default]
    NodeMean,
    /// The trapezoid rule in ln k₁ over the nodes where the derivative is sampled (the
    /// mid-points mⱼ for the slope, the interior points xⱼ₊₁ for the curvature), divided
    /// by the length of the interval they span: DRDMannTurb's documented norm
    /// (1/|D|)∫_D g² d(ln k₁). A single node has weight 1.
    Trapezoid,
}

/// The grid quantities of a wavenumber grid k₁ (length L ≥ 1) and the reference height
/// zref, computed once into a caller-provided workspace of
/// [`SpectraGrid::workspace_len`]`(L)` = 4L − 6 values (0 for L = 1), in this order:
/// 1/h1 (L − 1 values), 1/h2 (L − 2), the trapezoid weights of the slope nodes (L − 1)
/// and of the curvature nodes (L − 2), see the [module docs](self). Storing reciprocals
/// turns the divisions of the inner loop into multiplications.
///
/// The grid borrows the workspace; it is `Copy` and does not allocate.
#[derive(Clone, Copy, Debug)]
pub struct SpectraGrid<'w> {
    inv_h1: &'w [f64],
    inv_h2: &'w [f64],
    tw1: &'w [f64],
    tw2: &'w [f64],
    len: usize,
    zref: f64,
}

/// Trapezoid weights of nodes with spacings `gaps` (one fewer than the nodes), normalised
/// by the span (Σ gaps) so that they sum to 1; a single node has weight 1.
fn trapezoid_weights(gaps: &[f64], out: &mut [f64]) {
    let n = out.len();
    if n == 1 {
        out[0] = 1.0;
        return;
    }
    let mut span = CompensatedSum::new();
    gaps.iter().for_each(|&g| span.add(g));
    let two_span = 2.0 * span.value();
    for (j, w) in out.iter_mut().enumerate() {
        let left = if j >= 1 { gaps[j - 1] } else { 0.0 };
        let right = if j + 1 < n { gaps[j] } else { 0.0 };
        *w = (left + right) / two_span;
    }
}

impl<'w> SpectraGrid<'w> {
    /// The workspace length for a grid of `len` points: 4·len − 6, or 0 for len < 2.
    pub const fn workspace_len(len: usize) -> usize {
        if len < 2 {
            0
        } else {
            len.saturating_mul(4).saturating_sub(6)
        }
    }

    /// Checks k₁ (non-empty, finite, > 0, strictly increasing) and zref (finite, > 0),
    /// fills `work` (length [`workspace_len`](Self::workspace_len)`(L)`) and returns the
    /// grid. h1ⱼ = ln k₁,ⱼ₊₁ − ln k₁,ⱼ and h2ⱼ = (h1ⱼ + h1ⱼ₊₁)/2 are computed in `f64`.
    /// Nothing is written on error.
    pub fn new<T: Real>(k1: &[T], zref: T, work: &'w mut [f64]) -> Result<Self, Error> {
        let len = k1.len();
        if len == 0 {
            return Err(Error::BadParameter {
                what: "k1 (the grid is empty)",
            });
        }
        check_len("work", Self::workspace_len(len), work.len())?;
        check_zref(zref.to_f64())?;
        let mut prev = f64::NEG_INFINITY;
        for &k in k1 {
            let k = k.to_f64();
            if !(k > 0.0 && k.is_finite()) {
                return Err(Error::BadParameter {
                    what: "k1 (every wavenumber must be finite and > 0)",
                });
            }
            let x = ln(k);
            if x <= prev {
                return Err(Error::BadParameter {
                    what: "k1 (must be strictly increasing)",
                });
            }
            prev = x;
        }
        if len >= 2 {
            let n1 = len - 1;
            let n2 = len - 2;
            let (h1, rest) = work.split_at_mut(n1);
            let (h2, rest) = rest.split_at_mut(n2);
            let (tw1, tw2) = rest.split_at_mut(n1);
            for (j, h) in h1.iter_mut().enumerate() {
                *h = ln(k1[j + 1].to_f64()) - ln(k1[j].to_f64());
            }
            for (j, h) in h2.iter_mut().enumerate() {
                *h = 0.5 * (h1[j] + h1[j + 1]);
            }
            // Slope nodes sit at the mid-points, spaced by h2; curvature nodes at
            // x₁ … x_{L−2}, spaced by h1₁ … h1_{L−3}.
            trapezoid_weights(h2, tw1);
            if n2 >= 1 {
                trapezoid_weights(&h1[1..n1 - 1], tw2);
            }
            h1.iter_mut()
                .chain(h2.iter_mut())
                .for_each(|h| *h = 1.0 / *h);
        }
        Self::from_workspace(work, len, zref.to_f64())
    }

    /// A grid over a workspace that [`SpectraGrid::new`] filled before (e.g. kept by a C
    /// caller). Checks the length, zref, and that every entry is finite and > 0.
    pub fn from_workspace(work: &'w [f64], len: usize, zref: f64) -> Result<Self, Error> {
        if len == 0 {
            return Err(Error::BadParameter {
                what: "len (the grid is empty)",
            });
        }
        check_len("work", Self::workspace_len(len), work.len())?;
        check_zref(zref)?;
        if work.iter().any(|&h| !(h > 0.0 && h.is_finite())) {
            return Err(Error::BadParameter {
                what: "work (not a workspace filled by SpectraGrid::new)",
            });
        }
        let n1 = len - 1;
        let n2 = len.saturating_sub(2);
        let (inv_h1, rest) = work.split_at(n1);
        let (inv_h2, rest) = rest.split_at(n2);
        let (tw1, tw2) = rest.split_at(n1);
        Ok(SpectraGrid {
            inv_h1,
            inv_h2,
            tw1,
            tw2,
            len,
            zref,
        })
    }

    /// The number of grid points L.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a grid has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The reference height zref.
    pub fn zref(&self) -> f64 {
        self.zref
    }

    /// The weight of slope node j within its row (1 for the node mean; the normalised
    /// trapezoid weight otherwise).
    #[inline(always)]
    fn w1(&self, norm: PenaltyNorm, j: usize) -> f64 {
        match norm {
            PenaltyNorm::NodeMean => 1.0,
            PenaltyNorm::Trapezoid => self.tw1[j],
        }
    }

    /// The weight of curvature node j within its row.
    #[inline(always)]
    fn w2(&self, norm: PenaltyNorm, j: usize) -> f64 {
        match norm {
            PenaltyNorm::NodeMean => 1.0,
            PenaltyNorm::Trapezoid => self.tw2[j],
        }
    }

    /// The number of components C of `n` spectrum values (n must be C·L with C ≥ 1).
    fn components(&self, what: &'static str, n: usize) -> Result<usize, Error> {
        let l = self.len;
        if n == 0 || n % l != 0 {
            return Err(Error::LengthMismatch {
                what,
                expected: (n / l).max(1) * l,
                got: n,
            });
        }
        Ok(n / l)
    }
}

fn check_zref(z: f64) -> Result<(), Error> {
    if z > 0.0 && z.is_finite() {
        Ok(())
    } else {
        Err(Error::BadParameter {
            what: "zref (must be finite and > 0)",
        })
    }
}

fn check_coef(what: &'static str, c: f64) -> Result<(), Error> {
    if c.is_finite() {
        Ok(())
    } else {
        Err(Error::BadParameter { what })
    }
}

/// Which of the fused terms one pass computes, and their gradient factors.
struct Kernel {
    mse: bool,
    pen1: bool,
    pen2: bool,
    norm: PenaltyNorm,
    /// ∂MSE/∂r per node: 2/(C·L).
    gm: f64,
    /// ∂Pen1/∂d1 per node is k1·w·2·ReLU(d1).
    k1: f64,
    /// ∂Pen2/∂d2 per node is k2·w·2·ReLU(d2).
    k2: f64,
}

/// Raw sums of one pass: Σ r², Σ w·ReLU(d1)², Σ w·ReLU(d2)².
struct Sums {
    mse: f64,
    pen1: f64,
    pen2: f64,
}

/// The factor that turns a row-summed penalty into the average over components and
/// nodes: 1/(C·n) for the node mean, 1/C for the trapezoid (whose weights sum to 1).
fn norm_factor(norm: PenaltyNorm, comps: usize, nodes: usize) -> f64 {
    match norm {
        PenaltyNorm::NodeMean => 1.0 / (comps as f64 * nodes as f64),
        PenaltyNorm::Trapezoid => 1.0 / comps as f64,
    }
}

/// One pass over the C × L spectra computing the requested terms and writing the gradient
/// of their sum (already multiplied by their factors) with respect to the model.
///
/// The gradient is streamed: with lᵢⱼ = ln|Jᵢⱼ|, every slope node contributes
/// g1 = ∂(Pen1 + Pen2)/∂d1 to l at its two ends (∓ g1/h1), and every curvature node
/// contributes ∓ b to its two slope nodes; ∂/∂Jᵢⱼ = (∂/∂lᵢⱼ + ∂MSE/∂rᵢⱼ)/Jᵢⱼ. Entry j is
/// complete once l up to j + 2 has been read, so the pass keeps a window of three.
fn pass<T: Real>(
    grid: &SpectraGrid<'_>,
    model: &[T],
    data: &[T],
    comps: usize,
    k: &Kernel,
    mut grad: Option<&mut GradOut<'_, T>>,
) -> Sums {
    let l = grid.len;
    let (ih1, ih2) = (grid.inv_h1, grid.inv_h2);
    let mut s_mse = Acc::new();
    let mut s1 = Acc::new();
    let mut s2 = Acc::new();
    let penalties = k.pen1 || k.pen2;
    for c in 0..comps {
        let o = c * l;
        let row = &model[o..o + l];
        let trow = if k.mse { &data[o..o + l] } else { &[][..] };
        if !penalties {
            for (j, (&y, &t)) in row.iter().zip(trow).enumerate() {
                let y = y.to_f64();
                let r = log_ratio(y, t.to_f64());
                s_mse.add(r * r);
                if let Some(g) = grad.as_deref_mut() {
                    g.put(o + j, k.gm * r / y);
                }
            }
            continue;
        }
        let mut emit = |j: usize, dl: f64| {
            if let Some(g) = grad.as_deref_mut() {
                g.put(o + j, dl / row[j].to_f64());
            }
        };
        let (mut l_prev, mut d1_prev) = (0.0f64, 0.0f64);
        // ga: the pending ∂/∂d1 of slope node j−2; p0, p1: the pending ∂/∂l of j−2, j−1.
        let (mut ga, mut p0, mut p1) = (0.0f64, 0.0f64, 0.0f64);
        for j in 0..l {
            let y = row[j].to_f64();
            let mut p2 = 0.0;
            if k.mse {
                let r = log_ratio(y, trow[j].to_f64());
                s_mse.add(r * r);
                p2 = k.gm * r;
            }
            let lj = ln(abs(y));
            if j >= 1 {
                let d1 = (lj - l_prev) * ih1[j - 1];
                let mut gb = 0.0;
                if k.pen1 {
                    let r1 = relu(d1);
                    let w = grid.w1(k.norm, j - 1);
                    s1.add(w * r1 * r1);
                    gb = 2.0 * k.k1 * w * r1;
                }
                if j >= 2 {
                    if k.pen2 {
                        let ihh = ih2[j - 2];
                        let r2 = relu((d1 - d1_prev) * ihh);
                        let w = grid.w2(k.norm, j - 2);
                        s2.add(w * r2 * r2);
                        let b = 2.0 * k.k2 * w * r2 * ihh;
                        gb += b;
                        ga -= b;
                    }
                    // Slope node j−2 is complete: scatter it to l at j−2 and j−1.
                    let s = ga * ih1[j - 2];
                    p0 -= s;
                    p1 += s;
                    emit(j - 2, p0);
                }
                ga = gb;
                d1_prev = d1;
            }
            l_prev = lj;
            p0 = p1;
            p1 = p2;
        }
        if l >= 2 {
            let s = ga * ih1[l - 2];
            emit(l - 2, p0 - s);
            emit(l - 1, p1 + s);
        } else {
            emit(0, p1);
        }
    }
    Sums {
        mse: s_mse.value(),
        pen1: s1.value(),
        pen2: s2.value(),
    }
}

/// Checks a gradient output against `n` entries.
fn check_grad<T: Real>(
    grad: &Option<GradOut<'_, T>>,
    what: &'static str,
    n: usize,
) -> Result<(), Error> {
    match grad {
        Some(g) => g.check(what, n),
        None => Ok(()),
    }
}

/// The log-ratio MSE, (1/(C·L)) Σᵢⱼ ln²|Jᵢⱼ/J̃ᵢⱼ| (DRDMannTurb's `MSE_term`).
///
/// `model` and `data` hold C·L values (C ≥ 1, row-major). The gradient is
/// ∂/∂Jᵢⱼ = 2 ln|Jᵢⱼ/J̃ᵢⱼ| / (C·L·Jᵢⱼ). The log of the absolute ratio makes the term
/// sign-agnostic (a negative uw co-spectrum is fine); a zero in `data` or `model` gives
/// +∞, 0/0 gives NaN, returned as values.
pub fn log_mse<T: Real>(
    grid: &SpectraGrid<'_>,
    model: &[T],
    data: &[T],
    mut grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    let n = model.len();
    let comps = grid.components("model", n)?;
    check_len("data", n, data.len())?;
    check_grad(&grad, "grad", n)?;
    let k = Kernel {
        mse: true,
        pen1: false,
        pen2: false,
        norm: PenaltyNorm::NodeMean,
        gm: 2.0 / n as f64,
        k1: 0.0,
        k2: 0.0,
    };
    let s = pass(grid, model, data, comps, &k, grad.as_mut());
    Ok(T::from_f64(s.mse / n as f64))
}

/// The slope penalty Pen1 = α · ⟨ReLU(d1)²⟩ / zref (DRDMannTurb's `Pen1stOrder`), where ⟨·⟩
/// is the mean over the C·(L−1) slope nodes (or the [`PenaltyNorm::Trapezoid`] average)
/// and d1ᵢⱼ = (ln|Jᵢ,ⱼ₊₁| − ln|Jᵢⱼ|)/h1ⱼ.
///
/// Needs L ≥ 2. `alpha` is any finite number (it is the plain multiplier here; the
/// aggregate switches the term off when α ≤ 0). Only rising slopes are penalised.
pub fn slope_penalty<T: Real>(
    grid: &SpectraGrid<'_>,
    model: &[T],
    alpha: f64,
    norm: PenaltyNorm,
    mut grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    let n = model.len();
    let comps = grid.components("model", n)?;
    check_coef("alpha", alpha)?;
    if grid.len < 2 {
        return Err(Error::BadParameter {
            what: "k1 (the slope penalty needs L >= 2 grid points)",
        });
    }
    check_grad(&grad, "grad", n)?;
    let c = alpha / grid.zref * norm_factor(norm, comps, grid.len - 1);
    let k = Kernel {
        mse: false,
        pen1: true,
        pen2: false,
        norm,
        gm: 0.0,
        k1: c,
        k2: 0.0,
    };
    let s = pass(grid, model, &[], comps, &k, grad.as_mut());
    Ok(T::from_f64(pen1_value(alpha, s.pen1, grid, norm, comps)))
}

/// The curvature penalty Pen2 = α · ⟨ReLU(d2)²⟩ / zref² (DRDMannTurb's `Pen2ndOrder`),
/// where ⟨·⟩ is the mean over the C·(L−2) curvature nodes (or the
/// [`PenaltyNorm::Trapezoid`] average) and d2ᵢⱼ = (d1ᵢ,ⱼ₊₁ − d1ᵢⱼ)/h2ⱼ.
///
/// Needs L ≥ 3 (DRDMannTurb gives NaN and raises). `alpha` is any finite number. Only
/// convex curvature in log-log is penalised.
pub fn curvature_penalty<T: Real>(
    grid: &SpectraGrid<'_>,
    model: &[T],
    alpha: f64,
    norm: PenaltyNorm,
    mut grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    let n = model.len();
    let comps = grid.components("model", n)?;
    check_coef("alpha", alpha)?;
    if grid.len < 3 {
        return Err(Error::BadParameter {
            what: "k1 (the curvature penalty needs L >= 3 grid points)",
        });
    }
    check_grad(&grad, "grad", n)?;
    let z2 = grid.zref * grid.zref;
    let k = Kernel {
        mse: false,
        pen1: false,
        pen2: true,
        norm,
        gm: 0.0,
        k1: 0.0,
        k2: alpha / z2 * norm_factor(norm, comps, grid.len - 2),
    };
    let s = pass(grid, model, &[], comps, &k, grad.as_mut());
    Ok(T::from_f64(pen2_value(alpha, s.pen2, grid, norm, comps)))
}

fn pen1_value(alpha: f64, sum: f64, grid: &SpectraGrid<'_>, norm: PenaltyNorm, c: usize) -> f64 {
    alpha * (sum * norm_factor(norm, c, grid.len - 1)) / grid.zref
}

fn pen2_value(alpha: f64, sum: f64, grid: &SpectraGrid<'_>, norm: PenaltyNorm, c: usize) -> f64 {
    alpha * (sum * norm_factor(norm, c, grid.len - 2)) / (grid.zref * grid.zref)
}

/// The weight regulariser Reg = β · (1/N) Σₖ θₖ² (DRDMannTurb's `Regularization`), with
/// gradient 2βθₖ/N. An empty θ gives 0 (and writes no gradient).
pub fn weight_regularizer<T: Real>(
    theta: &[T],
    beta: f64,
    mut grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    check_coef("beta", beta)?;
    check_grad(&grad, "grad", theta.len())?;
    Ok(T::from_f64(reg_pass(theta, beta, grad.as_mut())))
}

fn reg_pass<T: Real>(theta: &[T], beta: f64, grad: Option<&mut GradOut<'_, T>>) -> f64 {
    let n = theta.len();
    if n == 0 {
        return 0.0;
    }
    if let Some(g) = grad {
        let f = 2.0 * beta / n as f64;
        theta
            .iter()
            .enumerate()
            .for_each(|(i, &t)| g.put(i, f * t.to_f64()));
    }
    let s = sum_keeping_inf::<T>(n, |i| {
        let t = theta[i].to_f64();
        t * t
    });
    beta * (s / n as f64)
}

/// The coherence MSE Coh = γ · (mean (Cu−C̃u)² + mean (Cv−C̃v)² + mean (Cw−C̃w)²)/3
/// (DRDMannTurb's `CoherenceLoss`).
///
/// `model` and `data` hold the three coherence arrays one after the other, each of the
/// same size M (n_separations × n_freq, row-major): [Cu; Cv; Cw], 3M values. Since the
/// three means are over equally many values, Coh = γ · Σ (m−d)² / (3M), with gradient
/// 2γ(m−d)/(3M). An empty input gives 0.
pub fn coherence_mse<T: Real>(
    model: &[T],
    data: &[T],
    gamma: f64,
    mut grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    check_coherence(model, data)?;
    check_coef("gamma", gamma)?;
    check_grad(&grad, "grad", model.len())?;
    Ok(T::from_f64(coherence_pass(
        model,
        data,
        gamma,
        grad.as_mut(),
    )))
}

fn check_coherence<T>(model: &[T], data: &[T]) -> Result<(), Error> {
    let n = model.len();
    if n % 3 != 0 {
        return Err(Error::LengthMismatch {
            what: "coherence model (three equal blocks Cu, Cv, Cw)",
            expected: (n / 3 + 1) * 3,
            got: n,
        });
    }
    check_len("coherence data", n, data.len())
}

fn coherence_pass<T: Real>(
    model: &[T],
    data: &[T],
    gamma: f64,
    grad: Option<&mut GradOut<'_, T>>,
) -> f64 {
    let n = model.len();
    if n == 0 {
        return 0.0;
    }
    if let Some(g) = grad {
        let f = 2.0 * gamma / n as f64;
        for (i, (&m, &d)) in model.iter().zip(data).enumerate() {
            g.put(i, f * (m.to_f64() - d.to_f64()));
        }
    }
    let s = sum_keeping_inf::<T>(n, |i| {
        let e = model[i].to_f64() - data[i].to_f64();
        e * e
    });
    gamma * (s / n as f64)
}

/// The coefficients of DRDMannTurb's `LossParameters` and the penalty norm.
///
/// A term is on when its coefficient is > 0 (DRDMannTurb's current code); 0 or a negative
/// value switches it off. The default is the pure log-MSE.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpectraParams {
    /// α₁, the coefficient of the slope penalty.
    pub alpha_pen1: f64,
    /// α₂, the coefficient of the curvature penalty.
    pub alpha_pen2: f64,
    /// β, the coefficient of the weight regulariser.
    pub beta_reg: f64,
    /// γ, the coefficient of the coherence MSE.
    pub gamma_coherence: f64,
    /// How the penalties average over the grid (default: the node mean, as DRDMannTurb).
    pub norm: PenaltyNorm,
}

/// The model and data coherence arrays, [Cu; Cv; Cw] each (see [`coherence_mse`]).
#[derive(Clone, Copy, Debug)]
pub struct Coherence<'a, T> {
    /// The model's coherences, 3M values.
    pub model: &'a [T],
    /// The data coherences, 3M values.
    pub data: &'a [T],
}

/// The inputs of one evaluation of the aggregate.
#[derive(Clone, Copy, Debug)]
pub struct SpectraInput<'a, T> {
    /// The model spectra, C × L row-major (C ≥ 1).
    pub model: &'a [T],
    /// The data spectra, C × L.
    pub data: &'a [T],
    /// The network parameters θ for the regulariser; `None` or empty: the term is 0.
    pub theta: Option<&'a [T]>,
    /// The coherences; `None` or empty: the term is 0.
    pub coherence: Option<Coherence<'a, T>>,
}

impl<'a, T> SpectraInput<'a, T> {
    /// Model and data spectra only.
    pub fn new(model: &'a [T], data: &'a [T]) -> Self {
        SpectraInput {
            model,
            data,
            theta: None,
            coherence: None,
        }
    }
    /// Adds the network parameters θ.
    pub fn with_theta(mut self, theta: &'a [T]) -> Self {
        self.theta = Some(theta);
        self
    }
    /// Adds the coherences.
    pub fn with_coherence(mut self, model: &'a [T], data: &'a [T]) -> Self {
        self.coherence = Some(Coherence { model, data });
        self
    }
}

/// Where the gradients of the total go. Each buffer, if given, receives
/// `scale · ∂total/∂input` (overwrite) or has it added (accumulate); a term that is off
/// contributes 0.
#[derive(Debug)]
pub struct SpectraGrads<'a, T> {
    /// ∂total/∂model, C·L values.
    pub model: Option<&'a mut [T]>,
    /// ∂total/∂θ, as many values as θ (0 without θ).
    pub theta: Option<&'a mut [T]>,
    /// ∂total/∂(coherence model), as many values as the coherences (0 without them).
    pub coherence: Option<&'a mut [T]>,
    /// The scale of every gradient (finite).
    pub scale: T,
    /// Overwrite or accumulate.
    pub mode: GradMode,
}

impl<T: Real> Default for SpectraGrads<'_, T> {
    fn default() -> Self {
        SpectraGrads {
            model: None,
            theta: None,
            coherence: None,
            scale: T::one(),
            mode: GradMode::Overwrite,
        }
    }
}

/// The per-term breakdown of the aggregate, in `f64` whatever the data type. Each term
/// includes its coefficient (and zref scaling); a term that is off is exactly 0.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpectraTerms {
    /// total = mse + coherence + pen1 + pen2 + reg (added in that order).
    pub total: f64,
    /// The log-ratio MSE ([`log_mse`]).
    pub mse: f64,
    /// The coherence MSE with γ ([`coherence_mse`]).
    pub coherence: f64,
    /// The slope penalty with α₁/zref ([`slope_penalty`]).
    pub pen1: f64,
    /// The curvature penalty with α₂/zref² ([`curvature_penalty`]).
    pub pen2: f64,
    /// The weight regulariser with β ([`weight_regularizer`]).
    pub reg: f64,
}

/// DRDMannTurb's `LossAggregator`: a grid and the coefficients, checked once.
#[derive(Clone, Copy, Debug)]
pub struct SpectraLoss<'w> {
    grid: SpectraGrid<'w>,
    params: SpectraParams,
}

impl<'w> SpectraLoss<'w> {
    /// Checks the coefficients (finite) and that the grid is long enough for the active
    /// penalties (L ≥ 2 with α₁ > 0, L ≥ 3 with α₂ > 0).
    pub fn new(grid: SpectraGrid<'w>, params: SpectraParams) -> Result<Self, Error> {
        check_coef("alpha_pen1", params.alpha_pen1)?;
        check_coef("alpha_pen2", params.alpha_pen2)?;
        check_coef("beta_reg", params.beta_reg)?;
        check_coef("gamma_coherence", params.gamma_coherence)?;
        if params.alpha_pen1 > 0.0 && grid.len < 2 {
            return Err(Error::BadParameter {
                what: "alpha_pen1 (the slope penalty needs L >= 2 grid points)",
            });
        }
        if params.alpha_pen2 > 0.0 && grid.len < 3 {
            return Err(Error::BadParameter {
                what: "alpha_pen2 (the curvature penalty needs L >= 3 grid points)",
            });
        }
        Ok(SpectraLoss { grid, params })
    }

    /// The grid.
    pub fn grid(&self) -> &SpectraGrid<'w> {
        &self.grid
    }

    /// The coefficients.
    pub fn params(&self) -> &SpectraParams {
        &self.params
    }

    /// Evaluates the total (DRDMannTurb's `eval`) with its per-term breakdown and the
    /// gradients, in one pass over the spectra:
    ///
    /// ```text
    /// total = MSE + (Coh if γ > 0 and coherences given) + (Pen1 if α₁ > 0)
    ///       + (Pen2 if α₂ > 0) + (Reg if β > 0 and θ given)
    /// ```
    ///
    /// On success `terms` and the requested gradients are written. **Exception to
    /// "nothing is written on error":** when the total is NaN (e.g. 0/0 in a log-ratio, a
    /// NaN in the model) the call returns [`Error::NotFinite`] *after* writing `terms` and
    /// the gradients, so the caller can log which term failed. A total of +∞ (a zero
    /// spectrum value) is returned as a value, as DRDMannTurb's terms do. Any other error
    /// is detected before anything is written.
    pub fn eval<'a, T: Real>(
        &self,
        input: &SpectraInput<'_, T>,
        grads: SpectraGrads<'a, T>,
        terms: &mut SpectraTerms,
    ) -> Result<(), Error> {
        let p = &self.params;
        let grid = &self.grid;
        let n = input.model.len();
        let comps = grid.components("model", n)?;
        check_len("data", n, input.data.len())?;
        let theta = input.theta.unwrap_or(&[]);
        let (coh_model, coh_data) = match input.coherence {
            Some(c) => (c.model, c.data),
            None => (&[][..], &[][..]),
        };
        check_coherence(coh_model, coh_data)?;
        let (scale, mode) = (grads.scale, grads.mode);
        let wrap = |buf: Option<&'a mut [T]>| buf.map(|buf| GradOut { buf, scale, mode });
        let mut g_model = wrap(grads.model);
        let mut g_theta = wrap(grads.theta);
        let mut g_coh = wrap(grads.coherence);
        check_grad(&g_model, "grad model", n)?;
        check_grad(&g_theta, "grad theta", theta.len())?;
        check_grad(&g_coh, "grad coherence", coh_model.len())?;

        let pen1 = p.alpha_pen1 > 0.0;
        let pen2 = p.alpha_pen2 > 0.0;
        let z = grid.zref;
        let k = Kernel {
            mse: true,
            pen1,
            pen2,
            norm: p.norm,
            gm: 2.0 / n as f64,
            k1: if pen1 {
                p.alpha_pen1 / z * norm_factor(p.norm, comps, grid.len - 1)
            } else {
                0.0
            },
            k2: if pen2 {
                p.alpha_pen2 / (z * z) * norm_factor(p.norm, comps, grid.len - 2)
            } else {
                0.0
            },
        };
        let s = pass(grid, input.model, input.data, comps, &k, g_model.as_mut());
        let mut t = SpectraTerms {
            mse: s.mse / n as f64,
            ..SpectraTerms::default()
        };
        if pen1 {
            t.pen1 = pen1_value(p.alpha_pen1, s.pen1, grid, p.norm, comps);
        }
        if pen2 {
            t.pen2 = pen2_value(p.alpha_pen2, s.pen2, grid, p.norm, comps);
        }
        if p.beta_reg > 0.0 && !theta.is_empty() {
            t.reg = reg_pass(theta, p.beta_reg, g_theta.as_mut());
        } else if let Some(g) = g_theta.as_mut() {
            g.put_zero();
        }
        if p.gamma_coherence > 0.0 && !coh_model.is_empty() {
            t.coherence = coherence_pass(coh_model, coh_data, p.gamma_coherence, g_coh.as_mut());
        } else if let Some(g) = g_coh.as_mut() {
            g.put_zero();
        }
        t.total = t.mse + t.coherence + t.pen1 + t.pen2 + t.reg;
        *terms = t;
        if t.total.is_nan() {
            Err(Error::NotFinite)
        } else {
            Ok(())
        }
    }
}
