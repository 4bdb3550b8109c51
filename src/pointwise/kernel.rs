//! The engine for elementwise losses of several differentiable inputs (K derivatives per
//! element): [`evaluate2`] for a [`Pointwise2`] loss ℓ(p, q, y), and the crate-internal
//! [`Kernel`] interface for families whose inputs are laid out differently (the
//! variance-reduced and KL losses of [`crate::probabilistic`]).
//!
//! The options, masks, weights, reductions, per-row means, empty policy, gradient scale and
//! mode mean exactly what they mean for [`evaluate`](super::evaluate) (see the parent
//! module's docs).
//!
//! Known debt: this is a second copy of the reduction logic of [`super`] (global and per-row
//! reductions), written per element rather than in vectorised runs. The single-input engine
//! should become the K = 1 case of this one once its run-based loops are generalised to K
//! gradient outputs.

use super::{
    batch_factor, check_len, check_options, empty_value, mean_factor, row_mean, rows_partial,
    Factors, Finish, Keep, Unit,
};
use crate::reduce::{blocked_sum_compensated, CompensatedSum, GradMode, Partial, Reduced};
use crate::{Error, Options, Real, Reduction};

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

/// Evaluates a loss of two differentiable inputs ([`Pointwise2`]), its reduction and
/// (optionally) both gradients in one pass.
///
/// * `p`, `q`, `target`: n values each (e.g. predicted mean, predicted variance, target);
///   masks, the magic number and weights apply per element as in [`evaluate`](super::evaluate).
/// * `values`: as in [`evaluate`](super::evaluate).
/// * `grad_p`, `grad_q`: if given (length n), receive `grad_scale · ∂L/∂p` and
///   `grad_scale · ∂L/∂q`, by the rules of [`evaluate`](super::evaluate) (overwrite or accumulate; masked
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

/// Evaluates a [`Kernel`] with the options (the core behind [`evaluate`](super::evaluate) and
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
    fn pass(&self, start: usize, len: usize, sink: &mut Sink<'_, T, K>) -> CompensatedSum {
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
    ) -> CompensatedSum {
        let win = self.kernel.window(start, len);
        let (factor, acc) = (sink.factor, sink.accumulate);
        let mut grad = sink
            .grad
            .each_mut()
            .map(|g| g.as_deref_mut().map(|g| &mut g[start..start + len]));
        let present = grad.iter().filter(|g| g.is_some()).count();
        match sink.values.as_deref_mut() {
            None if present == 0 => blocked_sum_compensated::<T>(len, move |j| {
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
                blocked_sum_compensated::<T>(len, move |j| {
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
            None => blocked_sum_compensated::<T>(len, move |j| {
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
                blocked_sum_compensated::<T>(len, move |j| {
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
        let known_weight = if self.keep.is_trivial() || (reduction == Reduction::Mean && has_grad) {
            Some(self.keep.total_compensated(self.kernel.targets(), 0, n))
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
            w.unwrap_or_else(|| self.keep.total_compensated(self.kernel.targets(), 0, n))
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
            let w = weight_of(known_weight).value();
            let reduced = sum.value() * mean_factor(reduction, w);
            let outer = finish.derivative(reduction, reduced);
            let mut sink = Sink {
                values: None,
                grad,
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
                grad,
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
        grad: [Option<&mut [T]>; K],
    ) -> Result<Reduced<T>, Error> {
        let d = self.opts.row_len;
        let rows = self.kernel.len() / d;
        let reduction = self.opts.reduction;
        let policy = self.opts.empty;
        // Count the rows that enter the batch normaliser before anything is written.
        let counted = self
            .keep
            .counted_rows(self.kernel.targets(), rows, d, policy)?;
        let batch_factor = batch_factor(reduction, counted);
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
                let s = self.pass(r * d, d, &mut sink).value();
                let m = row_mean(s, w, policy);
                if let Some(v) = values.as_deref_mut() {
                    v[r] = T::from_f64(m);
                }
                total.add(m);
            }
            total
        };
        let sum = if finish == Finish::Sqrt && has_grad {
            let sum = run(None, no_grads(), &mut None);
            let reduced = sum.value() * batch_factor;
            let outer = finish.derivative(reduction, reduced);
            run(Some(self.scale() * batch_factor * outer), grad, &mut None);
            sum
        } else {
            let gf = has_grad.then(|| self.scale() * batch_factor);
            run(gf, grad, &mut values)
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
