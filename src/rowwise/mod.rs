//! Row-wise losses: data of `rows × classes` values, row-major (row r is
//! `x[r·C .. (r+1)·C]`), one loss per row: softmax cross-entropy with class-index or
//! probability targets, NLL, multiclass focal loss, the z-loss term, categorical accuracy,
//! and astroNN's categorical cross-entropy and accuracy.
//!
//! A Fortran caller with a column-major array `logits(C, N)` (classes first) passes it as is:
//! its memory is exactly the row-major N × C layout used here.
//!
//! # The engine
//! As for the elementwise losses, one engine does everything but the per-row math: it
//! validates the shape, the options and every row's target *before* writing anything, then
//! evaluates each row once, writing the row's gradient in the same pass. Each row r has
//! * a sample weight sᵣ: `opts.weights[r]` (1 when absent), 0 when `opts.mask[r] == 0`;
//! * its loss ℓᵣ (already carrying the class weight, as PyTorch's `reduction='none'`);
//! * its weight νᵣ in the normaliser of a mean (w_{yᵣ} for class-index targets, 1 for
//!   probability targets), or no weight at all when the row is left out (target equal to
//!   `ignore_index`, or a zero class weight that leaves nothing to compute).
//!
//! | reduction | value L | gradient buffer gets |
//! |---|---|---|
//! | `Sum` | Σᵣ sᵣℓᵣ | g·sᵣ ∂ℓᵣ/∂x |
//! | `Mean` | Σᵣ sᵣℓᵣ / Σᵣ sᵣνᵣ (PyTorch's weighted mean) | g·sᵣ ∂ℓᵣ/∂x / Σᵣ sᵣνᵣ |
//! | `None` | sᵣℓᵣ per row into `values`; returns the sum | g·sᵣ ∂ℓᵣ/∂x |
//! | `Partial` | Σᵣ sᵣℓᵣ, and (Σ sℓ, Σ sν) in `partial` | g·sᵣ ∂ℓᵣ/∂x |
//!
//! with g = [`Options::grad_scale`]. Rows left out, masked or of sample weight 0 add nothing to
//! the sum, the normaliser or the gradient (their gradient rows are 0, or untouched when
//! accumulating). A mean with Σ sν = 0 (e.g. every row ignored) follows [`Options::empty`].
//! `opts.mask` and `opts.weights` have one entry per row; `opts.row_len` must be 0; the
//! magic number is used by the astroNN functions only.
//!
//! # Softmax
//! The softmax normaliser of a row is m = maxₖ xₖ (NaN ignored) and s = Σₖ e^(xₖ − m),
//! summed in `f64` in a fixed order that depends only on the number of classes C: term k
//! goes to lane k mod 8, the lanes are added in increasing k and folded pairwise
//! (((l₀ + l₄) + (l₂ + l₆)) + ((l₁ + l₅) + (l₃ + l₇))). Exponentials and logarithms use the
//! vectorisable [`crate::math::exp`] and [`crate::math::ln_f64`], plain IEEE operations, so
//! every dispatch path, and a firmware build, computes the same bits.
//!
//! [`cross_entropy`] (and its in-place form) writing a gradient over a buffer evaluates rows
//! in blocks of 16: per row, the max is taken and the row is overwritten by e^(xₖ − m) and
//! summed right away (for rows shorter than 32 classes, by xₖ − m, exponentiated afterwards
//! in one flat loop over the block, then summed); then their logarithms (one loop over the
//! block), and the gradient, scaled in place from the stored exponentials: one exponential
//! per element. The max is exact, so the order of its comparisons is free (rows of 128
//! classes or more use 32 lanes instead of 8); only the sign of a zero maximum could differ,
//! and it changes no result. Without a
//! gradient, or accumulating, a row is read twice (max, then the sum; the gradient sweep
//! recomputes the exponentials); every form computes the same bits for the same row. The
//! other softmax losses use [`crate::math`]'s online normaliser (one read per row for the
//! normaliser, rescaling the sum when a chunk of 256 raises the maximum, then a gradient sweep).
//! Infinite logits follow the limits: a +∞ logit takes all the probability (shared equally
//! between several), a −∞ logit none, and the loss is finite whenever the target class keeps
//! a non-zero probability; a NaN logit makes its row's value and gradient NaN.
//!
//! [`cross_entropy_in_place`] writes the gradient over the logits, so a caller with a very
//! large vocabulary needs no second N × C buffer.

mod astronn;
mod softmax;

pub use astronn::{astronn_categorical_accuracy, astronn_categorical_crossentropy};
pub use softmax::{
    categorical_accuracy, cross_entropy, cross_entropy_in_place, cross_entropy_probs, focal, nll,
    CrossEntropy, Focal, Nll, ProbCrossEntropy, IGNORE_INDEX,
};

use crate::pointwise::{check_len, check_options};
use crate::reduce::{
    blocked_sum_compensated, blocked_sum_fill_compensated, CompensatedSum, GradMode, Partial,
    Reduced,
};
use crate::{Error, Options, Real, Reduction};

/// The number of rows of `n` values in rows of `classes`.
pub(crate) fn rows_of(what: &'static str, n: usize, classes: usize) -> Result<usize, Error> {
    if classes == 0 {
        return Err(Error::BadParameter { what: "classes" });
    }
    if n % classes != 0 {
        return Err(Error::LengthMismatch {
            what,
            expected: (n / classes + 1) * classes,
            got: n,
        });
    }
    Ok(n / classes)
}

/// Checks per-class weights: `classes` values, each finite and ≥ 0.
pub(crate) fn check_class_weights<T: Real>(w: Option<&[T]>, classes: usize) -> Result<(), Error> {
    if let Some(w) = w {
        check_len("class_weights", classes, w.len())?;
        if w.iter().any(|&v| !(v >= T::zero() && v.is_finite())) {
            return Err(Error::BadParameter {
                what: "class_weights",
            });
        }
    }
    Ok(())
}

/// The per-row math of a row-wise loss.
pub(crate) trait RowLoss<T: Real> {
    /// Whether the loss reads `opts.magic` (otherwise a magic number is refused).
    const USES_MAGIC: bool = false;
    /// Validates row r's target. `Ok(Some(ν))`: the row counts, with weight ν in the
    /// normaliser of a mean; `Ok(None)`: the row is left out.
    fn prepare(&self, r: usize) -> Result<Option<T>, Error>;
    /// The loss ℓᵣ of a row that counts; when `I::GRAD`, writes `scale · ∂ℓᵣ/∂x` through `io`.
    fn eval<I: RowIo<T>>(&self, r: usize, io: &mut I, scale: T) -> T;

    /// Rows `r0 .. r0 + out.len()` (a run of at most [`crate::reduce::FILL`] rows): writes each row's term
    /// sᵣℓᵣ (0 for a row that does not count) to `out` and, when given, to `values[r]`, and
    /// the rows' gradients through `src`, each row's scaled by `factor·sᵣ`. The default
    /// evaluates the rows one by one with [`RowLoss::eval`]; a kernel may override it to
    /// work on several rows at once (it must compute the same thing).
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
        rows_one_by_one(self, r0, out, src, sample, factor, values);
    }
}

/// The default [`RowLoss::eval_rows`]: the rows one by one with [`RowLoss::eval`].
#[inline(always)]
pub(crate) fn rows_one_by_one<T: Real, K: RowLoss<T> + ?Sized, S: Source<T>, F: Fn(usize) -> T>(
    kernel: &K,
    r0: usize,
    out: &mut [f64],
    src: &mut S,
    sample: &F,
    factor: f64,
    values: &mut Option<&mut [T]>,
) {
    for (k, o) in out.iter_mut().enumerate() {
        let r = r0 + k;
        let s = sample(r);
        let counts = s != T::zero() && matches!(kernel.prepare(r), Ok(Some(_)));
        let sl = if counts {
            let mut io = src.row(r);
            s * kernel.eval(r, &mut io, T::from_f64(factor * s.to_f64()))
        } else {
            src.skip(r);
            T::zero()
        };
        if let Some(v) = values.as_deref_mut() {
            v[r] = sl;
        }
        *o = sl.to_f64();
    }
}

/// One row's input and (optionally) gradient output.
pub(crate) trait RowIo<T: Real> {
    /// Whether a gradient is written.
    const GRAD: bool;
    /// The row's input.
    fn x(&self) -> &[T];
    /// Writes gₖ = f(k, xₖ) for every k (overwriting, accumulating or in place).
    fn put(&mut self, f: impl FnMut(usize, T) -> T);
    /// The row's gradient buffer as written so far (empty without a gradient).
    fn out(&self) -> &[T] {
        &[]
    }
}

struct ValueRow<'a, T>(&'a [T]);

impl<T: Real> RowIo<T> for ValueRow<'_, T> {
    const GRAD: bool = false;
    #[inline(always)]
    fn x(&self) -> &[T] {
        self.0
    }
    #[inline(always)]
    fn put(&mut self, _: impl FnMut(usize, T) -> T) {}
}

struct OverwriteRow<'a, T> {
    x: &'a [T],
    g: &'a mut [T],
}

impl<T: Real> RowIo<T> for OverwriteRow<'_, T> {
    const GRAD: bool = true;
    #[inline(always)]
    fn x(&self) -> &[T] {
        self.x
    }
    #[inline(always)]
    fn put(&mut self, mut f: impl FnMut(usize, T) -> T) {
        for (k, (g, &x)) in self.g.iter_mut().zip(self.x).enumerate() {
            *g = f(k, x);
        }
    }
    #[inline(always)]
    fn out(&self) -> &[T] {
        self.g
    }
}

struct AccumulateRow<'a, T> {
    x: &'a [T],
    g: &'a mut [T],
}

impl<T: Real> RowIo<T> for AccumulateRow<'_, T> {
    const GRAD: bool = true;
    #[inline(always)]
    fn x(&self) -> &[T] {
        self.x
    }
    #[inline(always)]
    fn put(&mut self, mut f: impl FnMut(usize, T) -> T) {
        for (k, (g, &x)) in self.g.iter_mut().zip(self.x).enumerate() {
            *g += f(k, x);
        }
    }
}

struct InPlaceRow<'a, T>(&'a mut [T]);

impl<T: Real> RowIo<T> for InPlaceRow<'_, T> {
    const GRAD: bool = true;
    #[inline(always)]
    fn x(&self) -> &[T] {
        self.0
    }
    #[inline(always)]
    fn put(&mut self, mut f: impl FnMut(usize, T) -> T) {
        for (k, v) in self.0.iter_mut().enumerate() {
            *v = f(k, *v);
        }
    }
    #[inline(always)]
    fn out(&self) -> &[T] {
        self.0
    }
}

/// Where the rows come from and where their gradients go.
pub(crate) trait Source<T: Real> {
    /// The rows' view.
    type Row<'s>: RowIo<T>
    where
        Self: 's;
    /// Whether the gradient is written over a buffer that [`Source::store`] exposes
    /// (overwriting a gradient buffer, or in place): a kernel may then keep intermediate
    /// values there (each row's after its input has been read) before writing the gradient.
    const STORE: bool = false;
    /// Row r.
    fn row(&mut self, r: usize) -> Self::Row<'_>;
    /// Row r does not count: its gradient becomes 0 (or stays, when accumulating).
    fn skip(&mut self, r: usize);
    /// With `STORE`, the output buffer of rows `r0 .. r0 + n` (empty otherwise). In place
    /// this is the input itself.
    fn store(&mut self, _r0: usize, _n: usize) -> &mut [T] {
        &mut []
    }
}

struct Values<'a, T> {
    x: &'a [T],
    c: usize,
}

impl<T: Real> Source<T> for Values<'_, T> {
    type Row<'s>
        = ValueRow<'s, T>
    where
        Self: 's;
    #[inline(always)]
    fn row(&mut self, r: usize) -> ValueRow<'_, T> {
        ValueRow(&self.x[r * self.c..(r + 1) * self.c])
    }
    #[inline(always)]
    fn skip(&mut self, _: usize) {}
}

struct Overwrite<'a, T> {
    x: &'a [T],
    g: &'a mut [T],
    c: usize,
}

impl<T: Real> Source<T> for Overwrite<'_, T> {
    type Row<'s>
        = OverwriteRow<'s, T>
    where
        Self: 's;
    #[inline(always)]
    fn row(&mut self, r: usize) -> OverwriteRow<'_, T> {
        let span = r * self.c..(r + 1) * self.c;
        OverwriteRow {
            x: &self.x[span.clone()],
            g: &mut self.g[span],
        }
    }
    const STORE: bool = true;
    #[inline(always)]
    fn skip(&mut self, r: usize) {
        self.g[r * self.c..(r + 1) * self.c].fill(T::zero());
    }
    #[inline(always)]
    fn store(&mut self, r0: usize, n: usize) -> &mut [T] {
        &mut self.g[r0 * self.c..(r0 + n) * self.c]
    }
}

struct Accumulate<'a, T> {
    x: &'a [T],
    g: &'a mut [T],
    c: usize,
}

impl<T: Real> Source<T> for Accumulate<'_, T> {
    type Row<'s>
        = AccumulateRow<'s, T>
    where
        Self: 's;
    #[inline(always)]
    fn row(&mut self, r: usize) -> AccumulateRow<'_, T> {
        let span = r * self.c..(r + 1) * self.c;
        AccumulateRow {
            x: &self.x[span.clone()],
            g: &mut self.g[span],
        }
    }
    #[inline(always)]
    fn skip(&mut self, _: usize) {}
}

struct InPlace<'a, T> {
    x: &'a mut [T],
    c: usize,
}

impl<T: Real> Source<T> for InPlace<'_, T> {
    type Row<'s>
        = InPlaceRow<'s, T>
    where
        Self: 's;
    #[inline(always)]
    fn row(&mut self, r: usize) -> InPlaceRow<'_, T> {
        InPlaceRow(&mut self.x[r * self.c..(r + 1) * self.c])
    }
    const STORE: bool = true;
    #[inline(always)]
    fn skip(&mut self, r: usize) {
        self.x[r * self.c..(r + 1) * self.c].fill(T::zero());
    }
    #[inline(always)]
    fn store(&mut self, r0: usize, n: usize) -> &mut [T] {
        &mut self.x[r0 * self.c..(r0 + n) * self.c]
    }
}

/// The inputs of a call, and where the gradient goes.
pub(crate) enum Data<'a, T> {
    /// Read `x`; write the gradient into `grad` if given.
    Separate {
        /// rows × classes inputs.
        x: &'a [T],
        /// None, or rows × classes gradient outputs.
        grad: Option<&'a mut [T]>,
    },
    /// Read the inputs and overwrite them with the gradient.
    InPlace(&'a mut [T]),
}

/// Evaluates a row-wise loss over `rows × classes` data (see the module docs). The caller
/// has checked that the input holds whole rows and built `kernel` over validated
/// parameters; this checks the options, the outputs and every target, then computes.
pub(crate) fn evaluate<T: Real, K: RowLoss<T>>(
    kernel: &K,
    data: Data<'_, T>,
    classes: usize,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = match &data {
        Data::Separate { x, .. } => x.len(),
        Data::InPlace(x) => x.len(),
    };
    let rows = rows_of("logits (a whole number of rows of `classes`)", n, classes)?;
    if opts.row_len != 0 {
        return Err(Error::BadParameter { what: "row_len" });
    }
    if opts.magic.is_some() && !K::USES_MAGIC {
        return Err(Error::BadParameter { what: "magic" });
    }
    check_options(opts, rows)?;
    let values = match (opts.reduction, values) {
        (Reduction::None, Some(v)) => {
            check_len("values", rows, v.len())?;
            Some(v)
        }
        (Reduction::None, None) => return Err(Error::BadParameter { what: "values" }),
        _ => None,
    };
    let accumulate = opts.grad_mode == GradMode::Accumulate;
    match &data {
        Data::Separate { grad: Some(g), .. } => check_len("grad", n, g.len())?,
        Data::InPlace(_) if accumulate => return Err(Error::BadParameter { what: "grad_mode" }),
        _ => {}
    }
    let sample = |r: usize| -> T {
        if let Some(m) = opts.mask {
            if m[r] == 0 {
                return T::zero();
            }
        }
        opts.weights.map_or(T::one(), |w| w[r])
    };
    // Every target is checked, and the normaliser formed, before anything is written.
    let mut failure = None;
    let weight_sum = blocked_sum_compensated::<T>(rows, |r| match kernel.prepare(r) {
        Err(e) => {
            failure.get_or_insert(e);
            0.0
        }
        Ok(None) => 0.0,
        Ok(Some(nu)) => (sample(r) * nu).to_f64(),
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let weight = weight_sum.value();
    let reduction = opts.reduction;
    let scale = opts.grad_scale.to_f64();
    let run = Run {
        kernel,
        sample: &sample,
        rows,
        factor: match reduction {
            Reduction::Mean => scale / weight,
            _ => scale,
        },
        values,
    };
    if reduction == Reduction::Mean && weight == 0.0 {
        let value = Partial::default().mean(opts.empty)?;
        match data {
            Data::Separate { grad: Some(g), .. } if !accumulate => g.fill(T::zero()),
            Data::InPlace(x) => x.fill(T::zero()),
            _ => {}
        }
        return Ok(Reduced {
            value: T::from_f64(value),
            partial: Partial::default(),
        });
    }
    let sum = match data {
        Data::Separate { x, grad: None } => run.go(Values { x, c: classes }),
        Data::Separate { x, grad: Some(g) } if accumulate => {
            run.go(Accumulate { x, g, c: classes })
        }
        Data::Separate { x, grad: Some(g) } => run.go(Overwrite { x, g, c: classes }),
        Data::InPlace(x) => run.go(InPlace { x, c: classes }),
    };
    let partial = Partial::from_sums(sum, weight_sum);
    let value = match reduction {
        Reduction::Mean => partial.mean(opts.empty)?,
        _ => partial.sum,
    };
    Ok(Reduced {
        value: T::from_f64(value),
        partial,
    })
}

/// The main pass over the rows.
struct Run<'k, 'v, T, K, F> {
    kernel: &'k K,
    sample: &'k F,
    rows: usize,
    /// grad_scale, divided by the normaliser for a mean.
    factor: f64,
    values: Option<&'v mut [T]>,
}

impl<T: Real, K: RowLoss<T>, F: Fn(usize) -> T> Run<'_, '_, T, K, F> {
    /// Σᵣ sᵣℓᵣ over the rows that count, writing values and gradients row by row.
    fn go<S: Source<T>>(self, src: S) -> CompensatedSum {
        run_rows(self, src)
    }
}

crate::dispatch::multiversion! {
/// [`Run::go`], compiled per CPU path ([`crate::dispatch`]).
fn run_rows<T: Real, K: RowLoss<T>, F: Fn(usize) -> T, S: Source<T>>(
        run: Run<'_, '_, T, K, F>,
        src: S,
    ) -> CompensatedSum => run_rows_body
}

#[inline(always)]
fn run_rows_body<T: Real, K: RowLoss<T>, F: Fn(usize) -> T, S: Source<T>>(
    mut run: Run<'_, '_, T, K, F>,
    mut src: S,
) -> CompensatedSum {
    {
        let (kernel, sample, factor) = (run.kernel, run.sample, run.factor);
        let values = &mut run.values;
        // `blocked_sum` spelled out with an always-inlined closure, so that the row math is
        // compiled into each CPU path's instance (a closure not inlined would be baseline).
        blocked_sum_fill_compensated::<T, f64>(
            run.rows,
            #[inline(always)]
            |r0, out| kernel.eval_rows(r0, out, &mut src, sample, factor, values),
        )
    }
}
