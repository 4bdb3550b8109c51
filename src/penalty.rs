//! Rockpool's boundary penalties: a soft constraint that costs e^(distance) for every
//! parameter outside its bounds.
//!
//! For one element x with lower bound lo and upper bound up:
//!
//! | x | penalty | ∂/∂x |
//! |---|---|---|
//! | x > up | e^(x − up) | e^(x − up) |
//! | x < lo | e^(lo − x) | −e^(lo − x) |
//! | lo ≤ x ≤ up | 0 | 0 |
//!
//! The test is strict, so a value exactly at a bound costs 0, and the penalty **jumps to 1**
//! as soon as x crosses the bound, as in Rockpool (whose docs say so: "a value of 1.0 for
//! each parameter element that exceeds a bound infinitesimally"). A NaN element fails both
//! tests and costs 0, as in Rockpool.
//!
//! "No bound" is an infinite bound: lo = −∞, up = +∞ (the values Rockpool's `make_bounds`
//! fills in). **Differences from Rockpool**, on purpose:
//! * a bound of 0 is a real bound here. Rockpool's `summed_exp_boundary_loss` tests its
//!   bounds for truthiness, so `lower_bound=0.0` there silently means no lower bound;
//! * Rockpool tests e^(x − up) > 1 in the data's precision, which in `f32` also drops
//!   violations smaller than about 6·10⁻⁸; here the comparison is x > up in the data type
//!   (the bound is rounded to it first, as torch does);
//! * a NaN bound, a lower bound of +∞, an upper bound of −∞ or lo > up is refused
//!   (Rockpool computes with them);
//! * [`bounds_cost`] checks that every per-element bound has the length of its group, and
//!   an empty list of groups costs 0 (Rockpool's length test is a chained comparison that
//!   misses some mismatches, and it raises on an empty list).

use crate::grad::GradOut;
use crate::pointwise::check_len;
use crate::reduce::{blocked_sum, CompensatedSum};
use crate::{Error, GradMode, Real};

/// The penalty of one element and its derivative (see the module docs).
#[inline(always)]
fn element<T: Real>(x: T, lo: T, up: T) -> (T, T) {
    if x > up {
        let e = (x - up).exp();
        (e, e)
    } else if x < lo {
        let e = (lo - x).exp();
        (e, -e)
    } else {
        (T::zero(), T::zero())
    }
}

/// `blocked_sum` of `pass` over `0..n` (the penalties, `pass` may write the gradient); a sum that comes out NaN only because a penalty overflowed to +∞ (the
/// compensation term of an infinite addend is ∞ − ∞) is returned as +∞, from a plain
/// re-summation of the values.
fn sum_keeping_inf<T: Real>(
    n: usize,
    value: impl Fn(usize) -> f64,
    pass: impl FnMut(usize) -> f64,
) -> f64 {
    let s = blocked_sum::<T>(n, pass);
    if s.is_nan() {
        let plain: f64 = (0..n).map(value).sum();
        if plain.is_infinite() {
            return plain;
        }
    }
    s
}

fn check_pair<T: Real>(lo: T, up: T) -> Result<(), Error> {
    if lo.is_nan() || lo == T::INFINITY {
        return Err(Error::BadParameter {
            what: "lower bound (NaN or +inf)",
        });
    }
    if up.is_nan() || up == -T::INFINITY {
        return Err(Error::BadParameter {
            what: "upper bound (NaN or -inf)",
        });
    }
    if lo > up {
        return Err(Error::BadParameter {
            what: "bounds (lower > upper)",
        });
    }
    Ok(())
}

/// Σ over `data` of the element penalty with scalar bounds, writing the gradient.
fn scalar_pass<T: Real>(data: &[T], lo: T, up: T, grad: Option<&mut GradOut<'_, T>>) -> f64 {
    let value = |i: usize| element(data[i], lo, up).0.to_f64();
    match grad {
        None => sum_keeping_inf::<T>(data.len(), value, value),
        Some(g) => {
            let with_grad = |i: usize| {
                let (v, d) = element(data[i], lo, up);
                g.put(i, d.to_f64());
                v.to_f64()
            };
            sum_keeping_inf::<T>(data.len(), value, with_grad)
        }
    }
}

/// Rockpool's `summed_exp_boundary_loss`: Σₖ [e^(xₖ − up) if xₖ > up] + [e^(lo − xₖ) if
/// xₖ < lo], with gradient e^(xₖ − up), −e^(lo − xₖ) or 0 (see the [module docs](self)).
///
/// `None` means no bound on that side. Unlike Rockpool, `Some(0.0)` is a real bound.
///
/// ```
/// use losskit::penalty::summed_exp_boundary_loss;
/// let x = [1.5f64, -2.0, 0.3];
/// let v = summed_exp_boundary_loss(&x, Some(-1.0), Some(1.0), None).unwrap();
/// assert!((v - (0.5f64.exp() + 1.0f64.exp())).abs() < 1e-12);
/// ```
pub fn summed_exp_boundary_loss<T: Real>(
    data: &[T],
    lower: Option<T>,
    upper: Option<T>,
    grad: Option<GradOut<'_, T>>,
) -> Result<T, Error> {
    BoundaryRegularizer::new(lower, upper)?.loss(data, grad)
}

/// Rockpool's `ParameterBoundaryRegularizer`: a pair of bounds kept once and applied to
/// any data with [`summed_exp_boundary_loss`]'s formula.
///
/// A plain `#[repr(C)]` pair; −∞ / +∞ mean no bound. The C ABI's
/// `lk_boundary_regularizer` has the same layout with `double` fields.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundaryRegularizer<T> {
    /// The lower bound (−∞: none).
    pub lower: T,
    /// The upper bound (+∞: none).
    pub upper: T,
}

impl<T: Real> Default for BoundaryRegularizer<T> {
    /// No bounds (the penalty is 0).
    fn default() -> Self {
        BoundaryRegularizer {
            lower: -T::INFINITY,
            upper: T::INFINITY,
        }
    }
}

impl<T: Real> BoundaryRegularizer<T> {
    /// Bounds from optional values (`None`: no bound on that side); refuses NaN, a lower
    /// bound of +∞, an upper bound of −∞, and lower > upper.
    pub fn new(lower: Option<T>, upper: Option<T>) -> Result<Self, Error> {
        let r = BoundaryRegularizer {
            lower: lower.unwrap_or(-T::INFINITY),
            upper: upper.unwrap_or(T::INFINITY),
        };
        check_pair(r.lower, r.upper)?;
        Ok(r)
    }

    /// The summed penalty of `data` (Rockpool's `forward`), with its gradient. The bounds
    /// are checked on every call (the fields are public).
    pub fn loss(&self, data: &[T], mut grad: Option<GradOut<'_, T>>) -> Result<T, Error> {
        check_pair(self.lower, self.upper)?;
        if let Some(g) = &grad {
            g.check("grad", data.len())?;
        }
        Ok(T::from_f64(scalar_pass(
            data,
            self.lower,
            self.upper,
            grad.as_mut(),
        )))
    }
}

/// A bound of a parameter group: one value for every element, or one per element.
#[derive(Clone, Copy, Debug)]
pub enum Bound<'a, T> {
    /// The same bound for every element (±∞: none).
    Scalar(T),
    /// One bound per element (same length as the group; ±∞ entries: none).
    Each(&'a [T]),
}

impl<T: Real> Bound<'_, T> {
    #[inline(always)]
    fn at(&self, i: usize) -> T {
        match self {
            Bound::Scalar(b) => *b,
            Bound::Each(b) => b[i],
        }
    }
}

/// One parameter group of [`bounds_cost`]: the parameters, their bounds and, optionally,
/// where their gradient goes.
#[derive(Debug)]
pub struct BoundsGroup<'a, T> {
    /// The parameters.
    pub params: &'a [T],
    /// The lower bound(s).
    pub lower: Bound<'a, T>,
    /// The upper bound(s).
    pub upper: Bound<'a, T>,
    /// `None`, or as many values as `params`, receiving `scale · ∂cost/∂params`.
    pub grad: Option<&'a mut [T]>,
}

impl<'a, T: Real> BoundsGroup<'a, T> {
    /// A group with no bounds (Rockpool's `make_bounds`: −∞ and +∞) and no gradient.
    pub fn new(params: &'a [T]) -> Self {
        BoundsGroup {
            params,
            lower: Bound::Scalar(-T::INFINITY),
            upper: Bound::Scalar(T::INFINITY),
            grad: None,
        }
    }
    /// Sets the lower bound(s).
    pub fn with_lower(mut self, lower: Bound<'a, T>) -> Self {
        self.lower = lower;
        self
    }
    /// Sets the upper bound(s).
    pub fn with_upper(mut self, upper: Bound<'a, T>) -> Self {
        self.upper = upper;
        self
    }
    /// Asks for the gradient.
    pub fn with_grad(mut self, grad: &'a mut [T]) -> Self {
        self.grad = Some(grad);
        self
    }

    /// Checks the lengths of the per-element bounds and of the gradient against the
    /// parameters, and every bound pair (no NaN, no lower bound of +∞ or upper bound of
    /// −∞, lower ≤ upper).
    pub fn validate(&self) -> Result<(), Error> {
        let n = self.params.len();
        for (b, what) in [(&self.lower, "lower bounds"), (&self.upper, "upper bounds")] {
            if let Bound::Each(v) = b {
                check_len(what, n, v.len())?;
            }
        }
        if let Some(g) = &self.grad {
            check_len("grad", n, g.len())?;
        }
        match (self.lower, self.upper) {
            (Bound::Scalar(lo), Bound::Scalar(up)) => check_pair(lo, up),
            (lo, up) => (0..n).try_for_each(|i| check_pair(lo.at(i), up.at(i))),
        }
    }
}

/// Rockpool's `bounds_cost`: the sum over the groups of the boundary penalty of each
/// parameter with its own bounds,
/// cost = Σ_groups Σₖ [e^(pₖ − upₖ) if pₖ > upₖ] + [e^(loₖ − pₖ) if pₖ < loₖ].
///
/// Rockpool pairs the leaves of three parameter trees by position; here each group carries
/// its bounds, so nothing can be paired wrongly. Every per-element bound and gradient must
/// have the group's length, and every bound pair is checked as in
/// [`BoundaryRegularizer::new`], before anything is written. A group's gradient, if
/// given, receives `grad_scale · ∂cost/∂params` (overwritten or added per `grad_mode`).
/// An empty list costs 0.
///
/// ```
/// use losskit::penalty::{bounds_cost, Bound, BoundsGroup};
/// use losskit::GradMode;
/// let a = [0.5f64, 2.0, -3.0];
/// let mut groups = [BoundsGroup::new(&a)
///     .with_lower(Bound::Scalar(-1.0))
///     .with_upper(Bound::Scalar(1.0))];
/// let c = bounds_cost(&mut groups, 1.0, GradMode::Overwrite).unwrap();
/// assert!((c - (1.0f64.exp() + 2.0f64.exp())).abs() < 1e-12);
/// ```
pub fn bounds_cost<T: Real>(
    groups: &mut [BoundsGroup<'_, T>],
    grad_scale: T,
    grad_mode: GradMode,
) -> Result<T, Error> {
    check_scale(grad_scale)?;
    groups.iter().try_for_each(BoundsGroup::validate)?;
    let mut total = CompensatedSum::new();
    for g in groups.iter_mut() {
        total.add(group_cost(g, grad_scale, grad_mode));
    }
    Ok(T::from_f64(total.value()))
}

/// [`bounds_cost`] over `n` groups made on demand by `group(i)`, for callers that keep
/// their groups elsewhere (the C ABI does); nothing is allocated.
///
/// `group` is called twice for every index, in increasing order: once for all groups to
/// check them (nothing is written until every group passes), then once more to evaluate
/// them. It must return the same group both times; each returned group is dropped before
/// the next call.
pub fn bounds_cost_with<'a, T: Real>(
    n: usize,
    mut group: impl FnMut(usize) -> BoundsGroup<'a, T>,
    grad_scale: T,
    grad_mode: GradMode,
) -> Result<T, Error> {
    check_scale(grad_scale)?;
    (0..n).try_for_each(|i| group(i).validate())?;
    let mut total = CompensatedSum::new();
    for i in 0..n {
        total.add(group_cost(&mut group(i), grad_scale, grad_mode));
    }
    Ok(T::from_f64(total.value()))
}

fn check_scale<T: Real>(s: T) -> Result<(), Error> {
    if s.is_finite() {
        Ok(())
    } else {
        Err(Error::BadParameter { what: "grad_scale" })
    }
}

/// The cost of one validated group, writing its gradient.
fn group_cost<T: Real>(g: &mut BoundsGroup<'_, T>, grad_scale: T, grad_mode: GradMode) -> f64 {
    let (params, lo, up) = (g.params, g.lower, g.upper);
    let mut out = g.grad.as_deref_mut().map(|buf| GradOut {
        buf,
        scale: grad_scale,
        mode: grad_mode,
    });
    match (lo, up, out.as_mut()) {
        (Bound::Scalar(lo), Bound::Scalar(up), out) => scalar_pass(params, lo, up, out),
        (lo, up, out) => {
            let value = |i: usize| element(params[i], lo.at(i), up.at(i)).0.to_f64();
            match out {
                None => sum_keeping_inf::<T>(params.len(), value, value),
                Some(out) => {
                    let with_grad = |i: usize| {
                        let (v, d) = element(params[i], lo.at(i), up.at(i));
                        out.put(i, d.to_f64());
                        v.to_f64()
                    };
                    sum_keeping_inf::<T>(params.len(), value, with_grad)
                }
            }
        }
    }
}
