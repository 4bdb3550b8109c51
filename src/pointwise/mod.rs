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
//!
//! # Two differentiable inputs
//! A loss ℓ(pᵢ, qᵢ, yᵢ) of two differentiable inputs (a mean and a variance, a prediction and
//! a log-variance) implements [`Pointwise2`] and runs through [`evaluate2`]: the same
//! validation, masks, weights, reductions, per-row means, empty policy and summation, with a
//! second gradient buffer that receives `grad_scale · ∂L/∂q` by the same rules as the first.
//! Both front ends drive one generic core: a kernel (a loss bound to its inputs) with K
//! derivatives per element, whose gradient buffers are an array of K optional slices.

pub mod regression;

use crate::reduce::{blocked_sum, CompensatedSum, EmptyPolicy, GradMode, Partial, Reduced};
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
}

/// The per-element math of a loss with two differentiable inputs p and q (e.g. a predicted
/// mean and a predicted variance) and a target y.
pub trait Pointwise2<T: Real> {
    /// (ℓ(p, q, y), ∂ℓ/∂p, ∂ℓ/∂q) at one element.
    fn loss_grad(&self, p: T, q: T, y: T) -> (T, T, T);
    /// ℓ(p, q, y) alone (for value-only calls).
    #[inline(always)]
    fn loss(&self, p: T, q: T, y: T) -> T {
        self.loss_grad(p, q, y).0
    }
}

/// A loss bound to its inputs, as the engine's core sees it: n elements, each with a target
/// (for masking), a loss value and K derivatives (one per differentiable input).
///
/// The front ends [`evaluate_with`] (K = 1) and [`evaluate2`] (K = 2) build one; a family
/// whose inputs do not fit either (a known per-element constant beside the two inputs, a
/// target repeated over sample rows) implements it and calls [`evaluate_kernel`].
pub(crate) trait Kernel<T: Real, const K: usize> {
    /// A view of the elements `start .. start + len`.
    type Window<'w>: Window<T, K>
    where
        Self: 'w;
    /// The number of elements n.
    fn len(&self) -> usize;
    /// The n targets as the masks see them, or an empty slice for a kernel whose targets
    /// are not one per element (e.g. repeated over sample rows); its front end must then
    /// refuse [`Options::magic`], and the masks see a target of 0.
    fn targets(&self) -> &[T];
    /// The elements `start .. start + len` (always within `0..n`).
    fn window(&self, start: usize, len: usize) -> Self::Window<'_>;
    /// The transform applied to the reduced value.
    fn finish(&self) -> Finish {
        Finish::Identity
    }
}

/// The elements of one window of a [`Kernel`]; `j` is relative to the window's start.
pub(crate) trait Window<T: Real, const K: usize> {
    /// The target of element j (what the magic-number test looks at).
    fn target(&self, j: usize) -> T;
    /// ℓ at element j, with the element's input divisor c (1 unless per-element
    /// [`Factors`] say otherwise; only one-input losses take factors).
    fn loss(&self, j: usize, c: T) -> T;
    /// ℓ and its K derivatives at element j (not yet divided by c: the engine divides).
    fn loss_grad(&self, j: usize, c: T) -> (T, [T; K]);
}

/// A one-input loss bound to its predictions and targets: ℓ(pᵢ/c, yᵢ/c).
struct One<'a, T, L> {
    loss: &'a L,
    pred: &'a [T],
    target: &'a [T],
}

impl<T: Real, L: Pointwise<T>> Kernel<T, 1> for One<'_, T, L> {
    type Window<'w>
        = One<'w, T, L>
    where
        Self: 'w;
    fn len(&self) -> usize {
        self.pred.len()
    }
    fn targets(&self) -> &[T] {
        self.target
    }
    #[inline(always)]
    fn window(&self, start: usize, len: usize) -> One<'_, T, L> {
        One {
            loss: self.loss,
            pred: &self.pred[start..start + len],
            target: &self.target[start..start + len],
        }
    }
    fn finish(&self) -> Finish {
        self.loss.finish()
    }
}

impl<T: Real, L: Pointwise<T>> Window<T, 1> for One<'_, T, L> {
    #[inline(always)]
    fn target(&self, j: usize) -> T {
        self.target[j]
    }
    #[inline(always)]
    fn loss(&self, j: usize, c: T) -> T {
        self.loss.loss(self.pred[j] / c, self.target[j] / c)
    }
    #[inline(always)]
    fn loss_grad(&self, j: usize, c: T) -> (T, [T; 1]) {
        let (l, d) = self.loss.loss_grad(self.pred[j] / c, self.target[j] / c);
        (l, [d])
    }
}

/// A two-input loss bound to its inputs p, q and targets (no factors: c = 1).
struct Two<'a, T, L> {
    loss: &'a L,
    p: &'a [T],
    q: &'a [T],
    target: &'a [T],
}

impl<T: Real, L: Pointwise2<T>> Kernel<T, 2> for Two<'_, T, L> {
    type Window<'w>
        = Two<'w, T, L>
    where
        Self: 'w;
    fn len(&self) -> usize {
        self.p.len()
    }
    fn targets(&self) -> &[T] {
        self.target
    }
    #[inline(always)]
    fn window(&self, start: usize, len: usize) -> Two<'_, T, L> {
        Two {
            loss: self.loss,
            p: &self.p[start..start + len],
            q: &self.q[start..start + len],
            target: &self.target[start..start + len],
        }
    }
}

impl<T: Real, L: Pointwise2<T>> Window<T, 2> for Two<'_, T, L> {
    #[inline(always)]
    fn target(&self, j: usize) -> T {
        self.target[j]
    }
    #[inline(always)]
    fn loss(&self, j: usize, _c: T) -> T {
        self.loss.loss(self.p[j], self.q[j], self.target[j])
    }
    #[inline(always)]
    fn loss_grad(&self, j: usize, _c: T) -> (T, [T; 2]) {
        let (l, dp, dq) = self.loss.loss_grad(self.p[j], self.q[j], self.target[j]);
        (l, [dp, dq])
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
struct Keep<'a, 'o, T, F> {
    opts: &'a Options<'o, T>,
    factors: &'a F,
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
    /// Σ wᵢvᵢ over `start..start+len`, in the fixed summation order. `target` holds the n
    /// targets, or is empty for a kernel without per-element targets (see
    /// [`Kernel::targets`]), whose front end refuses the magic number.
    fn total(&self, target: &[T], start: usize, len: usize) -> f64 {
        if self.is_trivial() {
            return len as f64;
        }
        let mut reader = self.factors.reader(start);
        blocked_sum::<T>(len, |j| {
            let y = target.get(start + j).copied().unwrap_or(T::zero());
            self.weight(&mut reader, start + j, y).0.to_f64()
        })
    }
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
fn empty_value(policy: EmptyPolicy) -> Result<f64, Error> {
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
    check_len("target", pred.len(), target.len())?;
    let kernel = One { loss, pred, target };
    run_kernel(&kernel, opts, factors, values, [grad])
}

/// Evaluates a loss of two differentiable inputs ([`Pointwise2`]), its reduction and
/// (optionally) both gradients in one pass.
///
/// * `p`, `q`, `target`: n values each (e.g. predicted mean, predicted variance, target);
///   masks, the magic number and weights apply per element as in [`evaluate`].
/// * `values`: as in [`evaluate`].
/// * `grad_p`, `grad_q`: if given (length n), receive `grad_scale · ∂L/∂p` and
///   `grad_scale · ∂L/∂q`, by the rules of [`evaluate`] (overwrite or accumulate; masked
///   elements get 0 or are left alone).
///
/// Nothing is written unless the call succeeds.
#[allow(clippy::too_many_arguments)]
pub fn evaluate2<T: Real, L: Pointwise2<T>>(
    loss: &L,
    p: &[T],
    q: &[T],
    target: &[T],
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grad_p: Option<&mut [T]>,
    grad_q: Option<&mut [T]>,
) -> Result<Reduced<T>, Error> {
    let n = p.len();
    check_len("q", n, q.len())?;
    check_len("target", n, target.len())?;
    let kernel = Two { loss, p, q, target };
    run_kernel(&kernel, opts, &Unit, values, [grad_p, grad_q])
}

/// Evaluates a [`Kernel`] with the options (the core behind [`evaluate`] and
/// [`evaluate2`]): checks the options and the output lengths, then reduces. The kernel's
/// own inputs must have been checked by the caller.
pub(crate) fn evaluate_kernel<T: Real, Kn: Kernel<T, K>, const K: usize>(
    kernel: &Kn,
    opts: &Options<'_, T>,
    values: Option<&mut [T]>,
    grads: [Option<&mut [T]>; K],
) -> Result<Reduced<T>, Error> {
    run_kernel(kernel, opts, &Unit, values, grads)
}

fn run_kernel<T: Real, Kn: Kernel<T, K>, F: Factors<T>, const K: usize>(
    kernel: &Kn,
    opts: &Options<'_, T>,
    factors: &F,
    values: Option<&mut [T]>,
    grads: [Option<&mut [T]>; K],
) -> Result<Reduced<T>, Error> {
    let n = kernel.len();
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
    for g in grads.iter().flatten() {
        check_len("grad", n, g.len())?;
    }
    let finish = kernel.finish();
    if finish == Finish::Sqrt && opts.reduction == Reduction::None {
        return Err(Error::BadParameter { what: "reduction" });
    }
    let keep = Keep { opts, factors };
    let engine = Engine::<T, Kn, F, K> { kernel, keep, opts };
    if opts.row_len > 0 {
        engine.rows(values, grads)
    } else {
        engine.global(values, grads)
    }
}

struct Engine<'a, 'o, T, Kn, F, const K: usize> {
    kernel: &'a Kn,
    keep: Keep<'a, 'o, T, F>,
    opts: &'a Options<'o, T>,
}

/// Where one pass writes.
struct Sink<'b, T, const K: usize> {
    values: Option<&'b mut [T]>,
    grad: [Option<&'b mut [T]>; K],
    /// Multiplies wᵢ ∂ℓᵢ/∂(input k).
    factor: T,
    accumulate: bool,
}

/// True when any gradient buffer is present.
fn any<T, const K: usize>(grad: &[Option<&mut [T]>; K]) -> bool {
    grad.iter().any(Option::is_some)
}

/// No gradient buffers.
fn no_grads<'b, T, const K: usize>() -> [Option<&'b mut [T]>; K] {
    core::array::from_fn(|_| None)
}

/// Writes element j's gradients into the buffers that are present: `g = factor·w·d/c` if
/// kept, else 0; overwritten or added.
#[inline(always)]
fn put<T: Real, const K: usize>(
    grad: &mut [Option<&mut [T]>; K],
    j: usize,
    d: [T; K],
    (factor, w, c, kept, acc): (T, T, T, bool, bool),
) {
    for (g, d) in grad.iter_mut().zip(d) {
        if let Some(g) = g.as_deref_mut() {
            let gk = if kept { factor * w * d / c } else { T::zero() };
            g[j] = if acc { g[j] + gk } else { gk };
        }
    }
}

/// [`put`] when every buffer is present (no per-element test, so the loop vectorises).
#[inline(always)]
fn put_all<T: Real, const K: usize>(
    grad: &mut [&mut [T]; K],
    j: usize,
    d: [T; K],
    (factor, w, c, kept, acc): (T, T, T, bool, bool),
) {
    for k in 0..K {
        let gk = if kept {
            factor * w * d[k] / c
        } else {
            T::zero()
        };
        grad[k][j] = if acc { grad[k][j] + gk } else { gk };
    }
}

impl<T: Real, Kn: Kernel<T, K>, F: Factors<T>, const K: usize> Engine<'_, '_, T, Kn, F, K> {
    /// Σ wℓ over `start..start+len`, writing per-element values and gradients.
    fn pass(&self, start: usize, len: usize, sink: &mut Sink<'_, T, K>) -> f64 {
        if self.keep.is_trivial() {
            // Every element counts with weight 1 and divisor 1: a separate instance
            // without the per-element mask, weight and factor lookups, which LLVM vectorises.
            self.pass_with(start, len, sink, |_, _| (T::one(), T::one()))
        } else {
            let mut reader = self.keep.factors.reader(start);
            self.pass_with(start, len, sink, |i, y| self.keep.weight(&mut reader, i, y))
        }
    }

    /// One pass with the weight source `weight(i, yᵢ) -> (wᵢ, cᵢ)`: element i contributes
    /// wᵢ ℓ(pᵢ/cᵢ, yᵢ/cᵢ) and its gradient wᵢ ∂ℓ/∂p / cᵢ.
    #[inline(always)]
    fn pass_with(
        &self,
        start: usize,
        len: usize,
        sink: &mut Sink<'_, T, K>,
        mut weight: impl FnMut(usize, T) -> (T, T),
    ) -> f64 {
        let win = self.kernel.window(start, len);
        let (factor, acc) = (sink.factor, sink.accumulate);
        let mut grad = sink
            .grad
            .each_mut()
            .map(|g| g.as_deref_mut().map(|g| &mut g[start..start + len]));
        let present = grad.iter().filter(|g| g.is_some()).count();
        match sink.values.as_deref_mut() {
            None if present == 0 => blocked_sum::<T>(len, move |j| {
                let (w, c) = weight(start + j, win.target(j));
                let wl = w * win.loss(j, c);
                if w == T::zero() {
                    0.0
                } else {
                    wl.to_f64()
                }
            }),
            // With K = 1 this arm takes every remaining value-less call.
            None if K == 1 || present == K => {
                // Every buffer is present, so no default is ever taken.
                let mut grad = grad.map(Option::unwrap_or_default);
                blocked_sum::<T>(len, move |j| {
                    let (w, c) = weight(start + j, win.target(j));
                    let (l, d) = win.loss_grad(j, c);
                    let kept = w != T::zero();
                    put_all(&mut grad, j, d, (factor, w, c, kept, acc));
                    if kept {
                        (w * l).to_f64()
                    } else {
                        0.0
                    }
                })
            }
            // Some of several gradients (never reached with K = 1).
            None => blocked_sum::<T>(len, move |j| {
                let (w, c) = weight(start + j, win.target(j));
                let (l, d) = win.loss_grad(j, c);
                let kept = w != T::zero();
                put(&mut grad, j, d, (factor, w, c, kept, acc));
                if kept {
                    (w * l).to_f64()
                } else {
                    0.0
                }
            }),
            Some(values) => {
                let values = &mut values[start..start + len];
                blocked_sum::<T>(len, move |j| {
                    let (w, c) = weight(start + j, win.target(j));
                    let (l, d) = win.loss_grad(j, c);
                    let kept = w != T::zero();
                    put(&mut grad, j, d, (factor, w, c, kept, acc));
                    let wl = if kept { w * l } else { T::zero() };
                    values[j] = wl;
                    wl.to_f64()
                })
            }
        }
    }

    fn scale(&self) -> f64 {
        self.opts.grad_scale.to_f64()
    }

    fn accumulate(&self) -> bool {
        self.opts.grad_mode == GradMode::Accumulate
    }

    /// Clears the gradients of an empty mean (overwrite mode).
    fn zero_grad(&self, grad: [Option<&mut [T]>; K]) {
        if !self.accumulate() {
            for g in grad.into_iter().flatten() {
                g.iter_mut().for_each(|x| *x = T::zero());
            }
        }
    }

    /// One reduction over all elements.
    fn global(
        &self,
        values: Option<&mut [T]>,
        grad: [Option<&mut [T]>; K],
    ) -> Result<Reduced<T>, Error> {
        let n = self.kernel.len();
        let reduction = self.opts.reduction;
        let finish = self.kernel.finish();
        let has_grad = any(&grad);
        // The normaliser must be known before a mean's gradient is written.
        let known_weight = if self.keep.is_trivial() {
            Some(n as f64)
        } else if reduction == Reduction::Mean && has_grad {
            Some(self.keep.total(self.kernel.targets(), 0, n))
        } else {
            None
        };
        if reduction == Reduction::Mean && known_weight == Some(0.0) {
            let v = empty_value(self.opts.empty)?;
            self.zero_grad(grad);
            return Ok(Reduced {
                value: T::from_f64(v),
                partial: Partial::default(),
            });
        }
        let weight_of =
            |w: Option<f64>| w.unwrap_or_else(|| self.keep.total(self.kernel.targets(), 0, n));
        let mean_factor = |w: f64| match reduction {
            Reduction::Mean => 1.0 / w,
            _ => 1.0,
        };
        let sum = if finish == Finish::Sqrt && has_grad {
            // The chain-rule factor needs the reduced value: value pass, then gradient pass.
            let mut value_only = Sink {
                values: None,
                grad: no_grads(),
                factor: T::zero(),
                accumulate: false,
            };
            let sum = self.pass(0, n, &mut value_only);
            let w = weight_of(known_weight);
            let reduced = sum * mean_factor(w);
            let outer = finish.derivative(reduction, reduced);
            let mut sink = Sink {
                values: None,
                grad,
                factor: T::from_f64(self.scale() * mean_factor(w) * outer),
                accumulate: self.accumulate(),
            };
            self.pass(0, n, &mut sink);
            sum
        } else {
            let factor = match known_weight {
                Some(w) => self.scale() * mean_factor(w),
                None => self.scale(),
            };
            let mut sink = Sink {
                values,
                grad,
                factor: T::from_f64(factor),
                accumulate: self.accumulate(),
            };
            self.pass(0, n, &mut sink)
        };
        let weight = weight_of(known_weight);
        let partial = Partial { sum, weight };
        let reduced = match reduction {
            Reduction::Mean => partial.mean(self.opts.empty)?,
            _ => sum,
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
        grad: [Option<&mut [T]>; K],
    ) -> Result<Reduced<T>, Error> {
        let d = self.opts.row_len;
        let rows = self.kernel.len() / d;
        let reduction = self.opts.reduction;
        let policy = self.opts.empty;
        // Count the rows that enter the batch normaliser before anything is written.
        let mut counted = 0usize;
        for r in 0..rows {
            if self.keep.total(self.kernel.targets(), r * d, d) > 0.0 {
                counted += 1;
            } else if policy == EmptyPolicy::Error {
                return Err(Error::EmptyMean);
            } else if policy == EmptyPolicy::Nan {
                counted += 1;
            }
        }
        let batch_factor = match reduction {
            Reduction::Mean if counted > 0 => 1.0 / counted as f64,
            Reduction::Mean => 0.0,
            _ => 1.0,
        };
        let finish = self.kernel.finish();
        let has_grad = any(&grad);
        let run = |grad_factor: Option<f64>,
                   mut grad: [Option<&mut [T]>; K],
                   values: &mut Option<&mut [T]>| {
            let mut total = CompensatedSum::new();
            for r in 0..rows {
                let w = self.keep.total(self.kernel.targets(), r * d, d);
                let row_factor = if w > 0.0 { 1.0 / w } else { 0.0 };
                let mut sink = Sink {
                    values: None,
                    grad: if grad_factor.is_some() {
                        grad.each_mut().map(|g| g.as_deref_mut())
                    } else {
                        no_grads()
                    },
                    factor: T::from_f64(grad_factor.unwrap_or(0.0) * row_factor),
                    accumulate: self.accumulate(),
                };
                let s = self.pass(r * d, d, &mut sink);
                let m = if w > 0.0 {
                    s / w
                } else if policy == EmptyPolicy::Nan {
                    f64::NAN
                } else {
                    0.0
                };
                if let Some(v) = values.as_deref_mut() {
                    v[r] = T::from_f64(m);
                }
                total.add(m);
            }
            total.value()
        };
        let sum = if finish == Finish::Sqrt && has_grad {
            let sum = run(None, no_grads(), &mut None);
            let reduced = sum * batch_factor;
            let outer = finish.derivative(reduction, reduced);
            run(Some(self.scale() * batch_factor * outer), grad, &mut None);
            sum
        } else {
            let gf = has_grad.then(|| self.scale() * batch_factor);
            run(gf, grad, &mut values)
        };
        let partial = Partial {
            sum,
            weight: counted as f64,
        };
        let reduced = match reduction {
            Reduction::Mean => partial.mean(policy)?,
            _ => sum,
        };
        Ok(Reduced {
            value: T::from_f64(finish.apply(reduction, reduced)),
            partial,
        })
    }
}
