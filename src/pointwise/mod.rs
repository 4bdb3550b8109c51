//! Elementwise losses: one engine, and one small definition per loss.
//!
//! A loss here is ℓ(pᵢ, yᵢ) applied to each prediction/target pair. Its definition (a type
//! implementing [`Pointwise`]) gives ℓ and ∂ℓ/∂p at one point; [`evaluate`] does
//! everything else for every loss alike: validation, keep-masks, magic-number masking,
//! weights, the reduction (including astroNN's per-row mean), the empty-mean policy, the
//! gradient scale and mode, and accurate deterministic summation.
//!
//! # What [`evaluate`] computes
//! With kept elements K (mask nonzero, target not the magic number, weight > 0) and weights
//! wᵢ (1 when absent):
//!
//! | reduction | value L | gradient buffer gets |
//! |---|---|---|
//! | `Sum` | Σ_K wᵢℓᵢ | s·wᵢ ∂ℓᵢ/∂pᵢ |
//! | `Mean` | Σ_K wᵢℓᵢ / Σ_K wᵢ | s·wᵢ ∂ℓᵢ/∂pᵢ / Σ_K wᵢ |
//! | `None` | per element wᵢℓᵢ (0 if masked) into `values`; returns Σ | s·wᵢ ∂ℓᵢ/∂pᵢ |
//! | `Partial` | Σ_K wᵢℓᵢ, and (Σ wℓ, Σ w) in `partial` | s·wᵢ ∂ℓᵢ/∂pᵢ |
//!
//! where s is [`Options::grad_scale`]; masked elements get a gradient of 0 (overwrite) or
//! are left alone (accumulate). With [`Options::row_len`] = D the data are rows of length D;
//! each row's weighted mean mᵣ = Σⱼ wᵣⱼℓᵣⱼ / Σⱼ wᵣⱼ is formed first, and the reduction runs
//! over the rows (`None` writes one value per row).
//!
//! A loss whose reduced value is transformed (RMSE = √MSE) states it with
//! [`Pointwise::finish`]; the gradient then carries the chain-rule factor.
//!
//! # Per-element factors
//! [`evaluate_with`] also takes a [`Factors`] source: for each element a weight factor vᵢ ≥ 0
//! and an input divisor cᵢ > 0, produced on the fly by a reader that visits the elements in
//! increasing order (so a per-structure weight repeated over a structure's atoms, or a
//! division by a structure's atom count, needs no buffer). Element i then enters with weight
//! wᵢ·vᵢ and loss ℓ(pᵢ/cᵢ, yᵢ/cᵢ), whose derivative is ℓ′(pᵢ/cᵢ, yᵢ/cᵢ)/cᵢ. [`evaluate`] is
//! [`evaluate_with`] with [`Unit`] factors (vᵢ = cᵢ = 1), which compile away.

pub mod binary;
mod kernel;
pub mod regression;

pub use kernel::{evaluate2, Pointwise2};
pub(crate) use kernel::{evaluate_kernel, Kernel, Window};

use crate::reduce::{
    blocked_sum_compensated, blocked_sum_runs, CompensatedSum, EmptyPolicy, GradMode, Partial,
    Reduced,
};
use crate::{Error, Options, Real, Reduction};

/// The per-element math of a loss.
pub trait Pointwise<T: Real> {
    /// ℓ(p, y) and ∂ℓ/∂p at one element.
    fn loss_grad(&self, p: T, y: T) -> (T, T);
    /// ℓ(p, y) alone (for value-only calls).
    #[inline(always)]
    fn loss(&self, p: T, y: T) -> T {
        self.loss_grad(p, y).0
    }
    /// The transform applied to the reduced value.
    fn finish(&self) -> Finish {
        Finish::Identity
    }
    /// 0 (the default) for a loss that is the same at every element; C > 0 for a loss with a
    /// per-column parameter over data in rows of C columns (e.g. BCE's `pos_weight`): the
    /// engine then requires n to be a multiple of C and calls [`Pointwise::loss_grad_at`]
    /// with the column j = i mod C of element i.
    fn period(&self) -> usize {
        0
    }
    /// ℓ and ∂ℓ/∂p at an element of column `col` (used when [`Pointwise::period`] > 0).
    #[inline(always)]
    fn loss_grad_at(&self, col: usize, p: T, y: T) -> (T, T) {
        let _ = col;
        self.loss_grad(p, y)
    }
    /// ℓ alone at an element of column `col` (used when [`Pointwise::period`] > 0).
    #[inline(always)]
    fn loss_at(&self, col: usize, p: T, y: T) -> T {
        self.loss_grad_at(col, p, y).0
    }
    /// Hands `visitor` a loss that computes the same bits as this one at every element
    /// (same ℓ, ∂ℓ/∂p, [`Pointwise::finish`] and [`Pointwise::period`]) but may be cheaper,
    /// e.g. with a division by a power of two replaced by the multiplication by its exact
    /// reciprocal (x/2ᵏ and x·2⁻ᵏ round the same real number, so they are the same bits).
    /// [`evaluate`] runs its passes with that loss. The default hands over `self`.
    #[inline(always)]
    fn with_equivalent<V: EquivalentVisitor<T>>(&self, visitor: V) -> V::Output
    where
        Self: Sized,
    {
        visitor.visit(self)
    }
}

/// What [`Pointwise::with_equivalent`] calls with the equivalent loss (a generic callback).
pub trait EquivalentVisitor<T: Real> {
    /// The callback's result.
    type Output;
    /// Runs with `loss`.
    fn visit<L: Pointwise<T>>(self, loss: &L) -> Self::Output;
}

/// The column i mod C of increasing indices i, without a division per element.
struct Column {
    period: usize,
    next: usize,
    col: usize,
}

impl Column {
    fn new(start: usize, period: usize) -> Self {
        Column {
            period,
            next: start,
            col: start % period,
        }
    }
    /// The column of element `i`; the indices of successive calls increase.
    #[inline(always)]
    fn of(&mut self, i: usize) -> usize {
        let gap = i - self.next;
        if gap > 0 {
            self.col = (self.col + gap % self.period) % self.period;
        }
        let c = self.col;
        self.next = i + 1;
        self.col = if c + 1 == self.period { 0 } else { c + 1 };
        c
    }
}

/// A transform of the reduced value: L = f(reduced).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// L = reduced.
    Identity,
    /// L = √reduced, with gradient 0 where the reduced value is 0 (so RMSE at zero error has
    /// gradient 0, not NaN). Not defined for `Reduction::None`; for `Partial` the pair is
    /// that of the squares, to be finished by the caller.
    Sqrt,
}

impl Finish {
    /// f(reduced) under `reduction` (`None` and `Partial` are never transformed).
    fn apply(self, reduction: Reduction, reduced: f64) -> f64 {
        match (self, reduction) {
            (Finish::Sqrt, Reduction::Mean | Reduction::Sum) => libm::sqrt(reduced),
            _ => reduced,
        }
    }
    /// f′(reduced), the chain-rule factor of the gradient (1 where f is not applied).
    fn derivative(self, reduction: Reduction, reduced: f64) -> f64 {
        match (self, reduction) {
            (Finish::Sqrt, Reduction::Mean | Reduction::Sum) if reduced > 0.0 => {
                0.5 / libm::sqrt(reduced)
            }
            (Finish::Sqrt, Reduction::Mean | Reduction::Sum) => 0.0,
            _ => 1.0,
        }
    }
}

/// A source of per-element factors for [`evaluate_with`]: a weight factor vᵢ (finite, ≥ 0)
/// and an input divisor cᵢ (finite, > 0), read in increasing element order.
///
/// The source is responsible for the validity of its factors (the engine does not check
/// them); it is read only after the engine's own validation has passed.
pub trait Factors<T: Real> {
    /// The reader of one pass.
    type Reader<'r>: FactorReader<T>
    where
        Self: 'r;
    /// A reader whose calls will be for elements `start` and later, in increasing order.
    fn reader(&self, start: usize) -> Self::Reader<'_>;
    /// True when every vᵢ = cᵢ = 1, so that Σ wᵢ needs no pass when nothing else weighs.
    fn is_unit(&self) -> bool {
        false
    }
}

/// Reads the factors of one pass (see [`Factors`]).
pub trait FactorReader<T> {
    /// (vᵢ, cᵢ) of element `i`; successive calls have strictly increasing `i` (elements may
    /// be skipped).
    fn at(&mut self, i: usize) -> (T, T);
}

/// The unit factors vᵢ = cᵢ = 1 (what [`evaluate`] uses).
#[derive(Clone, Copy, Debug, Default)]
pub struct Unit;

impl<T: Real> Factors<T> for Unit {
    type Reader<'r> = Unit;
    #[inline(always)]
    fn reader(&self, _start: usize) -> Unit {
        Unit
    }
    fn is_unit(&self) -> bool {
        true
    }
}

impl<T: Real> FactorReader<T> for Unit {
    #[inline(always)]
    fn at(&mut self, _i: usize) -> (T, T) {
        (T::one(), T::one())
    }
}

/// The weight that [`Options`] alone gives element `i` with target `y`: 0 if the mask drops
/// it or `y` is the magic number (or NaN with magic on), else `weights[i]` (1 when absent).
/// The options must have been checked against the data length.
#[inline(always)]
pub(crate) fn option_weight<T: Real>(opts: &Options<'_, T>, i: usize, y: T) -> T {
    if let Some(m) = opts.mask {
        if m[i] == 0 {
            return T::zero();
        }
    }
    if let Some(magic) = opts.magic {
        if y == magic || y.is_nan() {
            return T::zero();
        }
    }
    match opts.weights {
        Some(w) => w[i],
        None => T::one(),
    }
}

/// Which elements count and with what weight.
pub(super) struct Keep<'a, 'o, T, F> {
    pub(super) opts: &'a Options<'o, T>,
    pub(super) factors: &'a F,
}

impl<T: Real, F: Factors<T>> Keep<'_, '_, T, F> {
    fn is_trivial(&self) -> bool {
        self.opts.mask.is_none()
            && self.opts.magic.is_none()
            && self.opts.weights.is_none()
            && self.factors.is_unit()
    }
    /// (wᵢvᵢ, cᵢ) for a kept element, (0, 1) for a dropped one.
    #[inline(always)]
    fn weight(&self, reader: &mut F::Reader<'_>, i: usize, y: T) -> (T, T) {
        let w = option_weight(self.opts, i, y);
        if w == T::zero() {
            return (w, T::one());
        }
        let (v, c) = reader.at(i);
        (w * v, c)
    }
    /// Σ wᵢvᵢ over `start..start+len`, in the fixed summation order.
    fn total(&self, target: &[T], start: usize, len: usize) -> f64 {
        self.total_compensated(target, start, len).value()
    }
    /// The number of rows of length `d` that enter a per-row batch normaliser (a row with
    /// nothing kept counts under `EmptyPolicy::Nan`, fails under `Error`), found before
    /// anything is written.
    fn counted_rows(
        &self,
        target: &[T],
        rows: usize,
        d: usize,
        policy: EmptyPolicy,
    ) -> Result<usize, Error> {
        let mut counted = 0usize;
        for r in 0..rows {
            if self.total(target, r * d, d) > 0.0 {
                counted += 1;
            } else if policy == EmptyPolicy::Error {
                return Err(Error::EmptyMean);
            } else if policy == EmptyPolicy::Nan {
                counted += 1;
            }
        }
        Ok(counted)
    }
    /// [`Keep::total`] unrounded.
    fn total_compensated(&self, target: &[T], start: usize, len: usize) -> CompensatedSum {
        let mut total = CompensatedSum::new();
        if self.is_trivial() {
            total.add(len as f64);
            return total;
        }
        let mut reader = self.factors.reader(start);
        // `target` is empty for a kernel without per-element targets (targets repeated over
        // sample rows, see `Kernel::targets`), whose front end refuses the magic number.
        blocked_sum_compensated::<T>(len, |j| {
            let y = target.get(start + j).copied().unwrap_or(T::zero());
            self.weight(&mut reader, start + j, y).0.to_f64()
        })
    }
}

/// The weight wᵢ (0: dropped) and input divisor cᵢ of element i, as the engine's passes see
/// them; called for increasing i within a pass.
trait KeepRule<T> {
    fn weight(&mut self, i: usize, y: T) -> (T, T);
}

/// Every element kept with weight 1 and divisor 1.
struct AllKept;

impl<T: Real> KeepRule<T> for AllKept {
    #[inline(always)]
    fn weight(&mut self, _: usize, _: T) -> (T, T) {
        (T::one(), T::one())
    }
}

/// The options' keep-rule and weights with the per-element factors of one pass.
struct Kept<'k, 'a, 'o, T: Real, F: Factors<T>> {
    keep: &'k Keep<'a, 'o, T, F>,
    reader: F::Reader<'k>,
}

impl<T: Real, F: Factors<T>> KeepRule<T> for Kept<'_, '_, '_, T, F> {
    #[inline(always)]
    fn weight(&mut self, i: usize, y: T) -> (T, T) {
        self.keep.weight(&mut self.reader, i, y)
    }
}

/// The per-element math of a pass (structs, not closures, so that it is always inlined).
trait ElementMath<T> {
    fn loss_grad(&mut self, i: usize, p: T, y: T) -> (T, T);
    fn loss(&mut self, i: usize, p: T, y: T) -> T;
}

/// A loss that is the same at every element.
struct Uniform<'a, L>(&'a L);

impl<T: Real, L: Pointwise<T>> ElementMath<T> for Uniform<'_, L> {
    #[inline(always)]
    fn loss_grad(&mut self, _: usize, p: T, y: T) -> (T, T) {
        self.0.loss_grad(p, y)
    }
    #[inline(always)]
    fn loss(&mut self, _: usize, p: T, y: T) -> T {
        self.0.loss(p, y)
    }
}

/// A loss with a per-column parameter ([`Pointwise::period`] > 0).
struct PerColumn<'a, L> {
    loss: &'a L,
    column: Column,
}

impl<T: Real, L: Pointwise<T>> ElementMath<T> for PerColumn<'_, L> {
    #[inline(always)]
    fn loss_grad(&mut self, i: usize, p: T, y: T) -> (T, T) {
        self.loss.loss_grad_at(self.column.of(i), p, y)
    }
    #[inline(always)]
    fn loss(&mut self, i: usize, p: T, y: T) -> T {
        self.loss.loss_at(self.column.of(i), p, y)
    }
}

/// The weighted loss wℓ(p/c, y/c) of element `i` (0 for a dropped element).
#[inline(always)]
fn element_value<T: Real, K: KeepRule<T>, M: ElementMath<T>>(
    keep: &mut K,
    math: &mut M,
    i: usize,
    p: T,
    y: T,
) -> T {
    let (w, c) = keep.weight(i, y);
    if w == T::zero() {
        T::zero()
    } else {
        w * math.loss(i, p / c, y / c)
    }
}

/// The weighted loss wℓ(p/c, y/c) of element `i` and its gradient entry
/// `factor`·w·∂ℓ/∂p / c (both 0 for a dropped element).
#[inline(always)]
fn element_grad<T: Real, K: KeepRule<T>, M: ElementMath<T>>(
    keep: &mut K,
    math: &mut M,
    i: usize,
    p: T,
    y: T,
    factor: T,
) -> (T, T) {
    let (w, c) = keep.weight(i, y);
    if w == T::zero() {
        (T::zero(), T::zero())
    } else {
        let (l, d) = math.loss_grad(i, p / c, y / c);
        (w * l, factor * w * d / c)
    }
}

/// One run of a value pass: `out[k]` (and `v[k]` when per-element values are wanted)
/// receives wₖℓ(pₖ/cₖ, yₖ/cₖ) for the elements `a + k` (`out` in the data type, so that
/// nothing narrows the vector width).
///
/// Always inlined into the pass, which is compiled per CPU path ([`crate::dispatch`]);
/// its slice arguments are known not to overlap, so the loop vectorises without run-time
/// overlap checks, and for a full run of [`LANES`] elements its length is a constant.
#[inline(always)]
fn value_run<T: Real, K: KeepRule<T>, M: ElementMath<T>>(
    keep: &mut K,
    math: &mut M,
    a: usize,
    p: &[T],
    y: &[T],
    v: Option<&mut [T]>,
    out: &mut [T],
) {
    let m = out.len().min(p.len()).min(y.len());
    match v {
        Some(v) => {
            let m = m.min(v.len());
            for k in 0..m {
                let wl = element_value(keep, math, a + k, p[k], y[k]);
                v[k] = wl;
                out[k] = wl;
            }
        }
        None => {
            for k in 0..m {
                out[k] = element_value(keep, math, a + k, p[k], y[k]);
            }
        }
    }
}

/// One run of a gradient pass: as [`value_run`], and `g[k]` receives (or, accumulating,
/// adds) `factor`·wₖ·∂ℓₖ/∂p (0 for a dropped element).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn grad_run<T: Real, K: KeepRule<T>, M: ElementMath<T>>(
    keep: &mut K,
    math: &mut M,
    a: usize,
    p: &[T],
    y: &[T],
    g: &mut [T],
    v: Option<&mut [T]>,
    out: &mut [T],
    factor: T,
    acc: bool,
) {
    let m = out.len().min(p.len()).min(y.len()).min(g.len());
    match v {
        Some(v) => {
            let m = m.min(v.len());
            for k in 0..m {
                let (wl, gk) = element_grad(keep, math, a + k, p[k], y[k], factor);
                // The old value is loaded unconditionally so that the select vectorises.
                let old = g[k];
                g[k] = if acc { old + gk } else { gk };
                v[k] = wl;
                out[k] = wl;
            }
        }
        None => {
            for k in 0..m {
                let (wl, gk) = element_grad(keep, math, a + k, p[k], y[k], factor);
                let old = g[k];
                g[k] = if acc { old + gk } else { gk };
                out[k] = wl;
            }
        }
    }
}

/// 1/w for a mean, 1 for the other reductions (the factor of a global gradient).
fn mean_factor(reduction: Reduction, w: f64) -> f64 {
    match reduction {
        Reduction::Mean => 1.0 / w,
        _ => 1.0,
    }
}

/// For per-row means: 1/(rows counted) for a batch mean (0 when none counts), else 1.
fn batch_factor(reduction: Reduction, counted: usize) -> f64 {
    match reduction {
        Reduction::Mean if counted > 0 => 1.0 / counted as f64,
        Reduction::Mean => 0.0,
        _ => 1.0,
    }
}

/// A row's weighted mean s/w, or what an empty row (w = 0) gives under `policy`.
fn row_mean(s: f64, w: f64, policy: EmptyPolicy) -> f64 {
    if w > 0.0 {
        s / w
    } else if policy == EmptyPolicy::Nan {
        f64::NAN
    } else {
        0.0
    }
}

/// The partial of a per-row reduction: the sum of the row means over `counted` rows.
fn rows_partial(sum: CompensatedSum, counted: usize) -> Partial {
    let mut weight = CompensatedSum::new();
    weight.add(counted as f64);
    Partial::from_sums(sum, weight)
}

/// Checks that `got == expected`.
pub(crate) fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Checks the parts of [`Options`] that do not depend on the loss, for data of length `n`.
pub(crate) fn check_options<T: Real>(opts: &Options<'_, T>, n: usize) -> Result<(), Error> {
    if let Some(m) = opts.mask {
        check_len("mask", n, m.len())?;
    }
    if let Some(w) = opts.weights {
        check_len("weights", n, w.len())?;
        if w.iter().any(|&x| !(x >= T::zero() && x.is_finite())) {
            return Err(Error::BadParameter { what: "weights" });
        }
    }
    if opts.row_len > 0 && n % opts.row_len != 0 {
        return Err(Error::LengthMismatch {
            what: "pred (a whole number of rows of row_len)",
            expected: (n / opts.row_len + 1) * opts.row_len,
            got: n,
        });
    }
    if !opts.grad_scale.is_finite() {
        return Err(Error::BadParameter { what: "grad_scale" });
    }
    Ok(())
}

/// The value an empty mean takes, or the error it raises.
pub(super) fn empty_value(policy: EmptyPolicy) -> Result<f64, Error> {
    Partial::default().mean(policy)
}

/// Evaluates an elementwise loss, its reduction and (optionally) its gradient in one pass.
///
/// * `pred`, `target`: the n predictions and targets.
/// * `values`: with `Reduction::None`, receives n per-element losses (or one per row with
///   `row_len`); ignored otherwise.
/// * `grad`: if given (length n), receives `grad_scale · ∂L/∂pred` (see the module docs).
///
/// Nothing is written unless the call succeeds.
pub fn evaluate<T: Real, L: Pointwise<T>>(
    loss: &L,
    pred: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    evaluate_with(loss, pred, target, opts, &Unit, values, grad)
}

/// [`evaluate`] with per-element factors (see the module docs, "Per-element factors"):
/// element i enters with weight wᵢ·vᵢ and loss ℓ(pᵢ/cᵢ, yᵢ/cᵢ); the gradient carries 1/cᵢ.
///
/// Used by the ragged-batch losses of [`crate::segment`] (per-structure weights repeated
/// over atoms, per-atom energies, per-species means).
pub fn evaluate_with<T: Real, L: Pointwise<T>, F: Factors<T>>(
    loss: &L,
    pred: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    factors: &F,
    values: Option<&mut [T]>,
    grad: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = pred.len();
    check_len("target", n, target.len())?;
    check_options(opts, n)?;
    let rows = n.checked_div(opts.row_len).unwrap_or(n);
    let values = match (opts.reduction, values) {
        (Reduction::None, Some(v)) => {
            check_len("values", rows, v.len())?;
            Some(v)
        }
        (Reduction::None, None) => return Err(Error::BadParameter { what: "values" }),
        _ => None,
    };
    if let Some(g) = grad.as_deref() {
        check_len("grad", n, g.len())?;
    }
    let period = loss.period();
    if period > 0 && n % period != 0 {
        return Err(Error::LengthMismatch {
            what: "pred (a whole number of rows of the per-column parameter's length)",
            expected: (n / period + 1) * period,
            got: n,
        });
    }
    let finish = loss.finish();
    if finish == Finish::Sqrt && opts.reduction == Reduction::None {
        return Err(Error::BadParameter { what: "reduction" });
    }
    loss.with_equivalent(Run {
        pred,
        target,
        opts,
        factors,
        values,
        grad,
    })
}

/// The validated arguments of [`evaluate_with`], run with whichever equivalent of the loss
/// [`Pointwise::with_equivalent`] hands over.
struct Run<'a, 'o, 'b, T, F> {
    pred: &'a [T],
    target: &'a [T],
    opts: &'a Options<'o, T>,
    factors: &'a F,
    values: Option<&'b mut [T]>,
    grad: Option<&'b mut [T]>,
}

impl<T: Real, F: Factors<T>> EquivalentVisitor<T> for Run<'_, '_, '_, T, F> {
    type Output = Result<Reduced<T>, Error>;
    fn visit<L: Pointwise<T>>(self, loss: &L) -> Self::Output {
        let engine = Engine {
            loss,
            pred: self.pred,
            target: self.target,
            keep: Keep {
                opts: self.opts,
                factors: self.factors,
            },
            opts: self.opts,
        };
        if self.opts.row_len > 0 {
            engine.rows(self.values, self.grad)
        } else {
            engine.global(self.values, self.grad)
        }
    }
}

struct Engine<'a, 'o, T, L, F> {
    loss: &'a L,
    pred: &'a [T],
    target: &'a [T],
    keep: Keep<'a, 'o, T, F>,
    opts: &'a Options<'o, T>,
}

/// Where one pass writes.
struct Sink<'b, T> {
    values: Option<&'b mut [T]>,
    grad: Option<&'b mut [T]>,
    /// Multiplies wᵢ ∂ℓᵢ/∂pᵢ.
    factor: T,
    accumulate: bool,
}

impl<T: Real, L: Pointwise<T>, F: Factors<T>> Engine<'_, '_, T, L, F> {
    /// Σ wℓ over `start..start+len` (unrounded), writing per-element values and gradients.
    fn pass(&self, start: usize, len: usize, sink: &mut Sink<'_, T>) -> CompensatedSum {
        match self.loss.period() {
            0 => self.pass_with(start, len, sink, Uniform(self.loss)),
            period => {
                let math = PerColumn {
                    loss: self.loss,
                    column: Column::new(start, period),
                };
                self.pass_with(start, len, sink, math)
            }
        }
    }

    /// [`Engine::pass`] with the per-element math `math`.
    #[inline(always)]
    fn pass_with<M: ElementMath<T>>(
        &self,
        start: usize,
        len: usize,
        sink: &mut Sink<'_, T>,
        math: M,
    ) -> CompensatedSum {
        // Without mask, magic or weights every weight is the constant 1: a separate instance
        // in which the keep-rule folds away, so that the loop vectorises.
        if self.keep.is_trivial() {
            self.pass_keep(start, len, sink, AllKept, math)
        } else {
            let kept = Kept {
                keep: &self.keep,
                reader: self.keep.factors.reader(start),
            };
            self.pass_keep(start, len, sink, kept, math)
        }
    }

    /// [`Engine::pass_with`] with the keep-rule `keep`: the runs and their summation,
    /// compiled per CPU path ([`crate::dispatch`]).
    #[inline(always)]
    fn pass_keep<K: KeepRule<T>, M: ElementMath<T>>(
        &self,
        start: usize,
        len: usize,
        sink: &mut Sink<'_, T>,
        keep: K,
        math: M,
    ) -> CompensatedSum {
        pass_run(self, start, len, sink, keep, math)
    }

    fn scale(&self) -> f64 {
        self.opts.grad_scale.to_f64()
    }

    fn accumulate(&self) -> bool {
        self.opts.grad_mode == GradMode::Accumulate
    }

    /// Clears the gradient of an empty mean (overwrite mode).
    fn zero_grad(&self, grad: Option<&mut [T]>) {
        if let (Some(g), false) = (grad, self.accumulate()) {
            g.iter_mut().for_each(|x| *x = T::zero());
        }
    }

    /// One reduction over all elements.
    fn global(
        &self,
        values: Option<&mut [T]>,
        mut grad: Option<&mut [T]>,
    ) -> Result<Reduced<T>, Error> {
        let n = self.pred.len();
        let reduction = self.opts.reduction;
        let finish = self.loss.finish();
        // The normaliser must be known before a mean's gradient is written.
        let known_weight =
            if self.keep.is_trivial() || (reduction == Reduction::Mean && grad.is_some()) {
                Some(self.keep.total_compensated(self.target, 0, n))
            } else {
                None
            };
        if reduction == Reduction::Mean && known_weight.map(|w| w.value()) == Some(0.0) {
            let v = empty_value(self.opts.empty)?;
            self.zero_grad(grad);
            return Ok(Reduced {
                value: T::from_f64(v),
                partial: Partial::default(),
            });
        }
        let weight_of = |w: Option<CompensatedSum>| {
            w.unwrap_or_else(|| self.keep.total_compensated(self.target, 0, n))
        };
        let sum = if finish == Finish::Sqrt && grad.is_some() {
            // The chain-rule factor needs the reduced value: value pass, then gradient pass.
            let mut value_only = Sink {
                values: None,
                grad: None,
                factor: T::zero(),
                accumulate: false,
            };
            let sum = self.pass(0, n, &mut value_only);
            let w = weight_of(known_weight).value();
            let reduced = sum.value() * mean_factor(reduction, w);
            let outer = finish.derivative(reduction, reduced);
            let mut sink = Sink {
                values: None,
                grad: grad.take(),
                factor: T::from_f64(self.scale() * mean_factor(reduction, w) * outer),
                accumulate: self.accumulate(),
            };
            self.pass(0, n, &mut sink);
            sum
        } else {
            let factor = match known_weight {
                Some(w) => self.scale() * mean_factor(reduction, w.value()),
                None => self.scale(),
            };
            let mut sink = Sink {
                values,
                grad: grad.take(),
                factor: T::from_f64(factor),
                accumulate: self.accumulate(),
            };
            self.pass(0, n, &mut sink)
        };
        let partial = Partial::from_sums(sum, weight_of(known_weight));
        let reduced = match reduction {
            Reduction::Mean => partial.mean(self.opts.empty)?,
            _ => partial.sum,
        };
        Ok(Reduced {
            value: T::from_f64(finish.apply(reduction, reduced)),
            partial,
        })
    }

    /// astroNN's reduction: a weighted mean per row of length D, then over the rows.
    fn rows(
        &self,
        mut values: Option<&mut [T]>,
        grad: Option<&mut [T]>,
    ) -> Result<Reduced<T>, Error> {
        let d = self.opts.row_len;
        let rows = self.pred.len() / d;
        let reduction = self.opts.reduction;
        let policy = self.opts.empty;
        // Count the rows that enter the batch normaliser before anything is written.
        let counted = self.keep.counted_rows(self.target, rows, d, policy)?;
        let batch_factor = batch_factor(reduction, counted);
        let finish = self.loss.finish();
        let mut grad = grad;
        let run =
            |grad_factor: Option<f64>, grad: Option<&mut [T]>, values: &mut Option<&mut [T]>| {
                let mut grad = grad;
                let mut total = CompensatedSum::new();
                for r in 0..rows {
                    let w = self.keep.total(self.target, r * d, d);
                    let row_factor = if w > 0.0 { 1.0 / w } else { 0.0 };
                    let mut sink = Sink {
                        values: None,
                        grad: grad.as_deref_mut(),
                        factor: T::from_f64(grad_factor.unwrap_or(0.0) * row_factor),
                        accumulate: self.accumulate(),
                    };
                    if grad_factor.is_none() {
                        sink.grad = None;
                    }
                    let s = self.pass(r * d, d, &mut sink).value();
                    let m = row_mean(s, w, policy);
                    if let Some(v) = values.as_deref_mut() {
                        v[r] = T::from_f64(m);
                    }
                    total.add(m);
                }
                total
            };
        let sum = if finish == Finish::Sqrt && grad.is_some() {
            let sum = run(None, None, &mut None);
            let reduced = sum.value() * batch_factor;
            let outer = finish.derivative(reduction, reduced);
            run(
                Some(self.scale() * batch_factor * outer),
                grad.take(),
                &mut None,
            );
            sum
        } else {
            let gf = grad.is_some().then(|| self.scale() * batch_factor);
            run(gf, grad.take(), &mut values)
        };
        let partial = rows_partial(sum, counted);
        let reduced = match reduction {
            Reduction::Mean => partial.mean(policy)?,
            _ => partial.sum,
        };
        Ok(Reduced {
            value: T::from_f64(finish.apply(reduction, reduced)),
            partial,
        })
    }
}

crate::dispatch::multiversion! {
/// [`Engine::pass_keep`], compiled per CPU path ([`crate::dispatch`]).
fn pass_run<T: Real, L: Pointwise<T>, F: Factors<T>, K: KeepRule<T>, M: ElementMath<T>>(
        engine: &Engine<'_, '_, T, L, F>,
        start: usize,
        len: usize,
        sink: &mut Sink<'_, T>,
        keep: K,
        math: M,
    ) -> CompensatedSum => pass_body
}

#[inline(always)]
fn pass_body<T: Real, L: Pointwise<T>, F: Factors<T>, K: KeepRule<T>, M: ElementMath<T>>(
    engine: &Engine<'_, '_, T, L, F>,
    start: usize,
    len: usize,
    sink: &mut Sink<'_, T>,
    mut keep: K,
    mut math: M,
) -> CompensatedSum {
    let (pred, target) = (engine.pred, engine.target);
    let factor = sink.factor;
    let acc = sink.accumulate;
    let values = sink.values.as_deref_mut();
    // Small targets (embedded cores): two instances (gradient or not), the per-element
    // values going to a scratch run when the caller wants none, to keep the code small.
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let mut values = values;
        let mut scratch = [T::zero(); crate::reduce::LANES];
        match sink.grad.as_deref_mut() {
            None => blocked_sum_runs::<T, T>(len, |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                let v = match values.as_deref_mut() {
                    Some(v) => &mut v[a..a + m],
                    None => &mut scratch[..m],
                };
                let (p, y) = (&pred[a..a + m], &target[a..a + m]);
                value_run(&mut keep, &mut math, a, p, y, Some(v), out);
            }),
            Some(g) => blocked_sum_runs::<T, T>(len, |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                let v = match values.as_deref_mut() {
                    Some(v) => &mut v[a..a + m],
                    None => &mut scratch[..m],
                };
                let (p, y, g) = (&pred[a..a + m], &target[a..a + m], &mut g[a..a + m]);
                grad_run(&mut keep, &mut math, a, p, y, g, Some(v), out, factor, acc);
            }),
        }
    }
    // Four instances (gradient or not, values or not), so that no store is conditional. The
    // full runs and the short last run share the per-element code; a full run has the
    // constant length LANES, so its loop is unrolled into full-width vector operations.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    match (sink.grad.as_deref_mut(), values) {
        (None, None) => blocked_sum_runs::<T, T>(
            len,
            #[inline(always)]
            |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                value_run(
                    &mut keep,
                    &mut math,
                    a,
                    &pred[a..a + m],
                    &target[a..a + m],
                    None,
                    out,
                );
            },
        ),
        (None, Some(v)) => blocked_sum_runs::<T, T>(
            len,
            #[inline(always)]
            |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                let (p, y) = (&pred[a..a + m], &target[a..a + m]);
                value_run(&mut keep, &mut math, a, p, y, Some(&mut v[a..a + m]), out);
            },
        ),
        (Some(g), None) => blocked_sum_runs::<T, T>(
            len,
            #[inline(always)]
            |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                let (p, y, g) = (&pred[a..a + m], &target[a..a + m], &mut g[a..a + m]);
                grad_run(&mut keep, &mut math, a, p, y, g, None, out, factor, acc);
            },
        ),
        (Some(g), Some(v)) => blocked_sum_runs::<T, T>(
            len,
            #[inline(always)]
            |j: usize, out: &mut [T]| {
                let a = start + j;
                let m = out.len();
                let (p, y, g) = (&pred[a..a + m], &target[a..a + m], &mut g[a..a + m]);
                let v = Some(&mut v[a..a + m]);
                grad_run(&mut keep, &mut math, a, p, y, g, v, out, factor, acc);
            },
        ),
    }
}
