//! A weighted total of named loss terms with its per-term breakdown (graph-pes' `TotalLoss`,
//! DRDMannTurb's sum of terms), in fixed capacity without allocation.
//!
//! L = Σⱼ λⱼ Lⱼ over the terms in the order they were added. For each term the breakdown
//! keeps its name, its weight λⱼ, its raw value Lⱼ and its weighted value λⱼLⱼ, all in
//! `f64`: a term computed in `f64` keeps its full precision, an `f32` term is widened
//! exactly, and the total is a compensated `f64` sum. Nothing is narrowed to a default
//! dtype (graph-pes accumulates into torch's default dtype, which silently casts an `f64`
//! model's loss to `f32` when that default is `f32`).
//!
//! Gradients: [`Total::term`] hands each term's evaluation a [`TermGrad`] that sets
//! `grad_scale = λⱼ · grad_scale` and [`GradMode::Accumulate`], so several terms sharing
//! a prediction (or any) buffer add λⱼ ∂Lⱼ/∂p into it; the buffer then holds ∂L/∂p. Fill
//! the gradient buffers with zeros before the first term. For `f32` gradients the scale
//! λⱼ · grad_scale is rounded to `f32`.
//!
//! Unlike graph-pes, where two terms with the same name overwrite each other in the
//! breakdown (while both count in the total), a repeated name is refused with
//! [`Error::DuplicateName`].
//!
//! ```
//! use losskit::{regression, total::Total, Options};
//! let (p, y) = ([1.0f64, 2.0], [0.0, 0.0]);
//! let mut grad = [0.0; 2];
//! let mut total = Total::<4>::new();
//! total.term("mse", 2.0, |g| {
//!     regression::mse(&p, &y, &g.apply(Options::default()), None, Some(&mut grad))
//! }).unwrap();
//! total.term("mae", 0.5, |g| {
//!     regression::mae(&p, &y, &g.apply(Options::default()), None, Some(&mut grad))
//! }).unwrap();
//! assert_eq!(total.value(), 2.0 * 2.5 + 0.5 * 1.5);
//! assert_eq!(grad, [2.0 * 1.0 + 0.5 * 0.5, 2.0 * 2.0 + 0.5 * 0.5]);
//! ```

use crate::reduce::CompensatedSum;
use crate::{Error, GradMode, Options, Real, Reduced};

/// One term of a [`Total`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term<'n> {
    /// The term's name (unique within its total).
    pub name: &'n str,
    /// Its weight λ.
    pub weight: f64,
    /// Its raw (unweighted) value L.
    pub raw: f64,
    /// λ · L.
    pub weighted: f64,
}

/// The gradient settings a term is evaluated with (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TermGrad<T> {
    /// The term's weight λ in the data type.
    pub weight: T,
}

impl<T: Real> TermGrad<T> {
    /// `opts` with `grad_scale = λ · opts.grad_scale` and [`GradMode::Accumulate`].
    pub fn apply<'a>(&self, opts: Options<'a, T>) -> Options<'a, T> {
        Options {
            grad_scale: self.weight * opts.grad_scale,
            grad_mode: GradMode::Accumulate,
            ..opts
        }
    }
}

/// A weighted total of at most `N` named terms (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Total<'n, const N: usize> {
    terms: heapless::Vec<Term<'n>, N>,
}

/// Checks that a term named `name` with weight `weight` may join `existing` terms
/// (`count` of them, at most `capacity`): a non-empty name not already present
/// ([`Error::DuplicateName`]), a finite weight ([`Error::BadParameter`]), room left
/// ([`Error::CapacityExceeded`]). Names compare byte for byte.
pub fn check_term<'e>(
    existing: impl IntoIterator<Item = &'e [u8]>,
    name: &[u8],
    weight: f64,
    count: usize,
    capacity: usize,
) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::BadParameter { what: "name" });
    }
    if !weight.is_finite() {
        return Err(Error::BadParameter { what: "weight" });
    }
    if existing.into_iter().any(|e| e == name) {
        return Err(Error::DuplicateName);
    }
    if count >= capacity {
        return Err(Error::CapacityExceeded);
    }
    Ok(())
}

/// Σⱼ of the weighted values, compensated, in order.
pub fn weighted_sum(weighted: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = CompensatedSum::new();
    for w in weighted {
        s.add(w);
    }
    s.value()
}

impl<'n, const N: usize> Total<'n, N> {
    /// An empty total.
    pub const fn new() -> Self {
        Total {
            terms: heapless::Vec::new(),
        }
    }

    /// Adds a term whose raw value was computed elsewhere. The weighted value is λ·raw in
    /// `f64`. Errors ([`check_term`]): empty or repeated name, non-finite weight, capacity.
    pub fn add(&mut self, name: &'n str, weight: f64, raw: f64) -> Result<(), Error> {
        check_term(
            self.terms.iter().map(|t| t.name.as_bytes()),
            name.as_bytes(),
            weight,
            self.terms.len(),
            N,
        )?;
        let term = Term {
            name,
            weight,
            raw,
            weighted: weight * raw,
        };
        self.terms.push(term).map_err(|_| Error::CapacityExceeded)
    }

    /// Evaluates a term and adds it: `eval` receives the [`TermGrad`] to apply to its
    /// options (so its gradient accumulates λ ∂L/∂p) and returns the loss; its value is the
    /// term's raw value. The name, weight and capacity are checked before `eval` runs; if
    /// `eval` fails, its error is returned and no term is added. Returns the raw value.
    pub fn term<T: Real>(
        &mut self,
        name: &'n str,
        weight: f64,
        eval: impl FnOnce(TermGrad<T>) -> Result<Reduced<T>, Error>,
    ) -> Result<T, Error> {
        check_term(
            self.terms.iter().map(|t| t.name.as_bytes()),
            name.as_bytes(),
            weight,
            self.terms.len(),
            N,
        )?;
        let r = eval(TermGrad {
            weight: T::from_f64(weight),
        })?;
        self.add(name, weight, r.value.to_f64())?;
        Ok(r.value)
    }

    /// The total Σⱼ λⱼLⱼ (compensated, in the order the terms were added); 0 with no term.
    /// A NaN term makes the total NaN: it is reported, not hidden.
    pub fn value(&self) -> f64 {
        weighted_sum(self.terms.iter().map(|t| t.weighted))
    }
    /// The terms in the order they were added.
    pub fn terms(&self) -> &[Term<'n>] {
        &self.terms
    }
    /// The term named `name`.
    pub fn get(&self, name: &str) -> Option<&Term<'n>> {
        self.terms.iter().find(|t| t.name == name)
    }
    /// The number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }
    /// True with no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
    /// Removes every term (for the next batch).
    pub fn clear(&mut self) {
        self.terms.clear();
    }
}
