//! Softmax cross-entropy (class-index and probability targets, label smoothing, z-loss),
//! NLL, the multiclass focal loss and categorical accuracy.
//!
//! Notation for a row x of C logits with target class y: m = maxₖ xₖ, dₖ = xₖ − m,
//! s = Σₖ e^(dₖ), ln pₖ = dₖ − ln s (the log-softmax), lse = m + ln s, and wₖ the class
//! weights (1 when absent).

use super::{
    check_class_weights, evaluate, rows_of, rows_one_by_one, Data, RowIo, RowLoss, Source,
};
use crate::math::{
    exp, exp_nonpositive, lane_max, ln_f64, max_of, row_sum, shift, softmax_normaliser, sum_exp,
};
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

/// Rows evaluated together by [`CeKernel`]'s block evaluation.
const SUB: usize = 16;
/// From this many classes on, a row's exponentials are computed in the sweep that reads it;
/// below, the shifted logits of a block of rows are stored first and exponentiated in one
/// flat loop (which vectorises however short the rows are). Both give the same bits.
const FUSE: usize = 32;

/// Lanes of [`wide_max`].
const MW: usize = 32;
/// From this many classes on, [`CeKernel::block`] takes a row's max with [`wide_max`].
const WIDE: usize = 128;

/// The largest entry of a long row, NaN ignored (−∞ for an all-NaN row): the value of
/// [`max_of`] with [`MW`] lanes, so that the comparisons of a long row do not wait on each
/// other. The order of the comparisons only decides between +0 and −0 when both are the
/// maximum, which changes no result here (xₖ ⊖ m and m + ln s are the same for either).
#[inline(always)]
fn wide_max<T: Real>(x: &[T]) -> T {
    let mut lanes = lane_max::<T, MW>(x);
    let mut h = MW / 2;
    while h > 0 {
        for l in 0..h {
            lanes[l] = if lanes[l + h] > lanes[l] {
                lanes[l + h]
            } else {
                lanes[l]
            };
        }
        h /= 2;
    }
    lanes[0]
}

/// A row's loss and gradient coefficients: ∂ℓ/∂xₖ·scale = eₖ·`ca` − `ce`·wₖ − `cy`·[k = y].
struct Row<T> {
    loss: f64,
    ca: T,
    cy: T,
    ce: T,
}

impl<T: Real> CeKernel<'_, T> {
    /// Row r's class and weight if the row counts (see [`RowLoss::prepare`]).
    #[inline(always)]
    fn counted(&self, r: usize) -> Option<(usize, T)> {
        match self.t.of(r) {
            Ok(Some((y, w))) if w != T::zero() || self.eps > 0.0 => Some((y, w)),
            _ => None,
        }
    }

    /// Σₖ wₖ·(xₖ ⊖ m), for label smoothing.
    #[inline(always)]
    fn weighted_shift(&self, x: &[T], m: T) -> f64 {
        let w = self.t.class_weights;
        let mut wd = 0.0;
        for (k, &v) in x.iter().enumerate() {
            let wk = w.map_or(1.0, |w| w[k].to_f64());
            wd += times(wk, shift(v, m).to_f64());
        }
        wd
    }

    /// The loss and gradient coefficients of a row with max m, s = Σ e^(xₖ ⊖ m),
    /// `ln_s` = ln s, `dy` = x_y ⊖ m and `wd` = Σₖ wₖ(xₖ ⊖ m) (with smoothing only).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn row(&self, wy: f64, m: T, s: f64, ln_s: f64, dy: f64, wd: f64, scale: T) -> Row<T> {
        let c = ln_s - dy;
        let (eps, classes) = (self.eps, self.t.classes as f64);
        // ℓ = (1 − ε)·w_y·(−ln p_y) + (ε/C)·Σₖ wₖ·(−ln pₖ) + λ·w_y·lse².
        let mut loss = times((1.0 - eps) * wy, c);
        if eps > 0.0 {
            loss += eps / classes * (self.weight_total * ln_s - wd);
        }
        let lse = m.to_f64() + ln_s;
        if self.lambda > 0.0 {
            loss += self.lambda * wy * lse * lse;
        }
        // ∂ℓ/∂xₖ = pₖ·A − (1 − ε)·w_y·[k = y] − (ε/C)·wₖ,
        // A = (1 − ε)·w_y + (ε/C)·Σw + 2λ·w_y·lse.
        let mut a = (1.0 - eps) * wy + eps / classes * self.weight_total;
        if self.lambda > 0.0 {
            a += 2.0 * self.lambda * wy * lse;
        }
        let g = scale.to_f64();
        Row {
            loss,
            ca: T::from_f64(g * a / s),
            cy: T::from_f64(g * (1.0 - eps) * wy),
            ce: T::from_f64(g * eps / classes),
        }
    }

    /// Up to [`SUB`] rows from r0 on, for a source that stores (see [`Source::STORE`]):
    /// per row the max, x_y ⊖ m and the smoothing sum are read, and the row is overwritten
    /// by its exponentials e^(xₖ ⊖ m) and summed at once while it is in the nearest cache
    /// (for short rows, by xₖ ⊖ m, exponentiated afterwards in one flat loop over the
    /// block and then summed); then the logarithms (one loop over the block), and finally
    /// each row's eₖ is turned into its gradient in place. xₖ ⊖ m ≤ 0 (or NaN), so
    /// [`exp_nonpositive`] gives the bits of [`exp`] there.
    #[inline(always)]
    fn block<S: Source<T>, F: Fn(usize) -> T>(
        &self,
        r0: usize,
        out: &mut [f64],
        src: &mut S,
        sample: &F,
        factor: f64,
        values: &mut Option<&mut [T]>,
    ) {
        let n = out.len();
        let c = self.t.classes;
        let fused = c >= FUSE;
        let mut sw = [T::zero(); SUB];
        let mut ys = [0usize; SUB];
        let mut wys = [0.0f64; SUB];
        let mut ms = [T::zero(); SUB];
        let mut dys = [0.0f64; SUB];
        let mut wds = [0.0f64; SUB];
        let mut ss = [0.0f64; SUB];
        for j in 0..n {
            let r = r0 + j;
            let s = sample(r);
            let (y, wy) = match self.counted(r) {
                Some(yw) if s != T::zero() => {
                    sw[j] = s;
                    yw
                }
                _ => (0, T::zero()),
            };
            ys[j] = y;
            wys[j] = wy.to_f64();
            let mut io = src.row(r);
            let x = io.x();
            let m = if c >= WIDE { wide_max(x) } else { max_of(x) };
            ms[j] = m;
            dys[j] = shift(x[y], m).to_f64();
            if self.eps > 0.0 {
                wds[j] = self.weighted_shift(x, m);
            }
            if fused {
                io.put(|_, v| exp_nonpositive(shift(v, m)));
                // Summed while the row is still in the nearest cache.
                ss[j] = row_sum(io.out());
            } else {
                io.put(|_, v| shift(v, m));
            }
        }
        let st = src.store(r0, n);
        if !fused {
            for v in st.iter_mut() {
                *v = exp_nonpositive(*v);
            }
            for (s, row) in ss.iter_mut().zip(st.chunks_exact(c)) {
                *s = row_sum(row);
            }
        }
        let mut lns = [0.0f64; SUB];
        for (l, &s) in lns.iter_mut().zip(&ss) {
            *l = ln_f64(s);
        }
        for (j, (o, row)) in out.iter_mut().zip(st.chunks_exact_mut(c)).enumerate() {
            let s = sw[j];
            let sl = if s != T::zero() {
                let scale = T::from_f64(factor * s.to_f64());
                let k = self.row(wys[j], ms[j], ss[j], lns[j], dys[j], wds[j], scale);
                if self.eps > 0.0 {
                    let w = self.t.class_weights;
                    for (i, v) in row.iter_mut().enumerate() {
                        let wk = w.map_or(T::one(), |w| w[i]);
                        *v = *v * k.ca - k.ce * wk;
                    }
                } else {
                    for v in row.iter_mut() {
                        *v *= k.ca;
                    }
                }
                let y = ys[j];
                row[y] -= k.cy;
                s * T::from_f64(k.loss)
            } else {
                row.fill(T::zero());
                T::zero()
            };
            if let Some(v) = values.as_deref_mut() {
                v[r0 + j] = sl;
            }
            *o = sl.to_f64();
        }
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
        let x = io.x();
        let m = max_of(x);
        let s = sum_exp(x, m);
        let dy = shift(x[y], m).to_f64();
        let wd = if self.eps > 0.0 {
            self.weighted_shift(x, m)
        } else {
            0.0
        };
        let k = self.row(wy.to_f64(), m, s, ln_f64(s), dy, wd, scale);
        if I::GRAD {
            match (self.eps > 0.0, self.t.class_weights) {
                (false, _) => io.put(|i, v| {
                    let p = exp_nonpositive(shift(v, m)) * k.ca;
                    if i == y {
                        p - k.cy
                    } else {
                        p
                    }
                }),
                (true, w) => io.put(|i, v| {
                    let wk = w.map_or(T::one(), |w| w[i]);
                    let p = exp_nonpositive(shift(v, m)) * k.ca - k.ce * wk;
                    if i == y {
                        p - k.cy
                    } else {
                        p
                    }
                }),
            }
        }
        T::from_f64(k.loss)
    }

    #[inline(always)]
    fn eval_rows<S: Source<T>, F: Fn(usize) -> T>(
        &self,
        r0: usize,
        out: &mut [f64],
        src: &mut S,
        sample: &F,
        factor: f64,
        values: &mut Option<&mut [T]>,
    ) {
        if S::STORE {
            for (b, out) in out.chunks_mut(SUB).enumerate() {
                self.block(r0 + b * SUB, out, src, sample, factor, values);
            }
        } else {
            rows_one_by_one(self, r0, out, src, sample, factor, values);
        }
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
